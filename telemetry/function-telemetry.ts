/**
 * Telemetry of the function, set up once per container and used per invocation: a SERVER span
 * (joining the caller's W3C trace), JSON logs with trace ids, engine hooks for spans, metrics
 * and log lines, a traced fetch, and one bounded flush of metrics, logs and spans in `finally`.
 * Nothing here can change an answer: every failure is caught, counted and logged once.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Context, type Span, type TextMapGetter } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import type { RunHooks, RunResult } from '../src/engine/index.js';
import { ociAuthProvider, type OciAuthProvider } from '../src/oci/index.js';
import { maskPhone, redactPhones } from '../src/log/redact.js';
import { answerFault, type AnswerOutcome } from './answer-fault.js';
import { combineHooks } from './combine-hooks.js';
import { parseOtlpHeaders, type TelemetryConfig } from './config.js';
import { invocationLog, type InvocationLog } from './invocation-log.js';
import { ociLogSink, type LogSink } from './log-shipper.js';
import { createLogger, type Logger, type LogLevelName } from '../src/log/logger.js';
import { MetricBatch } from './metric-batch.js';
import { ociMetricsSink, type MetricsSink } from './metrics-sink.js';
import { runLogHooks } from './run-log.js';
import { recordRunMetrics } from './run-metrics.js';
import { SagaAttr, setSafeAttributes } from './span-attributes.js';
import { spanHooks } from './span-hooks.js';
import { tracedFetch } from './traced-fetch.js';
import { apmTracesUrl, createTracing, otlpExporter, type Tracing } from './tracing.js';

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
  duplicate(): void;
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
  #metrics: MetricsSink | undefined;
  #logs: LogSink | undefined;
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

    let auth: OciAuthProvider | undefined;
    if (config.oci_monitoring_compartment_id || config.oci_log_id) {
      try {
        auth = ociAuthProvider(env, { allowConfigFile: false });
      } catch (error) {
        this.#stdout.warn('OCI metrics and log shipping off: resource principal unusable', { error: error instanceof Error ? error.message : String(error) });
      }
      if (!auth) this.#stdout.warn('OCI metrics and log shipping off: no resource principal (OCI_RESOURCE_PRINCIPAL_VERSION unset)');
    }
    if (!config.oci_monitoring_compartment_id) this.#stdout.warn('metrics off: oci_monitoring_compartment_id is not set');
    try {
      if (auth && config.oci_monitoring_compartment_id) {
        this.#metrics = ociMetricsSink(auth, { namespace: config.oci_monitoring_namespace, compartmentId: config.oci_monitoring_compartment_id, resourceGroup: config.oci_monitoring_resource_group }, { endpoint: config.oci_monitoring_endpoint });
      }
      if (auth && config.oci_log_id) this.#logs = ociLogSink(auth, config.oci_log_id, { endpoint: config.oci_logging_endpoint });
    } catch (error) {
      // e.g. an unreadable key: the SDK parses it when a client is built
      this.#stdout.warn('OCI metrics and log shipping off: client setup failed', { error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** Built on first use: the APM data key may have to come from Vault. */
  #tracingReady(): Promise<Tracing | undefined> {
    this.#tracing ??= (async () => {
      const resource = { 'faas.name': this.functionName, ...(this.#options.env.FN_FN_ID ? { 'faas.id': this.#options.env.FN_FN_ID } : {}) };
      if (this.#options.exporter) return createTracing({ exporter: this.#options.exporter, serviceName: this.functionName, resource, simple: true });
      const c = this.config;
      // The exporter's own timeout (it retries refused connections) ends with the flush budget.
      if (c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
        return createTracing({ exporter: otlpExporter({ url: c.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, headers: parseOtlpHeaders(c.OTEL_EXPORTER_OTLP_TRACES_HEADERS), timeoutMillis: c.telemetry_flush_budget_ms }), serviceName: this.functionName, resource });
      }
      if (c.oci_apm_endpoint) {
        const key = c.oci_apm_data_key ?? (await this.#options.apmDataKey?.().catch(() => undefined));
        if (key) return createTracing({ exporter: otlpExporter({ url: apmTracesUrl(c.oci_apm_endpoint), headers: { Authorization: `dataKey ${key}` }, timeoutMillis: c.telemetry_flush_budget_ms }), serviceName: this.functionName, resource });
        this.#stdout.warn('traces off: oci_apm_endpoint is set but no APM data key (oci_apm_data_key_ocid or oci_apm_data_key); spans are not exported');
      }
      // Nowhere to export: spans still get ids, so logs, the run journal and `GET /runs` can be correlated.
      return createTracing({ serviceName: this.functionName, resource });
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

  /** Starts one invocation's telemetry. Never throws. */
  async begin(request: ObservedRequest): Promise<InvocationTelemetry> {
    const tracing = await this.#tracingReady().catch(() => undefined);
    const tracer = tracing?.tracer ?? trace.getTracer('noop');
    const getter: TextMapGetter<ObservedRequest> = { get: (carrier, key) => carrier.header(key) ?? undefined, keys: () => [] };
    let parent = ROOT_CONTEXT;
    try {
      if (tracing) parent = propagation.extract(ROOT_CONTEXT, request, getter);
    } catch {
      // a header we cannot read starts a new trace
    }
    const route = (request.url ?? '/').split('?')[0] ?? '/';
    const method = request.method ?? 'POST';
    const server: Span = tracer.startSpan(`${method} ${route}`, { kind: SpanKind.SERVER }, parent);
    setSafeAttributes(server, { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_PATH]: route, [SagaAttr.fnCallId]: request.callId });
    const serverCtx: Context = trace.setSpan(parent, server);
    const traceId = tracing ? server.spanContext().traceId : '';

    const il: InvocationLog = invocationLog({ level: this.#level, write: this.#write, ship: this.#logs !== undefined, base: { fnCallId: request.callId } });
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
        setSafeAttributes(server, { [SagaAttr.provider]: sms.provider, [SagaAttr.messageId]: sms.messageId, [SagaAttr.from]: sms.from ? maskPhone(sms.from) : undefined });
      },
      rejected: (reason) => batch.add('WebhookRejected', { functionName: this.functionName, reason }, 1),
      duplicate: () => batch.add('DuplicateWebhook', dims, 1),
      runHooks: (runLog) =>
        combineHooks(runLogHooks(runLog), spanHooks(tracer, serverCtx), {
          onRunEnd: ({ result }: { result: RunResult<unknown> }) => {
            runFailed = result.status === 'failed';
            if (result.error) runError = `${result.failedStep ?? 'run'}: ${result.error.message}`;
            recordRunMetrics(batch, result, dims);
          },
        }),
      end: async (status, outcome) => {
        try {
          const answered = answerFault(status, outcome);
          batch.add('WebhookAnswered', { functionName: this.functionName, ...answered }, 1);
          server.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
          if (status >= 500) server.setStatus({ code: SpanStatusCode.ERROR, message: redactPhones(runError ?? `answered ${status}: ${answered.outcome}`).slice(0, 1_000) });
          server.end();
          if (runFailed || status >= 500) il.releaseDebug();
          const budget = this.config.telemetry_flush_budget_ms;
          await Promise.all([
            this.#guard('metrics', async () => {
              if (!this.#metrics || batch.size === 0) return;
              const result = await this.#metrics.post(batch, budget);
              if (result.refused.length > 0) this.#stdout.warn('OCI Monitoring refused metrics', { refused: result.refused.join('; ').slice(0, 2_000), fnCallId: request.callId });
            }),
            this.#guard('logs', async () => {
              if (this.#logs) await this.#logs.ship(il.batch, { source: this.functionName, subject: messageId ?? request.callId }, budget);
            }),
            this.#guard('traces', async () => {
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
        this.#stdout.warn(`telemetry ${kind} export failed`, { failures: this.#failures[kind], error: error instanceof Error ? error.message.slice(0, 500) : String(error) });
      }
    }
  }

  failures(): Readonly<Record<Kind, number>> {
    return { ...this.#failures };
  }
}
