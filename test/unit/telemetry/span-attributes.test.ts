import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { safeAttributes } from '../../../telemetry/span-attributes.js';
import { markError } from '../../../telemetry/span-hooks.js';
import { createTracing } from '../../../telemetry/tracing.js';

describe('span attribute redaction', () => {
  it('masks phone numbers in every string attribute and drops undefined ones', () => {
    expect(safeAttributes({ a: 'lookup of +14155550101 failed', n: 3, b: true, u: undefined, id: 'SM123' })).toEqual({ a: 'lookup of +1415•••0101 failed', n: 3, b: true, id: 'SM123' });
  });

  it('sets ERROR with the (masked) message and error.type', () => {
    const exporter = new InMemorySpanExporter();
    const { tracer } = createTracing({ exporter, serviceName: 't', simple: true });
    const span = tracer.startSpan('s');
    markError(span, { type: 'B2cError', message: 'no contact for 4155550101', retryable: false }, 'fallback');
    span.end();
    const [done] = exporter.getFinishedSpans();
    expect(done!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no contact for 4155•••0101' });
    expect(done!.attributes['error.type']).toBe('B2cError');
  });

  it('never leaves an ERROR span without a message', () => {
    const exporter = new InMemorySpanExporter();
    const { tracer } = createTracing({ exporter, serviceName: 't', simple: true });
    const span = tracer.startSpan('s');
    markError(span, undefined, 'step failed');
    span.end();
    expect(exporter.getFinishedSpans()[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'step failed' });
  });
});
