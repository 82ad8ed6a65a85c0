import { rawResult, type Context, type FnResult } from '@fnproject/fdk';
import {
  ConfigError,
  allowsClearText,
  environment,
  loadFunctionConfig,
  loadOciConfig,
  peekInboundConfig,
  type Config,
} from '../config.js';
import {
  InboundError,
  SignatureConfigError,
  providerPatienceMs,
  receiveInbound,
  type ReceivedSms,
} from '../inbound/index.js';
// Not the oci/ barrel: it loads the OCI SDK, which only a Vault read needs.
import { VaultUnavailableError, functionVault, type Vault } from '../oci/vault.js';
import { createLogger, type Logger } from '../log/logger.js';
// Not the telemetry/ barrel: it holds the alarms CLI's OCI clients, which a webhook never needs.
import { FunctionTelemetry, type InvocationTelemetry } from '../../telemetry/function-telemetry.js';
import { rejectionReason } from '../../telemetry/rejection-reason.js';
import { activeTraceFields } from '../../telemetry/invocation-log.js';
import { loadTelemetryConfig } from '../../telemetry/config.js';
import { answer, rejected, toHttp, type Answer, type HttpAnswer } from './answers.js';
import { apmDataKey, withVaultSecrets } from './function-secrets.js';
import { assembleSmsService, functionJournal, type SmsService } from './sms-service.js';
import { sweepRuns } from './sweep.js';
import { auditDesk, type AuditReport } from './audit.js';
import { watchLateWrites } from './late-writes.js';
import { peekFunctionRole } from '../journal/sweep-config.js';
import type { RunJournal } from '../journal/index.js';
import { answerDeadline, deadlineOf, webhookRequest, type WebhookRequest } from './webhook-request.js';

export interface HandlerOptions {
  /** Where config comes from. @default the process environment */
  readonly env?: Record<string, string | undefined>;
  /** Injectable for in-process tests. */
  readonly fetch?: typeof fetch;
  readonly writeLog?: (line: string) => void;
}

/** What lives as long as the container: telemetry, the Vault secret cache, the assembled service. */
interface Container {
  readonly env: Record<string, string | undefined>;
  readonly telemetry: FunctionTelemetry;
  vault(): Vault | undefined;
  service(config: Config): SmsService;
}

/**
 * The function: webhook → parse → the service → answer. It never throws to the fdk
 * (a throw becomes a bare 502) and never resolves to null (the fdk crashes on it).
 *
 * @example
 * ```ts
 * import { handle } from '@fnproject/fdk';
 * handle(createHandler(), { inputMode: 'buffer' });
 * ```
 */
export function createHandler(options: HandlerOptions = {}): (input: Buffer, ctx: Context) => Promise<FnResult> {
  const env = options.env ?? environment();
  const telemetryConfig = loadTelemetryConfig(env);
  warnAtStart(env, telemetryConfig.config.log_level, options.writeLog);
  // What this function is comes from its deployed config, never from a request: a caller of the
  // webhook cannot make it sweep, and the sweeper never reads its body as a webhook.
  const serve = peekFunctionRole(env) === 'sweeper' ? sweep : handle;
  let container: Container | undefined;
  return async (input, ctx) => {
    // Built on the first call (a warm container serves many), so a broken key answers rather than crashes.
    container ??= newContainer(env, telemetryConfig, options);
    const current = container;
    const request = webhookRequest(input, ctx);
    const inv = await container.telemetry.begin(request);
    let result: HttpAnswer = toHttp(rejected(500, 'internal error'));
    try {
      result = await inv.within(() => serve(request, inv, current));
    } catch (error) {
      inv.log.error('unexpected error', {
        errorType: error instanceof Error ? error.name : typeof error,
        error: error instanceof Error ? error.message : undefined,
      });
      result = toHttp(rejected(500, 'internal error'));
    } finally {
      // Every exit path: metrics, logs and spans leave before the answer, within a bounded budget
      // (already under way when the run's answer was decided: then this waits for that flush).
      await inv.end(result.status, result.outcome);
    }
    return reply(ctx, result);
  };
}

function newContainer(
  env: Record<string, string | undefined>,
  telemetryConfig: ReturnType<typeof loadTelemetryConfig>,
  options: HandlerOptions,
): Container {
  const telemetry = new FunctionTelemetry({
    ...telemetryConfig,
    env,
    write: options.writeLog,
    apmDataKey: () => apmDataKey(telemetryConfig.config, vault),
  });
  let cachedVault: { value: Vault | undefined } | undefined;
  const vault = (): Vault | undefined => {
    cachedVault ??= { value: functionVault(env, loadOciConfig(env)) };
    return cachedVault.value;
  };
  let built: { key: string; service: SmsService } | undefined;
  return {
    env,
    telemetry,
    vault,
    service(config) {
      // Vault may rotate a secret: a changed config assembles the service again.
      const key = JSON.stringify(config);
      if (built?.key !== key) {
        // A 401 may mean the password was rotated in Vault: forget the cached secrets so the
        // provider's retry of this webhook reads the new ones.
        built = {
          key,
          service: assembleSmsService(config, {
            env,
            fetch: telemetry.fetch(options.fetch, () => vault()?.invalidate()),
          }),
        };
      }
      return built.service;
    },
  };
}

