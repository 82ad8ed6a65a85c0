import { randomUUID } from 'node:crypto';
import { rawResult, type Context, type FnResult } from '@fnproject/fdk';
import { createB2cClient } from './b2c/index.js';
import { ConfigError, b2cBaseUrl, loadConfig } from './config.js';
import { runWorkflow } from './engine/index.js';
import { InboundError, parseInbound } from './inbound/index.js';
import { maskPhone } from './redact.js';
import { created, json, rejected, runFailed, type Answer } from './answers.js';
import { webhookRequest, type WebhookRequest } from './webhook-request.js';
import { smsToIncident } from '../workflows/sms-to-incident.js';
import { createLogger, type Logger } from '../telemetry/logger.js';
import { runLogHooks } from '../telemetry/run-log.js';

/** func.yaml's default timeout: the budget when the agent sends no `Fn-Deadline`. */
const DEFAULT_TIMEOUT_MS = 30_000;

export interface HandlerOptions {
  /** Where config comes from. @default process.env */
  readonly env?: Record<string, string | undefined>;
  /** Injectable for in-process tests. */
  readonly fetch?: typeof fetch;
  readonly writeLog?: (line: string) => void;
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
  return async (input, ctx) => {
    const env = options.env ?? process.env;
    const request = webhookRequest(input, ctx);
    const log = createLogger({ level: logLevel(env), write: options.writeLog }, { fnCallId: request.callId });
    let answer: Answer;
    try {
      answer = await handle(request, env, log, options);
    } catch (error) {
      log.error('unexpected error', { errorType: error instanceof Error ? error.name : typeof error, error: error instanceof Error ? error.message : undefined });
      answer = rejected(500, 'internal error');
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

async function handle(request: WebhookRequest, env: Record<string, string | undefined>, log: Logger, options: HandlerOptions): Promise<Answer> {
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.error('configuration error', { problems: error.problems.map((p) => `${p.key} ${p.problem}`).join('; ') });
    return json(500, { message: 'function configuration error', problems: error.problems });
  }

  let sms;
  try {
    sms = parseInbound(request);
  } catch (error) {
    if (!(error instanceof InboundError)) throw error;
    log.warn('webhook rejected', { status: error.status, reason: error.message, bytes: request.body.length });
    return rejected(error.status, error.message, error.field);
  }

  const runId = randomUUID();
  const runLog = log.child({ runId, provider: sms.provider, messageId: sms.messageId, from: maskPhone(sms.from) });
  runLog.info('webhook accepted', { textLength: sms.text.length, media: sms.media.length });

  const b2c = createB2cClient({
    baseUrl: b2cBaseUrl(config),
    username: config.b2cservice_username,
    password: config.b2cservice_password,
    appContext: config.b2cservice_app_context,
    phoneType: config.b2cservice_phone_type,
    threadEntryType: config.b2cservice_thread_entry_type,
    fetch: options.fetch,
  });
  const result = await runWorkflow(smsToIncident(b2c), { sms }, {
    runId,
    deadline: request.deadline ?? Date.now() + DEFAULT_TIMEOUT_MS,
    hooks: runLogHooks(runLog),
  });
  return result.status === 'succeeded' ? created(result) : runFailed(result);
}

function logLevel(env: Record<string, string | undefined>): 'debug' | 'info' | 'warn' | 'error' {
  const level = env.log_level;
  return level === 'debug' || level === 'warn' || level === 'error' ? level : 'info';
}
