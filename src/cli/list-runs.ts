import { listingOf, type Listing, type RunJournal, type RunRecord, type RunStatus } from '../journal/index.js';
import { duration, table, time } from './format.js';
import { runView, type RunView } from './run-view.js';

export interface ListFilter {
  readonly status?: RunStatus;
  readonly since?: number;
  readonly step?: string;
  readonly compensation?: 'none' | 'completed' | 'failed';
  readonly limit: number;
  /** Read every record instead of the time index (runs written before it existed). */
  readonly scan?: boolean;
}

/** Without `--since`, the last day: a bucket keeps weeks of runs. */
export const DEFAULT_WINDOW_MS = 24 * 3_600_000;

export interface RunListing {
  readonly views: RunView[];
  /** Records in the window that could not be read: the listing is partial. */
  readonly unreadable: Listing['unreadable'];
  readonly since: number;
}

/**
 * The runs of a time window: through the store's time index, reading only the window (only the
 * newest `limit` records when nothing but time filters), at bounded concurrency with retries;
 * records that still cannot be read are reported, the rest listed.
 */
export async function listRuns(journal: RunJournal, filter: ListFilter, now = Date.now()): Promise<RunListing> {
  const since = filter.since ?? now - DEFAULT_WINDOW_MS;
  const byContent = filter.status !== undefined || filter.step !== undefined || filter.compensation !== undefined;
  const listing =
    filter.scan || journal.listSince === undefined
      ? listingOf(await journal.list(), since)
      : await journal.listSince(since, byContent ? {} : { newest: filter.limit });
  const views = listing.records
    .filter((r) => filter.status === undefined || r.status === filter.status)
    .filter((r) => filter.compensation === undefined || (r.compensation ?? 'none') === filter.compensation)
    .map(runView)
    .filter((v) => filter.step === undefined || v.step === filter.step)
    .sort((a, b) => b.startedAt - a.startedAt)
    .slice(0, filter.limit);
  return { views, unreadable: listing.unreadable, since };
}

export function formatList(views: readonly RunView[]): string {
  if (views.length === 0) return 'no runs match';
  return table(
    ['STARTED (UTC)', 'RUN ID', 'STATUS', 'MESSAGE', 'STEP', 'EXEC', 'DUPS', 'INCIDENT', 'DURATION'],
    views.map((v) => [
      time(v.startedAt).replace('T', ' ').slice(0, 19),
      v.runId,
      v.status + (v.compensation === 'failed' ? ' (undo failed)' : ''),
      `${v.provider}:${v.messageId}`,
      v.step ?? '-',
      String(v.executions),
      String(v.duplicates),
      v.incidentId === undefined ? '-' : `${v.incidentId}${v.referenceNumber ? ` ${v.referenceNumber}` : ''}`,
      duration(v.durationMs),
    ]),
  );
}

/** The providers a message id may belong to: the key is `<provider>:<message id>`. */
const PROVIDERS = ['twilio', 'vonage', 'generic'] as const;

/** The shortest start of a run id that `show` and `redrive` look up (a UUID has 36 characters). */
export const MIN_RUN_ID_PREFIX = 6;

/** An id that starts more than one run id: the caller must say which. */
export class AmbiguousRunId extends Error {
  override readonly name = 'AmbiguousRunId';
  constructor(
    readonly prefix: string,
    readonly runIds: readonly string[],
  ) {
    super(
      `${prefix} starts ${runIds.length} run ids (${runIds.slice(0, 5).join(', ')}${runIds.length > 5 ? ', …' : ''}): give more of it`,
    );
  }
}

/**
 * Finds a run by idempotency key, run id or message id, reading single objects: the key, the
 * run-id index, then the key under each provider; then, for an id of {@link MIN_RUN_ID_PREFIX}
 * characters or more, the one run id it starts (the local stack prints short ones). A store without
 * a run-id index (file, memory), or `scan`, reads every record instead.
 */
export async function findRun(
  journal: RunJournal,
  id: string,
  options: { scan?: boolean } = {},
): Promise<RunRecord | undefined> {
  if (!options.scan && journal.getByRunId !== undefined) {
    const found = (await journal.get(id)) ?? (await journal.getByRunId(id));
    if (found !== undefined) return found.record;
    for (const provider of PROVIDERS) {
      const byMessage = await journal.get(`${provider}:${id}`);
      if (byMessage !== undefined) return byMessage.record;
    }
    if (id.length < MIN_RUN_ID_PREFIX || journal.runIdsStartingWith === undefined) return undefined;
    const ids = await journal.runIdsStartingWith(id, 6);
    if (ids.length > 1) throw new AmbiguousRunId(id, ids);
    const only = ids[0];
    return only === undefined ? undefined : (await journal.getByRunId(only))?.record;
  }
  const records = await journal.list();
  const exact =
    records.find((r) => r.runId === id) ?? records.find((r) => r.messageId === id) ?? records.find((r) => r.key === id);
  if (exact !== undefined || id.length < MIN_RUN_ID_PREFIX) return exact;
  const started = records.filter((r) => r.runId.startsWith(id));
  if (started.length > 1)
    throw new AmbiguousRunId(
      id,
      started.map((r) => r.runId),
    );
  return started[0];
}
