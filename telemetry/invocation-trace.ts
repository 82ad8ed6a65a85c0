/**
 * One invocation's trace (as Powertools' Tracer): the SERVER span joining the caller's W3C trace,
 * the engine's run/step/attempt spans under it, and one `flush` that exports what is buffered.
 */
import {
  type Context,
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  TraceFlags,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { RunResult } from '../src/engine/index.js';
import { maskPhone, redactPhones } from '../src/log/redact.js';
import { SagaAttr, Semconv, setSafeAttributes } from './span-attributes.js';
import { type SpanHooks, spanHooks } from './span-hooks.js';
import type { Tracing } from './tracing.js';

/** What telemetry reads of the webhook request (the function's `WebhookRequest` fits it). */
export interface ObservedRequest {
  /** A client header, case-insensitive; null when absent (`traceparent`, `b3`). */
  header(name: string): string | null;
  readonly url: string | null;
  readonly method: string | null;
  readonly callId: string | undefined;
}

export class InvocationTrace {
  /** Empty when tracing is off (spans then have no ids worth logging). */
  readonly traceId: string;
  readonly #server: Span;
  readonly #context: Context;
  readonly #tracer: Tracer;
  #runError: string | undefined;

  /** Starts the SERVER span. Never throws: a header it cannot read starts a new trace. */
  constructor(tracing: Tracing | undefined, request: ObservedRequest) {
    this.#tracer = tracing?.tracer ?? trace.getTracer('noop');
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
    this.#server = this.#tracer.startSpan(`${method} ${route}`, { kind: SpanKind.SERVER }, parent);
    setSafeAttributes(this.#server, {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_URL_PATH]: route,
      // The gateway's deployment path is the route: there are no path parameters in it.
      [Semconv.httpRoute]: route,
      [Semconv.faasTrigger]: 'http',
      [Semconv.urlScheme]: forwardedScheme(request),
      [SagaAttr.fnCallId]: request.callId,
    });
    this.#context = trace.setSpan(parent, this.#server);
    this.traceId = tracing ? this.#server.spanContext().traceId : '';
  }

  /** Runs `fn` with the SERVER span active. */
  within<T>(fn: () => Promise<T>): Promise<T> {
    return context.with(this.#context, fn);
  }

  accepted(sms: { provider: string; messageId?: string; from?: string }): void {
    setSafeAttributes(this.#server, {
      [SagaAttr.provider]: sms.provider,
      [SagaAttr.messageId]: sms.messageId,
      [SagaAttr.from]: sms.from ? maskPhone(sms.from) : undefined,
    });
  }

  /** A delivery answered from the journal: its span links to the run's original trace. */
  duplicate(original: { runId: string; traceId?: string; spanId?: string }): void {
    this.#server.setAttribute(SagaAttr.runId, original.runId);
    if (
      original.traceId &&
      original.spanId &&
      isSpanContextValid({ traceId: original.traceId, spanId: original.spanId, traceFlags: TraceFlags.SAMPLED })
    ) {
      this.#server.addLink({
        context: { traceId: original.traceId, spanId: original.spanId, traceFlags: TraceFlags.SAMPLED },
        attributes: { [SagaAttr.runId]: original.runId },
      });
    }
  }

  /** The engine's spans, under the SERVER span. */
  hooks(): SpanHooks {
    return spanHooks(this.#tracer, this.#context);
  }

  /** Remembers why the run failed, for the SERVER span's status. */
  run(result: RunResult<unknown>): void {
    if (result.error) this.#runError = `${result.failedStep ?? 'run'}: ${result.error.message}`;
  }

  /** Ends the SERVER span with the answer's status (ERROR from 500 on). */
  end(status: number, outcome: string): void {
    this.#server.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (status >= 500) {
      this.#server.setStatus({
        code: SpanStatusCode.ERROR,
        message: redactPhones(this.#runError ?? `answered ${status}: ${outcome}`).slice(0, 1_000),
      });
      this.#server.setAttribute(Semconv.errorType, outcome);
    }
    this.#server.end();
  }

  /** Exports the buffered spans once the exporter is ready; throws the export's error. */
  async flush(tracing: Tracing | undefined, exporterReady: Promise<unknown>, budgetMs: number): Promise<void> {
    await exporterReady;
    const error = await tracing?.flush(budgetMs);
    if (error) throw new Error(error);
  }
}

/** The scheme the caller used (the gateway's `X-Forwarded-Proto`), `https` when unsaid; a broken header read is `https` too. */
function forwardedScheme(request: ObservedRequest): string {
  try {
    return request.header('x-forwarded-proto')?.split(',')[0]?.trim() || 'https';
  } catch {
    return 'https';
  }
}
