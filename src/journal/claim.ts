import type { RunJournal, Versioned } from './journal.js';
import { RUN_STATUS, withHistory, type RunRecord, type StepEntry } from './record.js';
import { isTransientJournalError, RetryBudget, withRetries, type RetryClock, type RetryPolicy } from './retries.js';

export interface ClaimRequest {
  readonly key: string;
  /** Id for a new run (a taken-over run keeps its own). */
  readonly runId: string;
  readonly workflow: string;
  readonly provider: string;
  readonly messageId: string;
  readonly idempotencyToken?: string;
  readonly payloadHash: string;
  readonly payload: unknown;
  /**
   * Today's hash of a stored payload, so a record written under an older hashing rule (the previous
   * version hashed the whole parsed message, provider fields included) is compared by what it
   * holds, not by the hash it was given. Undefined when the payload cannot be read.
   */
  readonly hashOf?: (payload: unknown) => string | undefined;
  /** Who claims: unique per execution (e.g. the Fn call id). */
  readonly owner: string;
  readonly now: number;
  /** When the lease ends: the execution's deadline plus a margin. */
  readonly leaseExpiresAt: number;
  readonly traceId?: string;
  /** The execution's root span: a duplicate's span links to it. */
  readonly spanId?: string;
  /**
   * How long transient journal faults (a 5xx, a dropped connection, a timeout) are tried again:
   * until `until` (epoch ms: the delivery must be answered by then), with back-off and jitter,
   * on `clock`. Absent: one fault is tolerated and read back at once, as a CLI's one-off claim wants.
   */
  readonly retry?: { readonly until: number; readonly clock: RetryClock };
}

/**
 * - `run`: this caller owns the run now. `new`: first delivery; `resume`: the previous owner's
 *   lease expired, continue at the first unfinished step; `restart`: after a retryable failure
 *   or a redrive, start again from the first step that must be redone.
 * - `finished`: answer the stored result, run nothing.
 * - `busy`: another execution holds a live lease; retry after `retryAfterMs`.
 * - `mismatch`: same key, different payload.
 */
export type Claim =
  | { readonly kind: 'run'; readonly mode: 'new' | 'resume' | 'restart'; readonly claimed: Versioned }
  | { readonly kind: 'finished'; readonly record: RunRecord }
  | { readonly kind: 'busy'; readonly record: RunRecord; readonly retryAfterMs: number }
  | { readonly kind: 'mismatch'; readonly record: RunRecord };

/** Conditional writes lost to a concurrent writer are retried this many times. */
const MAX_ROUNDS = 8;

/**
 * The claim's back-off on transient journal faults: a fault answered at once costs about 0.2, 0.4,
 * 0.8, 1.6 s… (plus jitter) before the next try, six tries at most; none starts with less than
 * {@link CLAIM_MIN_ATTEMPT_MS} left. Nothing has happened yet for the message, and without a claim
 * nothing ever will (Twilio sends nothing after its fallback request): the claim is worth the wait.
 */
export const CLAIM_RETRY: RetryPolicy = {
  attempts: 6,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  jitter: true,
  retryable: isTransientJournalError,
};

/** A claim's try is not started with less time left than this (one journal round trip, with room). */
export const CLAIM_MIN_ATTEMPT_MS = 300;

/**
 * Claims the run for `req.key` atomically, before any side effect: the claim is a create-only
 * write or a compare-and-set on the version read, never check-then-mark.
 *
 * A write whose outcome is unknown (a 5xx, an answer lost, a re-sent PUT meeting 412) is read
 * back: a running record leased to `req.owner` is this claim's own (the owner is unique per
 * execution), never a duplicate or a busy run.
 *
 * A claimed run is in the store's indexes before it is handed over: the sweeper finds the runs
 * it must finish by them, and a run it cannot see is finished only by a later delivery, which may
 * never come. The index writes go out beside the claim's write (no round trip added to the
 * claim), with the claim's retries; when they cannot be written, the claim fails as a journal
 * fault does and the run does nothing (docs/exactly-once.md, "Which write protects against which crash").
 */
