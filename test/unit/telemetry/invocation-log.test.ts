import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { invocationLog } from '../../../telemetry/invocation-log.js';
import { createTracing } from '../../../telemetry/tracing.js';

describe('invocationLog', () => {
  it('holds debug lines back until released, writes the rest at once and queues them for shipping', () => {
    // Prepare
    const out: string[] = [];
    const il = invocationLog({ level: 'info', write: (l) => out.push(l), ship: true, base: { fnCallId: 'call-1' } });

    // Act
    il.log.debug('attempt started', { step: 'lookup-contact', attempt: 1 });
    il.log.info('webhook accepted');

    // Assess
    expect(out.map((l) => JSON.parse(l).message)).toEqual(['webhook accepted']);
    il.releaseDebug();
    expect(out.map((l) => JSON.parse(l).message)).toEqual(['webhook accepted', 'attempt started']);
    expect(il.batch.lines).toEqual(out);
    expect(JSON.parse(out[1]!)).toMatchObject({
      level: 'debug',
      fnCallId: 'call-1',
      step: 'lookup-contact',
      attempt: 1,
    });
  });

  it('writes debug lines at once when the level is debug, and queues nothing when not shipping', () => {
    const out: string[] = [];
    const il = invocationLog({ level: 'debug', write: (l) => out.push(l), ship: false, base: {} });
    il.log.debug('x');
    expect(out).toHaveLength(1);
    expect(il.batch.lines).toEqual([]);
  });

  it('puts the active trace and span ids on each line', () => {
    const tracing = createTracing({ exporter: new InMemorySpanExporter(), serviceName: 't', simple: true });
    const out: string[] = [];
    const il = invocationLog({ level: 'info', write: (l) => out.push(l), ship: false, base: {} });
    const span = tracing.tracer.startSpan('s', {}, ROOT_CONTEXT);
    context.with(trace.setSpan(ROOT_CONTEXT, span), () => il.log.info('inside'));
    il.log.info('outside');
    span.end();
    expect(JSON.parse(out[0]!)).toMatchObject({
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
    });
    expect(JSON.parse(out[1]!).traceId).toBeUndefined();
  });
});
