import { JournalError } from '../journal/index.js';
import { parseCommand, USAGE, UsageError } from './args.js';
import { findRun, formatList, listRuns } from './list-runs.js';
import { openCliJournal } from './open-cli-journal.js';
import { RedriveRefused, redriveRun } from './redrive-run.js';
import type { RunJournal } from '../journal/index.js';
import type { Command } from './args.js';
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
        const listing = await listRuns(journal, {
          limit: command.limit,
          scan: command.scan,
          ...(command.status ? { status: command.status } : {}),
          ...(command.since !== undefined ? { since: command.since } : {}),
          ...(command.step ? { step: command.step } : {}),
          ...(command.compensation ? { compensation: command.compensation } : {}),
        });
        io.out(command.json ? JSON.stringify(listing.views, null, 2) : formatList(listing.views));
        if (command.since === undefined && !command.json)
          io.err(`(runs started since ${new Date(listing.since).toISOString()}; --since 7d for more)`);
        if (listing.unreadable.length > 0) {
          io.err(
            `warning: partial listing: ${listing.unreadable.length} run${listing.unreadable.length === 1 ? '' : 's'} in the window could not be read: ${listing.unreadable
              .slice(0, 3)
              .map((u) => `${u.name} (${u.error})`)
              .join('; ')}${listing.unreadable.length > 3 ? '; …' : ''}`,
          );
        }
        return 0;
      }
      case 'show': {
        const record = await findRun(journal, command.id, { scan: command.scan });
        if (record === undefined) {
          io.err(
            `no run ${command.id} in ${journal.description}${command.scan || journal.getByRunId === undefined ? '' : ' (a run written before the run-id index: add --scan)'}`,
          );
          return 1;
        }
        io.out(
          command.json
            ? JSON.stringify({ ...record, payload: undefined, summary: runView(record) }, null, 2)
            : formatShow(record, Date.now(), showContext(io.env, command.journal)),
        );
        return 0;
      }
      case 'redrive': {
        const outcome = await redriveRun(journal, command.id, {
          queueOnly: command.queueOnly,
          force: command.force,
          env: io.env,
        });
        if (command.json)
          io.out(JSON.stringify({ runId: outcome.runId, outcome: outcome.outcome, answer: outcome.answer }, null, 2));
        else if (outcome.outcome === 'queued')
          io.out(`run ${outcome.runId} queued: the next delivery of its message runs it from the first step to redo`);
        else
          io.out(
            `run ${outcome.runId} redriven: ${outcome.outcome}\n\n${outcome.record ? formatShow(outcome.record) : ''}`.trimEnd(),
          );
        return outcome.outcome === 'failed' ? 1 : 0;
      }
      case 'redrive-all':
        return await redriveAll(journal, command, io);
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

/**
 * Every failed run (since, at a step), one line each: redriven (and how it ended), or skipped and
 * why. Runs one at a time, so B2C Service is not hit by a burst. Safe to run twice: a run redriven
 * into success is no longer failed, one under a live lease is skipped, and each redrive reconciles.
 */
async function redriveAll(
  journal: RunJournal,
  command: Extract<Command, { command: 'redrive-all' }>,
  io: CliIo,
): Promise<number> {
  const { views, unreadable } = await listRuns(journal, {
    limit: 100_000,
    status: 'failed',
    ...(command.since !== undefined ? { since: command.since } : {}),
    ...(command.step ? { step: command.step } : {}),
  });
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
        ...(outcome.outcome === 'failed'
          ? { detail: String(outcome.answer?.body.error && (outcome.answer.body.error as { type?: unknown }).type) }
          : {}),
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
