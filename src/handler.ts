import { randomUUID } from 'node:crypto';
import { rawResult, type Context, type FnResult } from '@fnproject/fdk';
import { createB2cClient } from './b2c/index.js';
import { ConfigError, b2cBaseUrl, loadConfig, type Config } from './config.js';
import { claimRun, journalFor, objectStorageOpener, payloadHash, runJournaled, type Claim, type StoredAnswer } from './journal/index.js';
import { InboundError, SignatureConfigError, TWIML_CONTENT_TYPE, receiveInbound, renderReply, twimlResponse, type ReceivedSms } from './inbound/index.js';
import { maskPhone } from './redact.js';
import { created, json, rejected, runFailed, type Answer } from './answers.js';
import { webhookRequest, type WebhookRequest } from './webhook-request.js';
import { smsToIncident } from '../workflows/sms-to-incident.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { activeTraceFields } from '../telemetry/invocation-log.js';
import { FunctionTelemetry, rejectionReason, type InvocationTelemetry } from '../telemetry/index.js';
import { VaultUnavailableError, functionVault, type Vault } from './oci/index.js';

/** func.yaml's default timeout: the budget when the agent sends no `Fn-Deadline`. */
const DEFAULT_TIMEOUT_MS = 30_000;

export interface HandlerOptions {
  /** Where config comes from. @default process.env */
  readonly env?: Record<string, string | undefined>;
  /** Injectable for in-process tests. */
  readonly fetch?: typeof fetch;
  readonly writeLog?: (line: string) => void;
}

/** Per invocation: its telemetry, and the container's Vault (undefined when no `*_ocid` key is set). */
interface Side {
  readonly inv: InvocationTelemetry;
  readonly vault: () => Vault | undefined;
}

/**
 * The function: webhook → parse → run the workflow → answer. It never throws to the fdk
 * (a throw becomes a bare 502) and never resolves to null (the fdk crashes on it).
 *
 * @example
 * ```ts
 * import { handle } from '@fnproject/fdk';
 * handle(createHandler(), { inputMode: 'buffer' });
 * ```
 */
export function createHandler(options: HandlerOptions = {}): (input: Buffer, ctx: Context) => Promise<FnResult> {
  warnIfUnsigned(options);
  // Per container (a warm container serves many invocations): telemetry clients, the secret cache.
  let telemetry: FunctionTelemetry | undefined;
  let vault: { value: Vault | undefined } | undefined;
  return async (input, ctx) => {
    const env = options.env ?? process.env;
    const request = webhookRequest(input, ctx);
    const containerVault = (): Vault | undefined => (vault ??= { value: functionVault(env, Number(env.oci_secret_ttl_seconds) || 600) }).value;
    telemetry ??= new FunctionTelemetry({ env, write: options.writeLog, apmDataKey: () => apmDataKey(env, containerVault) });
    const inv = await telemetry.begin(request);
    const log = inv.log;
    const side: Side = { inv, vault: containerVault };
    let answer: Answer = rejected(500, 'internal error');
    try {
      answer = await inv.within(() => handle(request, env, log, options, side));
    } catch (error) {
      log.error('unexpected error', { errorType: error instanceof Error ? error.name : typeof error, error: error instanceof Error ? error.message : undefined });
      answer = rejected(500, 'internal error');
    } finally {
      // Every exit path: metrics, logs and spans leave before the answer, within a bounded budget.
      await inv.end(answer.status);
    }
    return reply(ctx, answer);
  };
}

/** Status and headers go to the client through the gateway context; the body is written as is. */
function reply(ctx: Context, answer: Answer): FnResult {
  ctx.httpGateway.statusCode = answer.status;
  ctx.responseContentType = answer.contentType;
  for (const [name, value] of Object.entries(answer.headers ?? {})) ctx.httpGateway.setResponseHeader(name, value);
  return rawResult(answer.body);
}

async function handle(request: WebhookRequest, rawEnv: Record<string, string | undefined>, log: Logger, options: HandlerOptions, side: Side): Promise<Answer> {
  let env = rawEnv;
  try {
    env = await withVaultSecrets(rawEnv, request, log, side);
  } catch (error) {
    if (!(error instanceof VaultUnavailableError)) throw error;
    log.error('secrets unavailable', { error: error.message });
    return json(503, { message: 'function secrets unavailable, retry later', retryable: true }, { 'Retry-After': '5' });
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.error('configuration error', { problems: error.problems.map((p) => `${p.key} ${p.problem}`).join('; ') });
    return json(500, { message: 'function configuration error', problems: error.problems });
  }

  let received: ReceivedSms;
  try {
    received = receiveInbound(request, config);
  } catch (error) {
    if (error instanceof SignatureConfigError) {
      log.error('configuration error', { problems: error.problems.map((p) => `${p.key} ${p.problem}`).join('; ') });
      return json(500, { message: 'function configuration error', problems: error.problems });
    }
    if (!(error instanceof InboundError)) throw error;
    log.warn('webhook rejected', { status: error.status, reason: error.message, bytes: request.body.length });
    side.inv.rejected(rejectionReason(error.status));
    return rejected(error.status, error.message, error.field);
  }
  const { sms } = received;
  const answer = await run(request, config, sms, log, options, side);
  return inDialect(answer, received, config.reply_template);
}

