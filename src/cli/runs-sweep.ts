import { JOURNAL_OPTION, JSON_OPTION, type CliCommand } from './command.js';
import { openCliJournal } from './open-cli-journal.js';
import { formatSweep, sweepNow } from './sweep-command.js';
import { flag, stringValue } from './values.js';

export const runsSweep: CliCommand = {
  name: ['runs', 'sweep'],
  summary: 'what the scheduled sweeper does, here and now: finish the failed and cut-off runs that are due',
  options: {
    'dry-run': { type: 'boolean', help: 'say what is due, change nothing (no b2cservice_* settings needed)' },
    journal: JOURNAL_OPTION,
    json: JSON_OPTION,
  },
  details:
    "Runs that failed retryably, were queued or were cut off are run again through the function's own\nservice once their back-off has passed (sweep_backoff_initial_ms, doubled per execution, at most\nsweep_backoff_max_ms); those unfinished sweep_give_up_after_ms after they started are given up.\nSafe beside the scheduled sweeper. Needs the function's b2cservice_* settings in the environment.\nThe scheduled sweeper also runs the late-write watch (sweep_watch_ms); by hand, that is\n`sms-incident runs audit --since 1h --fix`.",
  async run({ values }, io) {
    const dryRun = flag(values, 'dry-run');
    const { journal } = openCliJournal(stringValue(values, 'journal'), io.env);
    const report = await sweepNow(journal, { env: io.env, dryRun });
    io.out(flag(values, 'json') ? JSON.stringify(report, null, 2) : formatSweep(report, dryRun));
    return report.runs.some((r) => r.outcome === 'failed' || r.outcome === 'gave_up') ? 1 : 0;
  },
};