export async function claimRun(journal: RunJournal, req: ClaimRequest): Promise<Claim> {
  const faults = claimFaults(req);
  const index = runIndex(journal);
  try {
    return await claim(journal, req, faults, index);
  } catch (error) {
    // A create whose answer was lost may have landed, or a claim landed whose index could not be
    // written: a run nobody runs now, which only the sweeper can finish, and the sweeper finds
    // runs by the store's index. One more try, in the background (the journal is failing; an
    // entry for a create that never landed names nothing of its own).
    const unindexed = index.unindexed() ?? (faults.createFailed() ? newRecord(req) : undefined);
    if (unindexed !== undefined) indexInBackground(journal, unindexed);
    throw error;
  }
}

async function claim(journal: RunJournal, req: ClaimRequest, faults: ClaimFaults, index: RunIndex): Promise<Claim> {
  const read = (): Promise<Versioned | undefined> => faults.call(() => journal.get(req.key));
  /** The run, in the indexes too: the index writes started beside the claim's write, tried again on the claim's budget. */
  const handOver = async (claim: Extract<Claim, { kind: 'run' }>): Promise<Claim> => {
    await faults.call(index.written(claim.claimed.record));
    return claim;
  };
  const created = newRecord(req);
  // A new message is the common case: the create-only write answers "new" or "exists" in one
  // round trip, with no read before it (a read first would cost a round trip on every message).
  let tryCreate = true;
  let attempted: 'new' | 'resume' | 'restart' = 'new';
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (tryCreate) {
      attempted = 'new';
      const creating = faults.create(journal.create(created));
      // Beside the create, not after it (the same round trip): a duplicate's entries are written
      // in vain (a by-time entry names the key's run, read once; a by-run entry for a run id
      // never created answers nothing).
      index.start(created);
      const claimed = await creating;
      if (claimed !== undefined) return handOver({ kind: 'run', mode: 'new', claimed });
      // someone created it first, or we did unseen: read it
    }
    const current = await read();
    tryCreate = current === undefined;
    if (current === undefined) continue;
    const { record } = current;
    if (!samePayload(record, req)) return { kind: 'mismatch', record };
    // Our own write whose answer was lost (or a re-sent copy met it as taken): it is ours.
    if (record.status === RUN_STATUS.running && record.lease?.owner === req.owner) {
      return handOver({ kind: 'run', mode: attempted, claimed: current });
    }

    const takeover = takeoverMode(record, req.now);
    if (takeover === 'busy') {
      // Not written down: the record belongs to its owner while the lease lives, and a burst of
      // duplicates must never make the owner lose compare-and-set rounds on its own checkpoints.
      // The answer (503) is logged and counted by the caller.
      // Its index is written again (the same two entries): an owner that gave up on them (the
      // journal failing) answered 503, and the run has nobody else to finish it but the sweeper,
      // which finds runs by that index (Twilio's fallback ends here).
      indexInBackground(journal, record);
      const retryAfterMs = Math.max(0, (record.lease?.expiresAt ?? req.now) - req.now);
      return { kind: 'busy', record, retryAfterMs };
    }
    if (takeover === 'finished') {
      await noteDuplicate(journal, current, req, 'duplicate');
      return { kind: 'finished', record };
    }
    attempted = takeover;
    const next = takeOver(record, req, takeover);
    const updating = faults.write(journal.update(next, current.version));
    // A run taken over may never have been indexed (its first owner gave up on its index).
    index.start(next);
    const updated = await updating;
    if (updated !== undefined) return handOver({ kind: 'run', mode: takeover, claimed: updated });
  }
  // Lost every round to concurrent writers: someone else is clearly on it.
  const latest = await read();
  if (latest === undefined) throw new Error(`run ${req.key}: claim kept losing and the record vanished`);
  return { kind: 'busy', record: latest.record, retryAfterMs: 1_000 };
}

/**
 * The claim's fault handling, one budget for all its calls: a read is tried again on a transient
 * fault (after the back-off); a write that failed so is read back (after the back-off): applied,
 * it is ours; not, the next round writes it again. Anything else, or the budget spent, is thrown.
 */
