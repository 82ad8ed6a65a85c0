import { auditNow, formatAudit } from './audit-command.js';
import { JOURNAL_OPTION, JSON_OPTION, type CliCommand } from './command.js';
import { openCliJournal } from './open-cli-journal.js';
import { flag, sinceValue, stringValue } from './values.js';

export const runsAudit: CliCommand = {
  name: ['runs', 'audit'],
  summary:
    'read B2C Service for the runs of a window: duplicates, note-less incidents, second notes, phoneless contacts',
  options: {
    since: { type: 'string', value: '<when>', help: 'runs started since (30m, 6h, 2d, ISO-8601; default 24h)' },
    fix: { type: 'boolean', help: "resolve what is provably the function's (finished runs only); safe to run twice" },
    journal: JOURNAL_OPTION,
    json: JSON_OPTION,
  },
  details:
    "Reads with the reconcile's own look-ups; needs the function's b2cservice_* settings in the environment.\nExit 0 when nothing is left, 1 when findings remain or a run could not be read.",
  async run({ values }, io) {
    const since = sinceValue(values, 'since', Date.now());
    const { journal } = openCliJournal(stringValue(values, 'journal'), io.env);
    const report = await auditNow(journal, {
      env: io.env,
      fix: flag(values, 'fix'),
      ...(since === undefined ? {} : { since }),
    });
    io.out(flag(values, 'json') ? JSON.stringify(report, null, 2) : formatAudit(report));
    return report.errors.length > 0 || report.findings.some((f) => f.fixed === undefined) ? 1 : 0;
  },
};