/** Status and headers go to the client through the gateway context; the body is written as is. */
function reply(ctx: Context, result: HttpAnswer): FnResult {
  ctx.httpGateway.statusCode = result.status;
  ctx.responseContentType = result.contentType;
  for (const [name, value] of Object.entries(result.headers ?? {})) ctx.httpGateway.setResponseHeader(name, value);
  return rawResult(result.body);
}

async function handle(request: WebhookRequest, inv: InvocationTelemetry, container: Container): Promise<HttpAnswer> {
  const arrivedAt = Date.now();
  const log = inv.log;
  let env;
  try {
    env = await withVaultSecrets(container.env, request, log, container.vault);
  } catch (error) {
    if (error instanceof ConfigError) return configError(error, log);
    if (!(error instanceof VaultUnavailableError)) throw error;
    log.error('secrets unavailable', { error: error.message });
    return toHttp(
      answer(
        503,
        { message: 'function secrets unavailable, retry later', retryable: true },
        { 'Retry-After': '5' },
        'secrets_unavailable',
      ),
    );
  }
  let config: Config;
  try {
    config = loadFunctionConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return configError(error, log);
  }

  let received: ReceivedSms;
  try {
    received = receiveInbound(request, config.inbound);
  } catch (error) {
    if (error instanceof SignatureConfigError) return configError(error, log);
    if (!(error instanceof InboundError)) throw error;
    log.warn('webhook rejected', { status: error.status, reason: error.message, bytes: request.body.length });
    inv.rejected(rejectionReason(error.status));
    return toHttp(
      rejected(
        error.status,
        error.message,
        error.field,
        error.allow === undefined ? undefined : { Allow: error.allow },
      ),
    );
  }
  const { sms } = received;
  inv.accepted(sms);
  const token = request.header('I-Twilio-Idempotency-Token');
  const { traceId, spanId } = activeTraceFields();
  const result: Answer = await container.service(config).accept(sms, {
    // Never answer after the provider stopped listening: Twilio counts a late 200 as a failure.
    deadline: answerDeadline(deadlineOf(request), arrivedAt, providerPatienceMs(config.inbound, sms.provider)),
    caller: request.callId ?? 'call',
    ...(token === null ? {} : { idempotencyToken: token }),
    ...(typeof traceId === 'string' ? { traceId } : {}),
    ...(typeof spanId === 'string' ? { spanId } : {}),
    log,
    hooks: (runLog) => inv.runHooks(runLog),
    onDuplicate: (original) => inv.duplicate(original),
    // The flush goes out with the run's final record instead of after it (the handler's end() then finds it under way).
    onAnswer: (decided) => void inv.end(decided.status, decided.outcome),
  });
  return toHttp(result, received.dialect, config.inbound.reply_template);
}

/** Time kept back from the sweeper's deadline to answer and flush telemetry. */
const SWEEP_ANSWER_MARGIN_MS = 3_000;

/**
 * The sweeper (`function_role=sweeper`, invoked by a schedule): finishes the journal's failed and
 * cut-off runs through the same service as a delivery; its request body is never read.
 */
