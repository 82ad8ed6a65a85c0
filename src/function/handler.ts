import { rawResult, type Context, type FnResult } from '@fnproject/fdk';
import { ConfigError, loadConfig, sendsCredentialsInClear } from '../config.js';
import { InboundError, SignatureConfigError, receiveInbound, type ReceivedSms } from '../inbound/index.js';
// Not the oci/ barrel: it loads the OCI SDK, which only a Vault read needs.
import { VaultUnavailableError, functionVault, type Vault } from '../oci/vault.js';
import { inProviderDialect, json, rejected, type Answer } from './answers.js';
import { apmDataKey, withVaultSecrets } from './function-secrets.js';
import { runWebhook } from './run-webhook.js';
import { webhookRequest, type WebhookRequest } from './webhook-request.js';
import { createLogger, type Logger } from '../log/logger.js';
// Not the telemetry/ barrel: it holds the alarms CLI's OCI clients, which a webhook never needs.
import { FunctionTelemetry, type InvocationTelemetry } from '../../telemetry/function-telemetry.js';
import { rejectionReason } from '../../telemetry/rejection-reason.js';

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
  warnIfClearText(options);
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
      await inv.end(answer.status, answer.outcome);
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
    env = await withVaultSecrets(rawEnv, request, log, side.vault);
  } catch (error) {
    if (!(error instanceof VaultUnavailableError)) throw error;
    log.error('secrets unavailable', { error: error.message });
    return json(503, { message: 'function secrets unavailable, retry later', retryable: true }, { 'Retry-After': '5' }, 'secrets_unavailable');
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.error('configuration error', { problems: error.problems.map((p) => `${p.key} ${p.problem}`).join('; ') });
    return json(500, { message: 'function configuration error', problems: error.problems }, undefined, 'config_error');
  }

  let received: ReceivedSms;
  try {
    received = receiveInbound(request, config);
  } catch (error) {
    if (error instanceof SignatureConfigError) {
      log.error('configuration error', { problems: error.problems.map((p) => `${p.key} ${p.problem}`).join('; ') });
      return json(500, { message: 'function configuration error', problems: error.problems }, undefined, 'config_error');
    }
    if (!(error instanceof InboundError)) throw error;
    log.warn('webhook rejected', { status: error.status, reason: error.message, bytes: request.body.length });
    side.inv.rejected(rejectionReason(error.status));
    return rejected(error.status, error.message, error.field, error.allow === undefined ? undefined : { Allow: error.allow });
  }
  const answer = await runWebhook(request, config, received.sms, log, { ...side, env: rawEnv, fetch: options.fetch });
  return inProviderDialect(answer, received, config.reply_template);
}

/** `webhook_signature=off` is for a gateway that authenticates callers itself: say so once, at start. */
function warnIfUnsigned(options: HandlerOptions): void {
  const env = options.env ?? process.env;
  if (env.webhook_signature !== 'off') return;
  createLogger({ level: logLevel(env), write: options.writeLog }, {}).warn(
    'webhook signatures are off (webhook_signature=off): every caller that reaches the function is trusted; use it only behind a gateway that authenticates',
  );
}

/** `b2cservice_allow_http=true` with a non-loopback `http://` site: the password crosses the network readable; say so once, at start. */
function warnIfClearText(options: HandlerOptions): void {
  const env = options.env ?? process.env;
  if (env.b2cservice_allow_http !== 'true' || !sendsCredentialsInClear({ b2cservice_hostname: env.b2cservice_hostname ?? '' })) return;
  createLogger({ level: logLevel(env), write: options.writeLog }, {}).warn(
    'B2C Service is reached over plain http (b2cservice_allow_http=true): its Basic credentials cross the network in clear text; use https outside a private network',
  );
}

function logLevel(env: Record<string, string | undefined>): 'debug' | 'info' | 'warn' | 'error' {
  const level = env.log_level;
  return level === 'debug' || level === 'warn' || level === 'error' ? level : 'info';
}
