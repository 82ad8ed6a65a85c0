/**
 * The local stack's `GET /runs`: the session's run journal, read as `sms-incident runs` reads it,
 * so a run redriven from the CLI shows as it is now. Each run carries its `runs show` screen.
 */
import { formatShow } from '../cli/show-run.js';
import { runView, type RunView } from '../cli/run-view.js';
import { JournalError, fileJournal, parseJournalLocation, type RunRecord } from '../journal/index.js';

export interface JournalRun extends RunView {
  readonly steps: readonly {
    readonly name: string;
    readonly outcome: string;
    readonly attempts: number;
    readonly durationMs: number;
    readonly undo?: string;
  }[];
  /** `sms-incident runs show <runId>`, line by line. */
  readonly show: readonly string[];
}

/** The newest runs of the `file:` journal at `location` (at most `limit`), newest first. */
export async function journalRuns(location: string, limit = 100): Promise<{ journal: string; runs: JournalRun[] }> {
  const parsed = parseJournalLocation(location);
  if (typeof parsed === 'string' || parsed.kind !== 'file')
    throw new JournalError(`the local stack reads a file: journal, not ${location}`);
  const journal = fileJournal(parsed.dir);
  const records = (await journal.list()).sort((a, b) => b.startedAt - a.startedAt).slice(0, limit);
  return { journal: journal.description, runs: records.map((record) => withSteps(runView(record), record)) };
}

function withSteps(view: RunView, record: RunRecord): JournalRun {
  return {
    ...view,
    steps: record.steps.map((s) => ({
      name: s.name,
      outcome: s.outcome,
      attempts: s.attempts.length,
      durationMs: s.durationMs,
      ...(s.compensated === undefined
        ? {}
        : { undo: s.compensated === 'failed' ? 'failed' : (s.undo?.effect ?? 'undone') }),
    })),
    show: formatShow(record).split('\n'),
  };
}