async function sweep(request: WebhookRequest, inv: InvocationTelemetry, container: Container): Promise<HttpAnswer> {
  const log = inv.log;
  let config: Config;
  try {
    config = loadFunctionConfig(await withVaultSecrets(container.env, request, log, container.vault));
  } catch (error) {
    if (error instanceof ConfigError) return configError(error, log);
    if (!(error instanceof VaultUnavailableError)) throw error;
    log.error('secrets unavailable', { error: error.message });
    return toHttp(
      answer(
        503,
        { message: 'function secrets unavailable, retry later', retryable: true },
        undefined,
        'secrets_unavailable',
      ),
    );
  }
  const journal = functionJournal(config, container.env);
  if (journal.description === 'memory')
    log.warn("sweeper with a memory journal: it sees no other container's runs; set run_journal to the webhook's");
  const { sweep: s, b2c } = config;
  let report;
  try {
    report = await sweepRuns(journal, container.service(config), {
      policy: {
        giveUpAfterMs: s.sweep_give_up_after_ms,
        backoffInitialMs: s.sweep_backoff_initial_ms,
        backoffMaxMs: s.sweep_backoff_max_ms,
        lateWriteWindowMs: b2c.b2cservice_late_write_window_ms,
      },
      maxRuns: s.sweep_max_runs,
      concurrency: s.sweep_concurrency,
      runBudgetMs: s.sweep_run_budget_ms,
      deadline: deadlineOf(request) - SWEEP_ANSWER_MARGIN_MS,
      log,
    });
  } catch (error) {
    log.error('run journal unavailable', {
      journal: journal.description,
      error: error instanceof Error ? error.message : String(error),
    });
    return toHttp(
      answer(
        503,
        { message: 'run journal unavailable, retry later', retryable: true },
        undefined,
        'journal_unavailable',
      ),
    );
  }
  for (const run of report.runs) {
    inv.metric('RunSwept', { functionName: container.telemetry.functionName, outcome: run.outcome }, 1);
    // A give-up pages through the failed-run alarm, once per run.
    if (run.outcome === 'gave_up')
      inv.metric(
        'IncidentCreationFailed',
        { functionName: container.telemetry.functionName, provider: run.provider },
        1,
      );
  }
  const lateWrites = await watchForLateWrites(journal, config, inv, container.telemetry.functionName);
  const counts = Object.fromEntries(
    [...new Set(report.runs.map((r) => r.outcome))].map((o) => [o, report.runs.filter((r) => r.outcome === o).length]),
  );
  log.info('sweep finished', {
    considered: report.considered,
    ...counts,
    waiting: report.waiting,
    deferred: report.deferred,
    givenUp: report.givenUp,
    unreadable: report.unreadable,
    ...(lateWrites === undefined ? {} : { lateWriteRuns: lateWrites.runs, lateWrites: lateWrites.findings.length }),
  });
  return toHttp(answer(200, { message: 'swept', ...report, ...(lateWrites === undefined ? {} : { lateWrites }) }));
}

/**
 * After the sweep, the late-write watch (src/function/late-writes.ts): what it removed and what it
 * left for a person are logged and counted (LateWrite); a failed watch never fails the sweep.
 */
async function watchForLateWrites(
  journal: RunJournal,
  config: Config,
  inv: InvocationTelemetry,
  functionName: string,
): Promise<AuditReport | undefined> {
  const watchMs = config.sweep.sweep_watch_ms;
  if (watchMs === 0) return undefined;
  const field = config.b2c.b2cservice_incident_sms_field;
  let report: AuditReport;
  try {
    report = await watchLateWrites(journal, auditDesk(config), {
      watchMs,
      ...(field === undefined ? {} : { incidentSmsField: field }),
    });
  } catch (error) {
    inv.log.warn('late-write watch failed', { error: error instanceof Error ? error.message : String(error) });
    return undefined;
  }
  for (const finding of report.findings) {
    const outcome = finding.fixed !== undefined ? 'fixed' : 'left';
    const fields = { runId: finding.runId, kind: finding.kind, id: finding.id, detail: finding.detail };
    if (outcome === 'fixed') inv.log.info('late write removed', { ...fields, fixed: finding.fixed });
    else
      inv.log.warn('late write left for a person', {
        ...fields,
        ...(finding.fixError ? { error: finding.fixError } : {}),
      });
    inv.metric('LateWrite', { functionName, kind: finding.kind, outcome }, 1);
  }
  for (const e of report.errors)
    inv.log.warn('late-write watch could not read a run', { runId: e.runId, error: e.error });
  return report;
}

function configError(error: ConfigError | SignatureConfigError, log: Logger): HttpAnswer {
  log.error('configuration error', { problems: error.problems.map((p) => `${p.key} ${p.problem}`).join('; ') });
  return toHttp(
    answer(500, { message: 'function configuration error', problems: error.problems }, undefined, 'config_error'),
  );
}

/** What a reader of the logs must know about this container's config: said once, at start. */
function warnAtStart(
  env: Record<string, string | undefined>,
  level: 'debug' | 'info' | 'warn' | 'error',
  writeLog: ((line: string) => void) | undefined,
): void {
  const log = createLogger({ level, write: writeLog }, {});
  // `webhook_signature=off` is for a gateway that authenticates callers itself.
  if (peekInboundConfig(env)?.webhook_signature === 'off') {
    log.warn(
      'webhook signatures are off (webhook_signature=off): every caller that reaches the function is trusted; use it only behind a gateway that authenticates',
    );
  }
  if (allowsClearText(env)) {
    log.warn(
      'B2C Service is reached over plain http (b2cservice_allow_http=true): its Basic credentials cross the network in clear text; use https outside a private network',
    );
  }
}
