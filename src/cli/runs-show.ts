import { JOURNAL_OPTION, JSON_OPTION, type CliCommand } from './command.js';
import { findRun } from './list-runs.js';
import { openCliJournal } from './open-cli-journal.js';
import { runView } from './run-view.js';
import { formatShow, type ShowContext } from './show-run.js';
import { flag, stringValue } from './values.js';

export const runsShow: CliCommand = {
  name: ['runs', 'show'],
  summary: "one run's timeline: steps, attempts, errors, trace id, B2C ids, what its undo did",
  positionals: [
    {
      name: '<runId|messageId>',
      required: true,
      help: 'a run id (or a unique start of one, 6 characters or more), a message id, or a key <provider>:<messageId>',
    },
  ],
  options: {
    scan: { type: 'boolean', help: 'read every record (runs written before the run-id index; slow)' },
    journal: JOURNAL_OPTION,
    json: JSON_OPTION,
  },
  details:
    'With SMS_INCIDENT_TRACE_URL set (e.g. an APM trace-explorer URL with {traceId} in it), each trace id is printed with its link.',
  async run({ values, positionals }, io) {
    const id = positionals[0] ?? '';
    const journalFlag = stringValue(values, 'journal');
    const { journal } = openCliJournal(journalFlag, io.env);
    const scan = flag(values, 'scan');
    const record = await findRun(journal, id, { scan });
    if (record === undefined) {
      io.err(
        `no run ${id} in ${journal.description}${scan || journal.getByRunId === undefined ? '' : ' (a run written before the run-id index: add --scan)'}`,
      );
      return 1;
    }
    io.out(
      flag(values, 'json')
        ? JSON.stringify({ ...record, payload: undefined, summary: runView(record) }, null, 2)
        : formatShow(record, Date.now(), showContext(io.env, journalFlag)),
    );
    return 0;
  },
};

/** What `show` can say beyond the record: the site for clean-up commands, an APM link, the journal. */
function showContext(env: Record<string, string | undefined>, journal: string | undefined): ShowContext {
  const host = env.b2cservice_hostname?.trim();
  const origin = host ? (/^https?:\/\//i.test(host) ? host.replace(/\/+$/, '') : `https://${host}`) : undefined;
  return {
    ...(origin ? { site: `${origin}/services/rest/connect/${env.b2cservice_api_version ?? 'v1.4'}` } : {}),
    ...(env.SMS_INCIDENT_TRACE_URL?.includes('{traceId}') ? { traceUrl: env.SMS_INCIDENT_TRACE_URL } : {}),
    ...(journal ? { journal } : {}),
  };
}
