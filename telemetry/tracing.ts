/**
 * The lean OpenTelemetry setup for a short-lived function: `@opentelemetry/sdk-trace`'s
 * TracerProvider (no NodeSDK: +50 MB and ~+80 ms import, and no forceFlush), async-hooks
 * context, W3C propagation, export (otlp-exporter.ts: OCI APM or any OTLP endpoint) flushed at the
 * end of every invocation within a bounded time.
 */
import { context, propagation, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export const TRACER_NAME = 'sms-incident';

let globalsRegistered = false;

/** Context manager and propagator are process-wide; registered once. */
function registerGlobals(): void {
  if (globalsRegistered) return;
  globalsRegistered = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
}

export interface Tracing {
  readonly tracer: Tracer;
  /** Exports what is buffered; never rejects, gives up after `budgetMs`. Returns an error text on failure. */
  flush(budgetMs: number): Promise<string | undefined>;
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Where spans go; without one, spans still get ids (for logs, the run journal, `GET /runs`) but are not exported. */
  readonly exporter?: SpanExporter;
  readonly serviceName: string;
  readonly serviceVersion?: string;
  readonly resource?: Record<string, string>;
  /** Export each span as it ends (tests with an in-memory exporter). @default false: batch, flushed per invocation */
  readonly simple?: boolean;
}

/**
 * A tracer whose provider is *not* registered globally (the function owns it; tests can make
 * many), with the global context manager and W3C propagator registered once.
 *
 * @example
 * ```ts
 * const tracing = createTracing({ exporter: otlpExporter({ url, headers }), serviceName: 'sms-incident' });
 * // … per invocation, in finally:
 * await tracing.flush(300);
 * ```
 */
export function createTracing(options: TracingOptions): Tracing {
  registerGlobals();
  const { exporter } = options;
  const processors =
    exporter === undefined
      ? []
      : [
          options.simple
            ? new SimpleSpanProcessor({ exporter })
            : new BatchSpanProcessor({
                exporter,
                maxExportBatchSize: 512,
                maxQueueSize: 4096,
                scheduledDelayMillis: 60_000,
              }),
        ];
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
      ...options.resource,
    }),
    spanProcessors: processors,
  });
  return {
    tracer: provider.getTracer(TRACER_NAME),
    async flush(budgetMs) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          provider.forceFlush(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`span export took longer than ${budgetMs} ms`)), budgetMs);
          }),
        ]);
        return undefined;
      } catch (error) {
        return describe(error);
      } finally {
        clearTimeout(timer);
      }
    },
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}

/** The OCI APM private traces path under a data upload endpoint. */
export function apmTracesUrl(dataUploadEndpoint: string): string {
  return `${dataUploadEndpoint.replace(/\/+$/, '')}/20200101/opentelemetry/private/v1/traces`;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (Array.isArray(error)) return error.map(describe).join('; ');
  if (typeof error === 'object' && error !== null) {
    const o = error as { code?: unknown; message?: unknown };
    return (
      [o.code, o.message].filter((v) => typeof v === 'string' || typeof v === 'number').join(' ') || 'export failed'
    );
  }
  return String(error);
}
