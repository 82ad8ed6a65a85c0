import { randomUUID } from 'node:crypto';
import { createB2cClient } from '../b2c/index.js';
import { b2cBaseUrl, type Config } from '../config.js';
import { claimRun, journalFor, objectStorageOpener, payloadHash, runJournaled, type Claim, type StoredAnswer } from '../journal/index.js';
import type { InboundSms } from '../inbound/index.js';
import type { Vault } from '../oci/index.js';
import { maskPhone } from '../log/redact.js';
import { created, json, runFailed, type Answer } from './answers.js';
import type { AnswerOutcome } from '../../telemetry/answer-fault.js';
import { deadlineOf, type WebhookRequest } from './webhook-request.js';
import { smsToIncident } from '../../workflows/sms-to-incident.js';
import type { Logger } from '../log/logger.js';
import { activeTraceFields } from '../../telemetry/invocation-log.js';
import type { InvocationTelemetry } from '../../telemetry/index.js';

/**
 * One accepted SMS, exactly once: claim its run in the journal before any side effect, answer
 * duplicates and conflicts from the journal, otherwise run (or resume) the workflow and keep
 * each step's outcome and the final answer in the journal.
 */

/** What the run needs from its invocation: telemetry, the container's Vault, the raw env and fetch. */
export interface RunSide {
  readonly inv: InvocationTelemetry;
  readonly vault: () => Vault | undefined;
  readonly env: Record<string, string | undefined>;
  readonly fetch: typeof fetch | undefined;
}

export async function runWebhook(request: WebhookRequest, config: Config, sms: InboundSms, log: Logger, side: RunSide): Promise<Answer> {
  side.inv.accepted(sms);
  const deadline = deadlineOf(request);
  const journal = journalFor(config.run_journal, objectStorageOpener({ env: side.env, ...(config.oci_objectstorage_endpoint ? { endpoint: config.oci_objectstorage_endpoint } : {}) }));
  if (config.run_journal.kind === 'memory') warnMemoryJournalOnce(log);
  const key = `${sms.provider}:${sms.messageId}`;
  const owner = `${request.callId ?? 'call'}/${randomUUID()}`;
  const idempotencyToken = request.header('I-Twilio-Idempotency-Token') ?? undefined;
  const keyLog = log.child({ provider: sms.provider, messageId: sms.messageId, from: maskPhone(sms.from) });

  // Claim before any side effect: one execution owns the run, the others are answered from the journal.
  let claim: Claim;
  try {
    claim = await claimRun(journal, {
      key,
      runId: randomUUID(),
      workflow: 'sms-to-incident',
      provider: sms.provider,
      messageId: sms.messageId,
      ...(idempotencyToken === null || idempotencyToken === undefined ? {} : { idempotencyToken: idempotencyToken.slice(0, 200) }),
      payloadHash: payloadHash(sms),
      payload: sms,
      owner,
      now: Date.now(),
      leaseExpiresAt: deadline + config.run_journal_lease_margin_ms,
      ...traceIdOf(activeTraceFields()),
    });
  } catch (error) {
    // Fail closed: without a claim, running could duplicate an incident.
    keyLog.error('run journal unavailable', { journal: journal.description, errorType: error instanceof Error ? error.name : typeof error, error: error instanceof Error ? error.message : undefined });
    return json(503, { message: 'run journal unavailable, retry later', retryable: true }, { 'Retry-After': '5' }, 'journal_unavailable');
  }
  if (claim.kind !== 'run') {
    if (claim.kind !== 'mismatch') side.inv.duplicate();
    return answerUnclaimed(claim, keyLog);
  }

  const { record } = claim.claimed;
  const runLog = keyLog.child({ runId: record.runId });
  runLog.info(claim.mode === 'new' ? 'webhook accepted' : `run ${claim.mode === 'resume' ? 'resumed' : 'restarted'}`, {
    signature: config.webhook_signature === 'off' ? 'off' : 'verified',
    textLength: sms.text.length,
    media: sms.media.length,
    execution: record.executions,
    ...(claim.mode === 'new' ? {} : { doneSteps: record.steps.map((s) => s.name).join(' ') }),
  });

  const b2c = createB2cClient({
    baseUrl: b2cBaseUrl(config),
    username: config.b2cservice_username,
    password: config.b2cservice_password,
    appContext: config.b2cservice_app_context,
    phoneType: config.b2cservice_phone_type,
    threadEntryType: config.b2cservice_thread_entry_type,
    phoneMatch: config.b2cservice_phone_match,
    // A 401 may mean the password was rotated in Vault: forget the cached secrets so the
    // provider's retry of this webhook reads the new ones.
    fetch: side.inv.fetch(side.fetch, () => side.vault()?.invalidate()),
  });
  const outcome = await runJournaled({
    journal,
    claimed: claim.claimed,
    owner,
    workflow: smsToIncident(b2c, {
      lateWriteWindowMs: config.b2cservice_late_write_window_ms,
      ...(config.b2cservice_incident_sms_field === undefined ? {} : { incidentSmsField: config.b2cservice_incident_sms_field }),
    }),
    initialState: {
      sms,
      runStartedAt: record.startedAt,
      recovering: claim.mode !== 'new',
      ...(record.abandonedAt === undefined ? {} : { abandonedAt: record.abandonedAt }),
    },
    options: { deadline, hooks: side.inv.runHooks(runLog) },
    answer: (result) => storedAnswer(result.status === 'succeeded' ? created(result) : runFailed(result)),
  });
  if (!outcome.saved) {
    const why = outcome.saveError instanceof Error ? outcome.saveError.message : outcome.saveError === undefined ? 'another execution owns the run now' : String(outcome.saveError);
    runLog.warn('run outcome not saved in the journal', { journal: journal.description, error: why });
  }
  return json(outcome.answer.status, outcome.answer.body, undefined, answerOutcome(outcome.answer.status));
}

