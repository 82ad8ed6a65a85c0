/**
 * Telemetry of the function, set up once per container and used per invocation: a SERVER span
 * (joining the caller's W3C trace), JSON logs with trace ids, engine hooks for spans, metrics
 * and log lines, a traced fetch, and one bounded flush of metrics, logs and spans in `finally`.
 * Nothing here can change an answer: every failure is caught, counted and logged once.
 */
import {
  ROOT_CONTEXT,
  TraceFlags,
  isSpanContextValid,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Context,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { RunHooks, RunResult } from '../src/engine/index.js';
import { maskPhone, redactPhones } from '../src/log/redact.js';
import { VERSION } from '../src/version.js';
import { answerFault, type AnswerOutcome } from './answer-fault.js';
import { combineHooks } from './combine-hooks.js';
import { parseOtlpHeaders, type TelemetryConfig } from './config.js';
import { invocationLog, type InvocationLog } from './invocation-log.js';
import { deferredExporter } from './deferred-exporter.js';
import { createLogger, type Logger, type LogLevelName } from '../src/log/logger.js';
import { MetricBatch } from './metric-batch.js';
import type { OciSinks } from './oci-sinks.js';
import { runLogHooks } from './run-log.js';
import { recordRunMetrics } from './run-metrics.js';
import { SagaAttr, Semconv, setSafeAttributes } from './span-attributes.js';
import { spanHooks } from './span-hooks.js';
import { tracedFetch } from './traced-fetch.js';
import { apmTracesUrl, createTracing, type Tracing } from './tracing.js';

export interface FunctionTelemetryOptions {
  /** The telemetry section of the config, read by `loadTelemetryConfig` (src/config.ts). */
  readonly config: TelemetryConfig;
  /** Problems that section had: warned about once, the features they concern are off. */
  readonly problems?: readonly string[];
  /** The platform's variables (not config): the OCI resource principal's, `FN_FN_NAME`, `FN_FN_ID`. */
  readonly env: Record<string, string | undefined>;
  readonly write?: (line: string) => void;
  /** Replaces the OTLP exporter (tests: an in-memory exporter, exported span by span). */
  readonly exporter?: SpanExporter;
  /** Resolves the APM data key when it lives in Vault (`oci_apm_data_key_ocid`). */
  readonly apmDataKey?: () => Promise<string | undefined>;
}

type Kind = 'metrics' | 'logs' | 'traces';

/** What telemetry reads of the webhook request (the function's `WebhookRequest` fits it). */
export interface ObservedRequest {
  /** A client header, case-insensitive; null when absent (`traceparent`, `b3`). */
  header(name: string): string | null;
  readonly url: string | null;
  readonly method: string | null;
  readonly callId: string | undefined;
}

/** The side of one invocation that the handler talks to. */
export interface InvocationTelemetry {
  readonly log: Logger;
  readonly traceId: string;
  /** Runs `fn` with the SERVER span active. */
  within<T>(fn: () => Promise<T>): Promise<T>;
  /** The accepted webhook: names the provider on metrics and the span. */
  accepted(sms: { provider: string; messageId?: string; from?: string }): void;
  rejected(reason: string): void;
  /** A delivery answered from the journal: counted, and its span linked to the run's original trace. */
  duplicate(original?: { runId: string; traceId?: string; spanId?: string }): void;
  /** Engine hooks: spans, log lines and run metrics. */
  runHooks(runLog: Logger): RunHooks;
  /** Counts the answer, ends the SERVER span and flushes everything within the budget. Never rejects. */
  end(status: number, outcome?: AnswerOutcome): Promise<void>;
}

export class FunctionTelemetry {
  readonly config: TelemetryConfig;
  readonly functionName: string;
  readonly #write: (line: string) => void;
  readonly #level: LogLevelName;
  readonly #stdout: Logger;
  #tracing: Promise<Tracing | undefined> | undefined;
  /** The span exporter being made; the first flush waits for it, so spans still leave before the answer. */
  #exporterReady: Promise<unknown> = Promise.resolve();
  /** Loading with the first run (the OCI SDK): awaited by the flush only. */
  readonly #sinks: Promise<OciSinks> | undefined;
  readonly #shipLogs: boolean;
  readonly #failures: Record<Kind, number> = { metrics: 0, logs: 0, traces: 0 };
  readonly #options: FunctionTelemetryOptions;

  constructor(options: FunctionTelemetryOptions) {
    this.#options = options;
    const { env, config, problems = [] } = options;
    this.#write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    this.#level = config.log_level;
    this.#stdout = createLogger({ level: 'info', write: this.#write }, { component: 'telemetry' });
    this.config = config;
    if (problems.length > 0) this.#stdout.warn('telemetry config ignored', { problems: problems.join('; ') });
    // OCI Functions sets no FN_FN_NAME (only FN_FN_ID, an OCID): name it with OTEL_SERVICE_NAME, stable across containers.
    this.functionName = config.OTEL_SERVICE_NAME || env.FN_FN_NAME || 'sms-incident';

    if (!config.oci_monitoring_compartment_id)
      this.#stdout.warn('metrics off: oci_monitoring_compartment_id is not set');
    if (config.oci_monitoring_compartment_id || config.oci_log_id) {
      this.#sinks = import('./oci-sinks.js').then(
        ({ ociSinks }) => ociSinks(env, config, this.#stdout),
        (error: unknown) => {
          this.#stdout.warn('OCI metrics and log shipping off: cannot load the OCI SDK', {
            error: error instanceof Error ? error.message : String(error),
          });
          return {};
        },
      );
    }
    // Without a resource principal nothing is shipped (oci-sinks.ts says so): do not collect lines for it.
    this.#shipLogs = Boolean(config.oci_log_id && env.OCI_RESOURCE_PRINCIPAL_VERSION);
  }

  /**
   * Built on first use without waiting for the exporter: it (its module, and the APM data key that
   * may come from Vault) is made while the first run is under way, and the first flush waits for it.
   */
  #tracingReady(): Promise<Tracing | undefined> {
    this.#tracing ??= (async () => {
      const resource = resourceAttributes(this.#options.env, this.functionName);
      if (this.#options.exporter)
        return createTracing({
          exporter: this.#options.exporter,
          serviceName: this.functionName,
          serviceVersion: VERSION,
          resource,
          simple: true,
        });
      const exporter = this.#exporter();
      if (exporter) this.#exporterReady = exporter;
      // Without an exporter spans still get ids, so logs, the run journal and `GET /runs` can be correlated.
      return createTracing({
        ...(exporter ? { exporter: deferredExporter(exporter) } : {}),
        serviceName: this.functionName,
        serviceVersion: VERSION,
        resource,
      });
    })();
    return this.#tracing;
  }

  /**
   * `inner` with a CLIENT span per request, a child of the active span (the engine's attempt);
   * `on401` is told of each 401 (credential rotation). For the whole container.
   */
  fetch(inner: typeof fetch = fetch, on401?: () => void): typeof fetch {
    const onStatus = (status: number): void => {
      if (status === 401) on401?.();
    };
    return async (input, init) => {
      const tracing = await this.#tracingReady().catch(() => undefined);
      return tracedFetch(inner, tracing?.tracer ?? trace.getTracer('noop'), onStatus)(input, init);
    };
  }

  /** The OTLP exporter, when traces have somewhere to go. Never rejects. */
  #exporter(): Promise<SpanExporter | undefined> | undefined {
    const c = this.config;
    // The exporter's own timeout (it retries refused connections) ends with the flush budget.
    const timeoutMillis = c.telemetry_flush_budget_ms;
    const load = async (url: string, headers: Record<string, string> | undefined): Promise<SpanExporter | undefined> =>
      (await import('./otlp-exporter.js')).otlpExporter({ url, headers, timeoutMillis });
    const made = (exporter: Promise<SpanExporter | undefined>): Promise<SpanExporter | undefined> =>
      exporter.catch((error: unknown) => {
        this.#stdout.warn('traces off: the exporter cannot be set up', {
          error: error instanceof Error ? error.message : String(error),
        });
        return undefined;
      });
    if (c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)
      return made(load(c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, parseOtlpHeaders(c.OTEL_EXPORTER_OTLP_TRACES_HEADERS)));
    if (!c.oci_apm_endpoint) return undefined;
    const apm = c.oci_apm_endpoint;
    return made(
      (async () => {
        const key = c.oci_apm_data_key ?? (await this.#options.apmDataKey?.().catch(() => undefined));
        if (key) return load(apmTracesUrl(apm), { Authorization: `dataKey ${key}` });
        this.#stdout.warn(
          'traces off: oci_apm_endpoint is set but no APM data key (oci_apm_data_key_ocid or oci_apm_data_key); spans are not exported',
        );
        return undefined;
      })(),
    );
  }

  /** Starts one invocation's telemetry. Never throws. */
  async begin(request: ObservedRequest): Promise<InvocationTelemetry> {
    const tracing = await this.#tracingReady().catch(() => undefined);
    const tracer = tracing?.tracer ?? trace.getTracer('noop');
    const getter: TextMapGetter<ObservedRequest> = {
      get: (carrier, key) => carrier.header(key) ?? undefined,
      keys: () => [],
    };
    let parent = ROOT_CONTEXT;
    try {
      if (tracing) parent = propagation.extract(ROOT_CONTEXT, request, getter);
    } catch {
      // a header we cannot read starts a new trace
    }
    const route = (request.url ?? '/').split('?')[0] ?? '/';
    const method = request.method ?? 'POST';
    const server: Span = tracer.startSpan(`${method} ${route}`, { kind: SpanKind.SERVER }, parent);
    setSafeAttributes(server, {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_URL_PATH]: route,
      // The gateway's deployment path is the route: there are no path parameters in it.
      [Semconv.httpRoute]: route,
      [Semconv.faasTrigger]: 'http',
      [Semconv.urlScheme]: forwardedScheme(request),
      [SagaAttr.fnCallId]: request.callId,
    });
    const serverCtx: Context = trace.setSpan(parent, server);
    const traceId = tracing ? server.spanContext().traceId : '';

    const il: InvocationLog = invocationLog({
      level: this.#level,
      write: this.#write,
      ship: this.#shipLogs,
      base: { fnCallId: request.callId },
    });
    const batch = new MetricBatch();
    const dims = { functionName: this.functionName, provider: 'unknown' };
    let runFailed = false;
    let runError: string | undefined;
    let messageId: string | undefined;

    return {
      log: il.log,
      traceId,
      within: (fn) => context.with(serverCtx, fn),
      accepted: (sms) => {
        dims.provider = sms.provider;
        messageId = sms.messageId;
        setSafeAttributes(server, {
          [SagaAttr.provider]: sms.provider,
          [SagaAttr.messageId]: sms.messageId,
          [SagaAttr.from]: sms.from ? maskPhone(sms.from) : undefined,
        });
      },
      rejected: (reason) => batch.add('WebhookRejected', { functionName: this.functionName, reason }, 1),
      duplicate: (original) => {
        batch.add('DuplicateWebhook', dims, 1);
        if (original === undefined) return;
        server.setAttribute(SagaAttr.runId, original.runId);
        if (
          original.traceId &&
          original.spanId &&
          isSpanContextValid({ traceId: original.traceId, spanId: original.spanId, traceFlags: TraceFlags.SAMPLED })
        ) {
          server.addLink({
            context: { traceId: original.traceId, spanId: original.spanId, traceFlags: TraceFlags.SAMPLED },
            attributes: { [SagaAttr.runId]: original.runId },
          });
        }
      },
      runHooks: (runLog) => {
        const spans = spanHooks(tracer, serverCtx);
        return combineHooks(runLogHooks(runLog, { attemptSpan: spans.attemptSpan }), spans, {
          onRunEnd: ({ result }: { result: RunResult<unknown> }) => {
            runFailed = result.status === 'failed';
            if (result.error) runError = `${result.failedStep ?? 'run'}: ${result.error.message}`;
            recordRunMetrics(batch, result, dims);
          },
        });
      },
      end: async (status, outcome) => {
        try {
          const answered = answerFault(status, outcome);
          batch.add('WebhookAnswered', { functionName: this.functionName, ...answered }, 1);
          server.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
          if (status >= 500) {
            server.setStatus({
              code: SpanStatusCode.ERROR,
              message: redactPhones(runError ?? `answered ${status}: ${answered.outcome}`).slice(0, 1_000),
            });
            server.setAttribute(Semconv.errorType, answered.outcome);
          }
          server.end();
          if (runFailed || status >= 500) il.releaseDebug();
          const budget = this.config.telemetry_flush_budget_ms;
          await Promise.all([
            this.#guard('metrics', async () => {
              if (batch.size === 0) return;
              const metrics = (await this.#sinks)?.metrics;
              if (!metrics) return;
              const result = await metrics.post(batch, budget);
              if (result.refused.length > 0)
                this.#stdout.warn('OCI Monitoring refused metrics', {
                  refused: result.refused.join('; ').slice(0, 2_000),
                  fnCallId: request.callId,
                });
            }),
            this.#guard('logs', async () => {
              const logs = (await this.#sinks)?.logs;
              if (logs)
                await logs.ship(il.batch, { source: this.functionName, subject: messageId ?? request.callId }, budget);
            }),
            this.#guard('traces', async () => {
              await this.#exporterReady;
              const error = await tracing?.flush(budget);
              if (error) throw new Error(error);
            }),
          ]);
        } catch {
          // end() never rejects
        }
      },
    };
  }

  /** Telemetry's own failures: counted; the first (and every 100th) logged on stdout only. */
  async #guard(kind: Kind, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      if (this.#failures[kind] > 0) {
        this.#stdout.info(`telemetry ${kind} export recovered`, { failures: this.#failures[kind] });
        this.#failures[kind] = 0;
      }
    } catch (error) {
      this.#failures[kind] += 1;
      if (this.#failures[kind] % 100 === 1) {
        this.#stdout.warn(`telemetry ${kind} export failed`, {
          failures: this.#failures[kind],
          error: error instanceof Error ? error.message.slice(0, 500) : String(error),
        });
      }
    }
  }

  failures(): Readonly<Record<Kind, number>> {
    return { ...this.#failures };
  }
}

/**
 * The resource every span carries: the function (`faas.*`), where it runs (`cloud.*`: OCI, the
 * resource principal's region, the function OCID) and `OTEL_RESOURCE_ATTRIBUTES`
 * (`deployment.environment.name=prod,…`, the standard variable), which wins.
 */
export function resourceAttributes(
  env: Record<string, string | undefined>,
  functionName: string,
): Record<string, string> {
  const region = env.OCI_RESOURCE_PRINCIPAL_REGION ?? env.OCI_REGION;
  return {
    'faas.name': functionName,
    ...(env.FN_FN_ID ? { 'faas.id': env.FN_FN_ID, [Semconv.cloudResourceId]: env.FN_FN_ID } : {}),
    [Semconv.cloudProvider]: 'oci',
    ...(region ? { [Semconv.cloudRegion]: region } : {}),
    ...parseOtlpHeaders(env.OTEL_RESOURCE_ATTRIBUTES),
  };
}

/** The scheme the caller used (the gateway's `X-Forwarded-Proto`), `https` when unsaid; a broken header read is `https` too. */
function forwardedScheme(request: ObservedRequest): string {
  try {
    return request.header('x-forwarded-proto')?.split(',')[0]?.trim() || 'https';
  } catch {
    return 'https';
  }
}
