import { JOURNAL_OPTION, JSON_OPTION, UsageError, type CliCommand, type CliIo } from './command.js';
import { listRuns } from './list-runs.js';
import { journalLine, openCliJournal, type CliJournal } from './open-cli-journal.js';
import { RedriveRefused, redriveConfig, redriveRun, type RedriveOutcome } from './redrive-run.js';
import { runView } from './run-view.js';
import { STEP_NAMES } from './runs-list.js';
import { formatShow } from './show-run.js';
import { flag, oneOf, sinceValue, stringValue } from './values.js';

export const runsRedrive: CliCommand = {
  name: ['runs', 'redrive'],
  summary: 'start a failed run again from the first step that must be redone, here and now',
  positionals: [
    {
      name: '<runId>',
      required: false,
      help: 'the run (or a unique start of its id); or --status failed for every failed run',
    },
  ],
  options: {
    status: {
      type: 'string',
      value: 'failed',
      help: 'every failed run (the morning after an outage), one line per run:\nredriven, or skipped and why; safe to run twice',
    },
    since: {
      type: 'string',
      value: '<when>',
      help: 'with --status failed: runs started since (30m, 6h, 2d, ISO-8601; default 24h)',
    },
    step: {
      type: 'string',
      value: '<step>',
      help: `with --status failed: only runs that failed at this step:\n${STEP_NAMES.join(', ')}`,
    },
    'dry-run': { type: 'boolean', help: 'with --status failed: say what would be redriven, change nothing' },
    'queue-only': { type: 'boolean', help: 'only mark it: the next delivery of the message runs it' },
    force: { type: 'boolean', help: 'also when a compensation failed (clean up by hand first)' },
    journal: JOURNAL_OPTION,
    json: JSON_OPTION,
  },
  details:
    "A redrive runs the workflow here, through the function's own service: it needs the function's\nb2cservice_* settings in the environment (not with --queue-only).",
  async run({ values, positionals }, io) {
    const id = positionals[0];
    const status = oneOf(values, 'status', ['failed'], 'status to redrive');
    if (id !== undefined && status !== undefined) throw new UsageError('give a run id or --status failed, not both');
    if (id === undefined && status === undefined) throw new UsageError('redrive needs a run id, or --status failed');
    const options = { queueOnly: flag(values, 'queue-only'), force: flag(values, 'force'), json: flag(values, 'json') };
    if (id === undefined) {
      const bulk = {
        ...options,
        dryRun: flag(values, 'dry-run'),
        since: sinceValue(values, 'since', Date.now()),
        step: oneOf(values, 'step', STEP_NAMES, 'step'),
      };
      return redriveAll(openCliJournal(stringValue(values, 'journal'), io.env), bulk, io);
    }
    for (const only of ['since', 'step', 'dry-run'] as const) {
      if (values[only] !== undefined) throw new UsageError(`--${only} goes with --status failed, not with a run id`);
    }
    const { journal } = openCliJournal(stringValue(values, 'journal'), io.env);
    const outcome = await redriveRun(journal, id, { queueOnly: options.queueOnly, force: options.force, env: io.env });
    if (options.json)
      io.out(JSON.stringify({ runId: outcome.runId, outcome: outcome.outcome, answer: outcome.answer }, null, 2));
    else if (outcome.outcome === 'queued')
      io.out(`run ${outcome.runId} queued: the next delivery of its message runs it from the first step to redo`);
    else
      io.out(
        `run ${outcome.runId} redriven: ${outcome.outcome}\n\n${outcome.record ? formatShow(outcome.record) : ''}`.trimEnd(),
      );
    return outcome.outcome === 'failed' ? 1 : 0;
  },
};

interface BulkOptions {
  readonly since: number | undefined;
  readonly step: string | undefined;
  readonly dryRun: boolean;
  readonly queueOnly: boolean;
  readonly force: boolean;
  readonly json: boolean;
}

/**
 * Every failed run (since, at a step), one line each: redriven (and how it ended), or skipped and
 * why. Runs one at a time, so B2C Service is not hit by a burst. Safe to run twice: a run redriven
 * into success is no longer failed, one under a live lease is skipped, and each redrive reconciles.
 */
async function redriveAll(opened: CliJournal, command: BulkOptions, io: CliIo): Promise<number> {
  const { journal } = opened;
  // Say so once, before anything, rather than "would redrive" (or a skip per run) without the config a redrive needs.
  if (!command.queueOnly) redriveConfig(io.env);
  const { views, unreadable, since } = await listRuns(journal, {
    limit: 100_000,
    status: 'failed',
    ...(command.since !== undefined ? { since: command.since } : {}),
    ...(command.step ? { step: command.step } : {}),
  });
  io.err(`${journalLine(opened)}; failed runs started since ${new Date(since).toISOString()}`);
  const lines: { runId: string; message: string; outcome: string; detail?: string }[] = [];
  // A record the listing could not read may be a failed run too: say so rather than pass over it.
  for (const u of unreadable)
    lines.push({ runId: '-', message: u.name, outcome: 'skipped', detail: `unreadable: ${u.error}` });
  let failures = unreadable.length;
  for (const view of [...views].reverse()) {
    const message = `${view.provider}:${view.messageId}`;
    if (command.dryRun) {
      const skip =
        view.compensation === 'failed' && !command.force ? 'a compensation failed: clean up, then --force' : undefined;
      lines.push({
        runId: view.runId,
        message,
        outcome: skip ? 'would skip' : 'would redrive',
        detail: skip ?? `failed at ${view.step ?? '?'}: ${view.error?.type ?? '?'}`,
      });
      continue;
    }
    try {
      const outcome = await redriveRun(journal, view.runId, {
        queueOnly: command.queueOnly,
        force: command.force,
        env: io.env,
      });
      if (outcome.outcome === 'failed') failures++;
      lines.push({
        runId: view.runId,
        message,
        outcome: outcome.outcome === 'queued' ? 'queued' : `redriven: ${outcome.outcome}`,
        ...redriveDetail(outcome),
      });
    } catch (error) {
      if (!(error instanceof RedriveRefused)) throw error;
      lines.push({ runId: view.runId, message, outcome: 'skipped', detail: error.message });
    }
  }
  if (command.json) io.out(JSON.stringify(lines, null, 2));
  else
    io.out(
      lines.length === 0
        ? 'no failed runs to redrive'
        : lines.map((l) => `${l.runId}  ${l.message}  ${l.outcome}${l.detail ? `  (${l.detail})` : ''}`).join('\n'),
    );
  return failures > 0 ? 1 : 0;
}

/** What a redriven run came to: its incident, or the step and error it failed on again. */
function redriveDetail(outcome: RedriveOutcome): { detail?: string } {
  const view = outcome.record ? runView(outcome.record) : undefined;
  if (outcome.outcome === 'succeeded' && view?.incidentId !== undefined)
    return { detail: `incident ${view.incidentId}${view.referenceNumber ? ` ${view.referenceNumber}` : ''}` };
  if (outcome.outcome === 'failed') return { detail: `failed at ${view?.step ?? '?'}: ${view?.error?.type ?? '?'}` };
  return {};
}