interface ClaimFaults {
  call<T>(fn: () => Promise<T>): Promise<T>;
  write(write: Promise<Versioned | undefined>): Promise<Versioned | undefined>;
  /** {@link ClaimFaults.write} for the claim's create, which it remembers failed. */
  create(write: Promise<Versioned | undefined>): Promise<Versioned | undefined>;
  /** Whether a create failed (it may have landed). */
  createFailed(): boolean;
}

/**
 * The index writes of the run a claim may own: started beside the claim's write, once per run
 * (the entries' names depend on its key, run id and start only), tried again when awaited.
 */
interface RunIndex {
  /** Starts writing `record`'s entries, unless they are being written already. */
  start(record: RunRecord): void;
  /** A call that resolves once `record`'s entries are written: the first try's outcome, then new tries. */
  written(record: RunRecord): () => Promise<void>;
  /** The run whose index was wanted but not written, when the claim gave up on it. */
  unindexed(): RunRecord | undefined;
}

function runIndex(journal: RunJournal): RunIndex {
  let started: { id: string; first: Promise<void> | undefined } | undefined;
  let wanted: RunRecord | undefined;
  const idOf = (record: RunRecord): string => `${record.runId}@${record.startedAt}`;
  const write = (record: RunRecord): Promise<void> => journal.indexRun?.(record) ?? Promise.resolve();
  const start = (record: RunRecord): void => {
    if (journal.indexRun === undefined || started?.id === idOf(record)) return;
    const first = write(record);
    first.catch(() => undefined); // awaited only if the claim hands the run over
    started = { id: idOf(record), first };
  };
  return {
    start,
    written: (record) => {
      wanted = record;
      start(record);
      return async () => {
        const first = started?.first;
        if (started !== undefined) started.first = undefined; // its outcome is used once: a new try writes again
        await (first ?? write(record));
        wanted = undefined;
      };
    },
    unindexed: () => wanted,
  };
}

/** Best effort: a few tries, no one waits (the caller's answer does not depend on them). */
function indexInBackground(journal: RunJournal, record: RunRecord): void {
  const indexRun = journal.indexRun?.bind(journal);
  if (indexRun !== undefined) withRetries(() => indexRun(record), 2).catch(() => undefined);
}

function claimFaults(req: ClaimRequest): ClaimFaults {
  // Without a retry budget: one transient fault tolerated, read back at once (a one-off claim).
  const budget =
    req.retry === undefined
      ? new RetryBudget({ ...CLAIM_RETRY, attempts: 2, baseDelayMs: 0 })
      : new RetryBudget(
          { ...CLAIM_RETRY, until: req.retry.until, minAttemptMs: CLAIM_MIN_ATTEMPT_MS },
          req.retry.clock,
        );
  let createFailed = false;
  const write = (written: Promise<Versioned | undefined>, onFailure?: () => void) =>
    budget.answered(written).catch(async (error: unknown) => {
      onFailure?.();
      await budget.afterFailure(error);
      return undefined;
    });
  return {
    call: (fn) => budget.call(fn),
    write: (written) => write(written),
    create: (written) =>
      write(written, () => {
        createFailed = true;
      }),
    createFailed: () => createFailed,
  };
}

/** The same message: the stored hash matches, or the stored payload hashes the same under today's rule. */
function samePayload(record: RunRecord, req: ClaimRequest): boolean {
  return (
    record.payloadHash === req.payloadHash ||
    (req.hashOf !== undefined && req.hashOf(record.payload) === req.payloadHash)
  );
}

function takeoverMode(record: RunRecord, now: number): 'busy' | 'finished' | 'resume' | 'restart' {
  switch (record.status) {
    case RUN_STATUS.running:
      return record.lease !== undefined && record.lease.expiresAt > now ? 'busy' : 'resume';
    case RUN_STATUS.queued:
      return 'restart';
    case RUN_STATUS.failed:
      return isRetryableFailure(record) ? 'restart' : 'finished';
    case RUN_STATUS.succeeded:
      return 'finished';
  }
}

