import type { RunJournal, RunRecord, RunStatus } from '../journal/index.js';
import { duration, table, time } from './format.js';
import { runView, type RunView } from './run-view.js';

export interface ListFilter {
  readonly status?: RunStatus;
  readonly since?: number;
  readonly step?: string;
  readonly compensation?: 'none' | 'completed' | 'failed';
  readonly limit: number;
}

export async function listRuns(journal: RunJournal, filter: ListFilter): Promise<RunView[]> {
  const records = await journal.list();
  return records
    .filter((r) => filter.status === undefined || r.status === filter.status)
    .filter((r) => filter.since === undefined || r.startedAt >= filter.since)
    .filter((r) => filter.compensation === undefined || (r.compensation ?? 'none') === filter.compensation)
    .map(runView)
    .filter((v) => filter.step === undefined || v.step === filter.step)
    .sort((a, b) => b.startedAt - a.startedAt)
    .slice(0, filter.limit);
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

/** Finds a run by run id, message id or idempotency key. */
export async function findRun(journal: RunJournal, id: string): Promise<RunRecord | undefined> {
  const records = await journal.list();
  return records.find((r) => r.runId === id) ?? records.find((r) => r.messageId === id) ?? records.find((r) => r.key === id);
}
