import { JournalError } from '../journal/index.js';
import { parseCommand, USAGE, UsageError } from './args.js';
import { findRun, formatList, listRuns } from './list-runs.js';
import { openCliJournal } from './open-cli-journal.js';
import { RedriveRefused, redriveRun } from './redrive-run.js';
import { formatShow, type ShowContext } from './show-run.js';
import { runView } from './run-view.js';

export interface CliIo {
  readonly env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
}

/** `sms-incident runs …`; resolves to the exit code (0 ok, 1 failed or not found, 2 usage). */
export async function runsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const command = parseCommand(argv);
    if (command.command === 'help') {
      io.out(USAGE);
      return 0;
    }
    const journal = openCliJournal(command.journal, io.env);
    switch (command.command) {
      case 'list': {
        const listing = await listRuns(journal, { limit: command.limit, scan: command.scan, ...(command.status ? { status: command.status } : {}), ...(command.since !== undefined ? { since: command.since } : {}), ...(command.step ? { step: command.step } : {}), ...(command.compensation ? { compensation: command.compensation } : {}) });
        io.out(command.json ? JSON.stringify(listing.views, null, 2) : formatList(listing.views));
        if (command.since === undefined && !command.json) io.err(`(runs started since ${new Date(listing.since).toISOString()}; --since 7d for more)`);
        if (listing.unreadable.length > 0) {
          io.err(`warning: partial listing: ${listing.unreadable.length} run${listing.unreadable.length === 1 ? '' : 's'} in the window could not be read: ${listing.unreadable.slice(0, 3).map((u) => `${u.name} (${u.error})`).join('; ')}${listing.unreadable.length > 3 ? '; …' : ''}`);
        }
        return 0;
      }
      case 'show': {
        const record = await findRun(journal, command.id, { scan: command.scan });
        if (record === undefined) {
          io.err(`no run ${command.id} in ${journal.description}${command.scan || journal.getByRunId === undefined ? '' : ' (a run written before the run-id index: add --scan)'}`);
          return 1;
        }
        io.out(command.json ? JSON.stringify({ ...record, payload: undefined, summary: runView(record) }, null, 2) : formatShow(record, Date.now(), showContext(io.env, command.journal)));
        return 0;
      }
      case 'redrive': {
        const outcome = await redriveRun(journal, command.id, { queueOnly: command.queueOnly, force: command.force, env: io.env });
        if (command.json) io.out(JSON.stringify({ runId: outcome.runId, outcome: outcome.outcome, answer: outcome.answer }, null, 2));
        else if (outcome.outcome === 'queued') io.out(`run ${outcome.runId} queued: the next delivery of its message runs it from the first step to redo`);
        else io.out(`run ${outcome.runId} redriven: ${outcome.outcome}\n\n${outcome.record ? formatShow(outcome.record) : ''}`.trimEnd());
        return outcome.outcome === 'failed' ? 1 : 0;
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof RedriveRefused || error instanceof JournalError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
}

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