/** Duplicates and conflicts: answered from the journal, with no call to B2C Service. */
function answerUnclaimed(claim: Exclude<Claim, { kind: 'run' }>, log: Logger): Answer {
  const { record } = claim;
  switch (claim.kind) {
    case 'finished':
      log.info('duplicate webhook', { metric: 'DuplicateWebhook', runId: record.runId, status: record.status, duplicates: record.duplicates + 1 });
      return record.answer === undefined
        ? json(200, { message: 'already processed', runId: record.runId }, undefined, 'replayed')
        : json(record.answer.status, record.answer.body, { 'Idempotent-Replayed': 'true' }, 'replayed');
    case 'busy': {
      const seconds = Math.max(1, Math.ceil(claim.retryAfterMs / 1000));
      log.info('duplicate webhook while the run is in progress', { metric: 'DuplicateWebhook', runId: record.runId, retryAfterS: seconds });
      return json(503, { message: 'this message is being processed; retry later', runId: record.runId, retryable: true }, { 'Retry-After': String(seconds) }, 'in_progress');
    }
    case 'mismatch':
      log.warn('message id reused with another payload', { runId: record.runId });
      return json(409, { message: 'a different message was already received with this provider message id', runId: record.runId, retryable: false }, undefined, 'conflict');
  }
}

/** The trace this execution runs in, kept on the run record for `runs show`. */
function traceIdOf(fields: Record<string, unknown>): { traceId?: string } {
  return typeof fields.traceId === 'string' ? { traceId: fields.traceId } : {};
}

/** A run's own answer: created, or failed (502) / out of time (504). */
function answerOutcome(status: number): AnswerOutcome {
  if (status >= 200 && status < 300) return 'created';
  return status === 504 ? 'run_timeout' : 'run_failed';
}

function storedAnswer(answer: Answer): StoredAnswer {
  return { status: answer.status, body: JSON.parse(answer.body) as Record<string, unknown> };
}

let memoryWarned = false;
function warnMemoryJournalOnce(log: Logger): void {
  if (memoryWarned) return;
  memoryWarned = true;
  log.warn('run journal is in memory: duplicates are caught within this container only; set run_journal to file:<dir> or oci-os://<namespace>/<bucket>');
}
