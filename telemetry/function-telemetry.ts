/**
 * Telemetry of the function, set up once per container (the OCI clients, the tracer and its
 * exporter, the traced fetch) and lent to each invocation (invocation.ts: its trace, metrics and
 * log, flushed together and bounded when it ends). Nothing here can change an answer: every
 * failure is caught, counted and logged once.
 */
import { trace } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { createLogger, type Logger, type LogLevelName } from '../src/log/logger.js';
import { VERSION } from '../src/version.js';
import { parseOtlpHeaders, type TelemetryConfig } from './config.js';
import { deferredExporter } from './deferred-exporter.js';
import { type FlushTargets, Invocation, type InvocationTelemetry, type TelemetryKind } from './invocation.js';
import { invocationLog } from './invocation-log.js';
import { InvocationMetrics } from './invocation-metrics.js';
import { InvocationTrace, type ObservedRequest } from './invocation-trace.js';
import type { OciSinks } from './oci-sinks.js';
import { Semconv } from './span-attributes.js';
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

export type { InvocationTelemetry } from './invocation.js';
export type { ObservedRequest } from './invocation-trace.js';

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
  readonly #failures: Record<TelemetryKind, number> = { metrics: 0, logs: 0, traces: 0 };
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

  /** Starts one invocation's telemetry: its trace, metrics and log, each with its own flush. Never throws. */
  async begin(request: ObservedRequest): Promise<InvocationTelemetry> {
    const tracing = await this.#tracingReady().catch(() => undefined);
    const logs = invocationLog({
      level: this.#level,
      write: this.#write,
      ship: this.#shipLogs,
      base: { fnCallId: request.callId },
    });
    return new Invocation(
      new InvocationTrace(tracing, request),
      new InvocationMetrics(this.functionName),
      logs,
      this.#targets(tracing),
      request.callId,
    );
  }

  #targets(tracing: Tracing | undefined): FlushTargets {
    return {
      functionName: this.functionName,
      budgetMs: this.config.telemetry_flush_budget_ms,
      sinks: this.#sinks,
      tracing,
      exporterReady: () => this.#exporterReady,
      guard: (kind, work) => this.#guard(kind, work),
      warn: (message, fields) => this.#stdout.warn(message, fields),
    };
  }

  /** Telemetry's own failures: counted; the first (and every 100th) logged on stdout only. */
  async #guard(kind: TelemetryKind, work: () => Promise<void>): Promise<void> {
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

  failures(): Readonly<Record<TelemetryKind, number>> {
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