async function run(request: WebhookRequest, config: Config, sms: ReceivedSms['sms'], log: Logger, options: HandlerOptions, side: Side): Promise<Answer> {
  side.inv.accepted(sms);
  const deadline = request.deadline ?? Date.now() + DEFAULT_TIMEOUT_MS;
  const journal = journalFor(config.run_journal, objectStorageOpener({ env: options.env ?? process.env, ...(config.oci_objectstorage_endpoint ? { endpoint: config.oci_objectstorage_endpoint } : {}) }));
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
    return json(503, { message: 'run journal unavailable, retry later', retryable: true }, { 'Retry-After': '5' });
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
    // A 401 may mean the password was rotated in Vault: forget the cached secrets so the
    // provider's retry of this webhook reads the new ones.
    fetch: side.inv.fetch(options.fetch, () => side.vault()?.invalidate()),
  });
  const outcome = await runJournaled({
    journal,
    claimed: claim.claimed,
    owner,
    workflow: smsToIncident(b2c, config.b2cservice_incident_sms_field === undefined ? {} : { incidentSmsField: config.b2cservice_incident_sms_field }),
    initialState: { sms, runStartedAt: record.startedAt, recovering: claim.mode !== 'new' },
    options: { deadline, hooks: side.inv.runHooks(runLog) },
    answer: (result) => storedAnswer(result.status === 'succeeded' ? created(result) : runFailed(result)),
  });
  if (!outcome.saved) {
    const why = outcome.saveError instanceof Error ? outcome.saveError.message : outcome.saveError === undefined ? 'another execution owns the run now' : String(outcome.saveError);
    runLog.warn('run outcome not saved in the journal', { journal: journal.description, error: why });
  }
  return json(outcome.answer.status, outcome.answer.body);
}

/** Duplicates and conflicts: answered from the journal, with no call to B2C Service. */
function answerUnclaimed(claim: Exclude<Claim, { kind: 'run' }>, log: Logger): Answer {
  const { record } = claim;
  switch (claim.kind) {
    case 'finished':
      log.info('duplicate webhook', { metric: 'DuplicateWebhook', runId: record.runId, status: record.status, duplicates: record.duplicates + 1 });
      return record.answer === undefined
        ? json(200, { message: 'already processed', runId: record.runId })
        : json(record.answer.status, record.answer.body, { 'Idempotent-Replayed': 'true' });
    case 'busy': {
      const seconds = Math.max(1, Math.ceil(claim.retryAfterMs / 1000));
      log.info('duplicate webhook while the run is in progress', { metric: 'DuplicateWebhook', runId: record.runId, retryAfterS: seconds });
      return json(503, { message: 'this message is being processed; retry later', runId: record.runId, retryable: true }, { 'Retry-After': String(seconds) });
    }
    case 'mismatch':
      log.warn('message id reused with another payload', { runId: record.runId });
      return json(409, { message: 'a different message was already received with this provider message id', runId: record.runId, retryable: false });
  }
}

/**
 * Twilio's Messaging webhook gets TwiML for a 2xx (JSON there is Twilio error 12300), with the
 * `reply_template` auto-reply once the incident exists; errors stay JSON for Twilio's debugger.
 */
function inDialect(answer: Answer, received: ReceivedSms, replyTemplate: string | undefined): Answer {
  if (received.dialect !== 'twiml' || answer.status < 200 || answer.status > 299) return answer;
  const body = JSON.parse(answer.body) as { referenceNumber?: unknown; incidentId?: unknown };
  const reply =
    replyTemplate === undefined || body.referenceNumber === undefined
      ? undefined
      : renderReply(replyTemplate, { referenceNumber: String(body.referenceNumber), incidentId: String(body.incidentId) });
  return { status: answer.status, contentType: TWIML_CONTENT_TYPE, body: twimlResponse(reply), ...(answer.headers ? { headers: answer.headers } : {}) };
}

/** `webhook_signature=off` is for a gateway that authenticates callers itself: say so once, at start. */
function warnIfUnsigned(options: HandlerOptions): void {
  const env = options.env ?? process.env;
  if (env.webhook_signature !== 'off') return;
  createLogger({ level: logLevel(env), write: options.writeLog }, {}).warn(
    'webhook signatures are off (webhook_signature=off): every caller that reaches the function is trusted; use it only behind a gateway that authenticates',
  );
}

/** The trace this execution runs in, kept on the run record for `runs show`. */
function traceIdOf(fields: Record<string, unknown>): { traceId?: string } {
  return typeof fields.traceId === 'string' ? { traceId: fields.traceId } : {};
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

/** `env` with `*_ocid` secrets from Vault, within a slice of the deadline; plain values are the fallback. */
async function withVaultSecrets(env: Record<string, string | undefined>, request: WebhookRequest, log: Logger, side: Side): Promise<Record<string, string | undefined>> {
  let vault: Vault | undefined;
  try {
    vault = side.vault();
  } catch (error) {
    throw new VaultUnavailableError(error instanceof Error ? error.message : String(error));
  }
  if (!vault) return env;
  const remaining = (request.deadline ?? Date.now() + DEFAULT_TIMEOUT_MS) - Date.now();
  const { env: resolved, fallbacks } = await vault.resolve(env, Math.max(200, Math.min(2_000, remaining / 4)));
  if (fallbacks.length > 0) log.warn('Vault unavailable: using plain config values', { keys: fallbacks.join(' ') });
  return resolved;
}

/** The APM data key from Vault, for the trace exporter (read once per container). */
async function apmDataKey(env: Record<string, string | undefined>, containerVault: () => Vault | undefined): Promise<string | undefined> {
  if (!env.oci_apm_data_key_ocid) return env.oci_apm_data_key;
  // Read apart from the run's secrets: without it traces are off, the webhook is unaffected.
  const v = containerVault();
  return v ? v.secret(env.oci_apm_data_key_ocid, 1_500).catch(() => env.oci_apm_data_key) : env.oci_apm_data_key;
}

function logLevel(env: Record<string, string | undefined>): 'debug' | 'info' | 'warn' | 'error' {
  const level = env.log_level;
  return level === 'debug' || level === 'warn' || level === 'error' ? level : 'info';
}
