import { hostname } from 'node:os';
import { ConfigError, loadConfig, type Config } from '../config.js';
import type { Answer } from '../function/answers.js';
import { assembleSmsService } from '../function/sms-service.js';
import { InboundSmsSchema } from '../inbound/index.js';
import { createLogger, LogLevel, type LogLevelName } from '../log/logger.js';
import { JournalError, RUN_STATUS, withHistory, type RunJournal, type RunRecord } from '../journal/index.js';
import { findRun } from './list-runs.js';

/** What a redrive run from the CLI may take: generous, nobody is waiting on a webhook. */
const REDRIVE_BUDGET_MS = 60_000;

export class RedriveRefused extends Error {
  override readonly name = 'RedriveRefused';
}

export interface RedriveOutcome {
  readonly runId: string;
  /** `queued`: marked for the next delivery; `succeeded`/`failed`: run here. */
  readonly outcome: 'queued' | 'succeeded' | 'failed';
  readonly answer?: Answer;
  readonly record?: RunRecord;
}

/**
 * Marks a failed run for a redrive and, unless `queueOnly`, runs it here and now through the
 * function's own service (the same claim, lease margin, workflow and answer as a delivery).
 */
export async function redriveRun(
  journal: RunJournal,
  id: string,
  options: {
    queueOnly: boolean;
    force: boolean;
    env: Record<string, string | undefined>;
    now?: () => number /** Where the run's log lines go. @default stderr */;
    log?: (line: string) => void;
  },
): Promise<RedriveOutcome> {
  const now = options.now ?? Date.now;
  const record = await findRun(journal, id);
  if (record === undefined) throw new RedriveRefused(`no run ${id} in ${journal.description}`);
  if (record.status === RUN_STATUS.succeeded)
    throw new RedriveRefused(`run ${record.runId} succeeded: nothing to redrive`);
  if (record.status === RUN_STATUS.running && record.lease !== undefined && record.lease.expiresAt > now()) {
    throw new RedriveRefused(
      `run ${record.runId} is in progress under ${record.lease.owner} for another ${Math.ceil((record.lease.expiresAt - now()) / 1000)} s`,
    );
  }
  if (record.compensation === 'failed' && !options.force) {
    throw new RedriveRefused(
      `run ${record.runId}: a compensation failed, so what it created may still exist; check and clean up, then redrive with --force`,
    );
  }
  // Validate everything before touching the record: a redrive that cannot run leaves it as it was.
  const config = options.queueOnly ? undefined : redriveConfig(options.env);
  const sms = InboundSmsSchema.safeParse(record.payload);
  if (!sms.success)
    throw new RedriveRefused(
      `run ${record.runId}: its stored payload is not an SMS any more (${sms.error.issues[0]?.message ?? 'invalid'})`,
    );

  const queued = await markQueued(journal, record, now());
  if (config === undefined) return { runId: record.runId, outcome: 'queued', record: queued };

  const service = assembleSmsService(config, { env: options.env, journal });
  // The run's log lines go to stderr: stdout is the command's answer (`--json` must stay JSON).
  // The screen reports each outcome: only warnings and errors are logged unless log_level asks for more.
  const level = Object.hasOwn(LogLevel, options.env.log_level ?? '') ? (options.env.log_level as LogLevelName) : 'warn';
  const log = createLogger({ level, write: options.log ?? ((line) => process.stderr.write(`${line}\n`)) });
  const answer = await service.accept(sms.data, {
    deadline: now() + REDRIVE_BUDGET_MS,
    caller: `cli@${hostname()}`,
    redrive: true,
    log,
  });
  const after = (await journal.get(record.key))?.record;
  const outcome =
    after?.status === RUN_STATUS.succeeded ? 'succeeded' : after?.status === RUN_STATUS.failed ? 'failed' : 'queued';
  return {
    runId: record.runId,
    outcome,
    ...(outcome === 'queued' ? {} : { answer }),
    ...(after ? { record: after } : {}),
  };
}

/** The function's config, which a redrive run here needs; refused, naming the missing keys, when it is not in `env`. */
export function redriveConfig(env: Record<string, string | undefined>): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const keys = [...new Set(error.problems.map((p) => p.key))].join(', ');
    throw new RedriveRefused(
      `a redrive runs the workflow here and needs the function's config in the environment (${keys}); or pass --queue-only`,
    );
  }
}

async function markQueued(journal: RunJournal, record: RunRecord, at: number): Promise<RunRecord> {
  for (let round = 0; round < 5; round++) {
    const current = await journal.get(record.key);
    if (current === undefined) throw new JournalError(`run ${record.runId} vanished`);
    const r = current.record;
    if (r.status === RUN_STATUS.succeeded) throw new RedriveRefused(`run ${r.runId} succeeded meanwhile`);
    const { lease: _lease, ...rest } = r;
    const next: RunRecord = {
      ...rest,
      status: RUN_STATUS.queued,
      updatedAt: at,
      history: withHistory(r, { at, event: 'redrive', owner: `cli@${hostname()}` }),
    };
    const updated = await journal.update(next, current.version);
    if (updated !== undefined) return updated.record;
  }
  throw new JournalError(`run ${record.runId} kept changing; try again`);
}
