import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { createB2cClient } from '../b2c/index.js';
import { ConfigSchema, b2cBaseUrl } from '../config.js';
import { created, runFailed } from '../function/answers.js';
import { InboundSmsSchema } from '../inbound/index.js';
import { claimRun, JournalError, RUN_STATUS, runJournaled, withHistory, type RunJournal, type RunRecord, type StoredAnswer } from '../journal/index.js';
import { smsToIncident } from '../../workflows/sms-to-incident.js';
import { findRun } from './list-runs.js';

/** What a redrive run from the CLI may take: generous, nobody is waiting on a webhook. */
const REDRIVE_BUDGET_MS = 60_000;

const B2cConfigSchema = ConfigSchema.pick({
  b2cservice_hostname: true,
  b2cservice_username: true,
  b2cservice_password: true,
  b2cservice_api_version: true,
  b2cservice_app_context: true,
  b2cservice_phone_type: true,
  b2cservice_thread_entry_type: true,
  b2cservice_phone_match: true,
  b2cservice_incident_sms_field: true,
});

export class RedriveRefused extends Error {
  override readonly name = 'RedriveRefused';
}

export interface RedriveOutcome {
  readonly runId: string;
  /** `queued`: marked for the next delivery; `succeeded`/`failed`: run here. */
  readonly outcome: 'queued' | 'succeeded' | 'failed';
  readonly answer?: StoredAnswer;
  readonly record?: RunRecord;
}

export async function redriveRun(journal: RunJournal, id: string, options: { queueOnly: boolean; force: boolean; env: Record<string, string | undefined>; now?: () => number }): Promise<RedriveOutcome> {
  const now = options.now ?? Date.now;
  const record = await findRun(journal, id);
  if (record === undefined) throw new RedriveRefused(`no run ${id} in ${journal.description}`);
  if (record.status === RUN_STATUS.succeeded) throw new RedriveRefused(`run ${record.runId} succeeded: nothing to redrive`);
  if (record.status === RUN_STATUS.running && record.lease !== undefined && record.lease.expiresAt > now()) {
    throw new RedriveRefused(`run ${record.runId} is in progress under ${record.lease.owner} for another ${Math.ceil((record.lease.expiresAt - now()) / 1000)} s`);
  }
  if (record.compensation === 'failed' && !options.force) {
    throw new RedriveRefused(`run ${record.runId}: a compensation failed, so what it created may still exist; check and clean up, then redrive with --force`);
  }
  // Validate everything before touching the record: a redrive that cannot run leaves it as it was.
  const b2c = options.queueOnly ? undefined : B2cConfigSchema.safeParse(options.env);
  if (b2c !== undefined && !b2c.success) {
    const keys = [...new Set(b2c.error.issues.map((i) => i.path.join('.')))].join(', ');
    throw new RedriveRefused(`redrive runs the workflow here and needs the function's B2C config in the environment (${keys}); or pass --queue-only`);
  }
  const sms = InboundSmsSchema.safeParse(record.payload);
  if (!sms.success) throw new RedriveRefused(`run ${record.runId}: its stored payload is not an SMS any more (${sms.error.issues[0]?.message ?? 'invalid'})`);

  const queued = await markQueued(journal, record, now());
  if (b2c === undefined) return { runId: record.runId, outcome: 'queued', record: queued };

  const config = b2c.data;
  const owner = `cli@${hostname()}/${randomUUID()}`;
  const deadline = now() + REDRIVE_BUDGET_MS;
  const claim = await claimRun(journal, {
    key: record.key, runId: record.runId, workflow: record.workflow, provider: record.provider, messageId: record.messageId,
    payloadHash: record.payloadHash, payload: record.payload, owner, now: now(), leaseExpiresAt: deadline + 10_000,
  });
  if (claim.kind !== 'run') return { runId: record.runId, outcome: 'queued', record: queued };

  const client = createB2cClient({
    baseUrl: b2cBaseUrl(config), username: config.b2cservice_username, password: config.b2cservice_password, appContext: config.b2cservice_app_context,
    phoneType: config.b2cservice_phone_type, threadEntryType: config.b2cservice_thread_entry_type, phoneMatch: config.b2cservice_phone_match,
  });
  const result = await runJournaled({
    journal,
    claimed: claim.claimed,
    owner,
    workflow: smsToIncident(client, config.b2cservice_incident_sms_field === undefined ? {} : { incidentSmsField: config.b2cservice_incident_sms_field }),
    initialState: { sms: sms.data, runStartedAt: record.startedAt, recovering: true },
    options: { deadline },
    answer: (r) => {
      const answer = r.status === 'succeeded' ? created(r) : runFailed(r);
      return { status: answer.status, body: JSON.parse(answer.body) as Record<string, unknown> };
    },
  });
  const after = await journal.get(record.key);
  return { runId: record.runId, outcome: result.result.status, answer: result.answer, ...(after ? { record: after.record } : {}) };
}

async function markQueued(journal: RunJournal, record: RunRecord, at: number): Promise<RunRecord> {
  for (let round = 0; round < 5; round++) {
    const current = await journal.get(record.key);
    if (current === undefined) throw new JournalError(`run ${record.runId} vanished`);
    const r = current.record;
    if (r.status === RUN_STATUS.succeeded) throw new RedriveRefused(`run ${r.runId} succeeded meanwhile`);
    const { lease: _lease, ...rest } = r;
    const next: RunRecord = { ...rest, status: RUN_STATUS.queued, updatedAt: at, history: withHistory(r, { at, event: 'redrive', owner: `cli@${hostname()}` }) };
    const updated = await journal.update(next, current.version);
    if (updated !== undefined) return updated.record;
  }
  throw new JournalError(`run ${record.runId} kept changing; try again`);
}