/** A failure worth running again on redelivery: the last error may pass, and nothing is left half-undone. */
export function isRetryableFailure(record: RunRecord): boolean {
  return record.status === RUN_STATUS.failed && record.error?.retryable === true && record.compensation !== 'failed';
}

/**
 * The leading steps whose outputs still stand: succeeded or skipped, and not undone by a
 * compensation. A restart keeps them and redoes everything after.
 */
export function standingSteps(steps: readonly StepEntry[]): StepEntry[] {
  const kept: StepEntry[] = [];
  for (const step of steps) {
    if ((step.outcome !== 'succeeded' && step.outcome !== 'skipped') || step.compensated !== undefined) break;
    kept.push(step);
  }
  return kept;
}

function newRecord(req: ClaimRequest): RunRecord {
  return {
    schema: 1,
    key: req.key,
    runId: req.runId,
    workflow: req.workflow,
    provider: req.provider,
    messageId: req.messageId,
    ...(req.idempotencyToken === undefined ? {} : { idempotencyToken: req.idempotencyToken }),
    payloadHash: req.payloadHash,
    payload: req.payload,
    status: RUN_STATUS.running,
    lease: { owner: req.owner, expiresAt: req.leaseExpiresAt },
    executions: 1,
    duplicates: 0,
    steps: [],
    ...(req.traceId === undefined ? {} : { traceId: req.traceId }),
    startedAt: req.now,
    updatedAt: req.now,
    history: [{ at: req.now, event: 'claimed', owner: req.owner, ...traceOf(req) }],
  };
}

/**
 * A crashed execution may have had a write in flight until its lease ended: that is when it
 * abandoned it, at the latest.
 */
function abandonedBy(record: RunRecord, mode: 'resume' | 'restart'): { abandonedAt?: number } {
  const times = [record.abandonedAt, mode === 'resume' ? record.lease?.expiresAt : undefined].filter(
    (t): t is number => t !== undefined,
  );
  return times.length === 0 ? {} : { abandonedAt: Math.max(...times) };
}

function takeOver(record: RunRecord, req: ClaimRequest, mode: 'resume' | 'restart'): RunRecord {
  const detail =
    mode === 'resume'
      ? `lease of ${record.lease?.owner ?? 'nobody'} expired`
      : record.status === RUN_STATUS.queued
        ? 'redrive'
        : `after ${record.error?.type ?? 'failure'}`;
  const {
    answer: _answer,
    error: _error,
    failedStep: _failedStep,
    compensation: _compensation,
    finishedAt: _finishedAt,
    ...rest
  } = record;
  return {
    ...(mode === 'resume' ? record : rest),
    status: RUN_STATUS.running,
    lease: { owner: req.owner, expiresAt: req.leaseExpiresAt },
    executions: record.executions + 1,
    steps: mode === 'resume' ? record.steps : standingSteps(record.steps),
    ...abandonedBy(record, mode),
    ...(req.traceId === undefined ? {} : { traceId: req.traceId }),
    updatedAt: req.now,
    // Each execution's trace stays on its history entry: `traceId` above is only the latest.
    history: withHistory(record, {
      at: req.now,
      event: mode === 'resume' ? 'resumed' : 'restarted',
      owner: req.owner,
      detail,
      ...traceOf(req),
    }),
  };
}

/** Best effort, on a finished run only (no owner to compete with): a lost race on the counter is not worth a retry. */
async function noteDuplicate(
  journal: RunJournal,
  current: Versioned,
  req: ClaimRequest,
  event: 'duplicate',
): Promise<void> {
  const { record } = current;
  try {
    await journal.update(
      {
        ...record,
        duplicates: record.duplicates + 1,
        updatedAt: req.now,
        history: withHistory(record, { at: req.now, event, owner: req.owner }),
      },
      current.version,
    );
  } catch {
    // The answer does not depend on the counter.
  }
}

function traceOf(req: ClaimRequest): { traceId?: string; spanId?: string } {
  return {
    ...(req.traceId === undefined ? {} : { traceId: req.traceId }),
    ...(req.spanId === undefined ? {} : { spanId: req.spanId }),
  };
}
