import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { definedAttributes } from '../../../telemetry/span-attributes.js';
import { markError } from '../../../telemetry/span-hooks.js';
import { createTracing } from '../../../telemetry/tracing.js';

describe('span attributes', () => {
  it('keeps identifiers exactly as they are, digit-heavy ones included, and drops undefined ones', () => {
    const ids = {
      run: '12345678-9012-4345-8789-012345678901',
      sid: 'SM12345678901234567890123456789012',
      call: '01J9Z3K4M5N6P7Q8R9S0T12345',
    };
    expect(
      definedAttributes({
        'saga.run_id': ids.run,
        'sms.message_id': ids.sid,
        'faas.invocation_id': ids.call,
        n: 3,
        b: true,
        u: undefined,
      }),
    ).toEqual({
      'saga.run_id': ids.run,
      'sms.message_id': ids.sid,
      'faas.invocation_id': ids.call,
      n: 3,
      b: true,
    });
  });

  it('takes scalars only, though @opentelemetry/api 1.10 types an attribute value as unknown (a type test: npm run typecheck)', () => {
    // An object (an error, a request body) must not reach a span as a complex attribute unnoticed.
    expectTypeOf<Parameters<typeof definedAttributes>[0]>().toEqualTypeOf<
      Record<string, string | number | boolean | undefined>
    >();
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
