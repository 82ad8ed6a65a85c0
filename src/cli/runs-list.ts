import { RUN_STATUS } from '../journal/index.js';
import { STEP } from '../../workflows/sms-to-incident.js';
import { JOURNAL_OPTION, JSON_OPTION, type CliCommand } from './command.js';
import { formatList, listRuns } from './list-runs.js';
import { journalLine, openCliJournal } from './open-cli-journal.js';
import { flag, oneOf, sinceValue, stringValue, wholeNumber } from './values.js';

export const STEP_NAMES = Object.values(STEP);
export const RUN_STATUSES = Object.values(RUN_STATUS);
const COMPENSATIONS = ['none', 'completed', 'failed'] as const;

export const runsList: CliCommand = {
  name: ['runs', 'list'],
  summary: 'runs, newest first',
  options: {
    status: { type: 'string', value: '<status>', help: RUN_STATUSES.join(' | ') },
    since: { type: 'string', value: '<when>', help: '30m, 6h, 2d or an ISO-8601 time (default 24h)' },
    step: {
      type: 'string',
      value: '<step>',
      help: `runs that failed at (or are stuck before) this step:\n${STEP_NAMES.join(', ')}`,
    },
    compensation: {
      type: 'string',
      value: '<c>',
      help: 'none | completed | failed: failed lists what needs a hand in B2C',
    },
    limit: { type: 'string', value: '<n>', help: 'at most n rows (default 50)' },
    scan: { type: 'boolean', help: 'read every record, not the time index (runs written before it; slow)' },
    journal: JOURNAL_OPTION,
    json: JSON_OPTION,
  },
  async run({ values }, io) {
    const now = Date.now();
    const filter = {
      limit: wholeNumber(values, 'limit', { min: 1, max: 100_000 }, 50),
      scan: flag(values, 'scan'),
      status: oneOf(values, 'status', RUN_STATUSES, 'run status'),
      since: sinceValue(values, 'since', now),
      step: oneOf(values, 'step', STEP_NAMES, 'step'),
      compensation: oneOf(values, 'compensation', COMPENSATIONS, 'compensation outcome'),
    };
    const opened = openCliJournal(stringValue(values, 'journal'), io.env);
    const listing = await listRuns(
      opened.journal,
      {
        limit: filter.limit,
        scan: filter.scan,
        ...(filter.status ? { status: filter.status } : {}),
        ...(filter.since !== undefined ? { since: filter.since } : {}),
        ...(filter.step ? { step: filter.step } : {}),
        ...(filter.compensation ? { compensation: filter.compensation } : {}),
      },
      now,
    );
    const json = flag(values, 'json');
    // Which journal, and which window: an empty listing of the wrong journal must not look like "nothing failed".
    io.err(
      `${journalLine(opened)}; runs started since ${new Date(listing.since).toISOString()}${filter.since === undefined ? ' (--since 7d for more)' : ''}`,
    );
    io.out(json ? JSON.stringify(listing.views, null, 2) : formatList(listing.views));
    if (listing.unreadable.length > 0) {
      io.err(
        `warning: partial listing: ${listing.unreadable.length} run${listing.unreadable.length === 1 ? '' : 's'} in the window could not be read: ${listing.unreadable
          .slice(0, 3)
          .map((u) => `${u.name} (${u.error})`)
          .join('; ')}${listing.unreadable.length > 3 ? '; …' : ''}`,
      );
    }
    return 0;
  },
};
