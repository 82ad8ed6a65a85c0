import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RetryableError, TerminalError, runWorkflow, type WorkflowDefinition } from '../../../src/engine/index.js';
import { combineHooks } from '../../../telemetry/combine-hooks.js';
import { spanHooks } from '../../../telemetry/span-hooks.js';
import { tracedFetch } from '../../../telemetry/traced-fetch.js';
import { createTracing } from '../../../telemetry/tracing.js';

const exporter = new InMemorySpanExporter();
const tracing = createTracing({ exporter, serviceName: 'test', simple: true });
const FAST = { initialDelayMs: 1, multiplier: 1, maxDelayMs: 1, maxAttempts: 3 } as const;
let server: http.Server;
let base = '';
let failuresLeft = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url?.startsWith('/flaky') && failuresLeft-- > 0) res.writeHead(503).end();
    else if (req.url?.startsWith('/gone')) res.writeHead(404).end();
    else res.writeHead(200).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => exporter.reset());

const byName = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);
const parentOf = (spans: ReadableSpan[], span: ReadableSpan) =>
  spans.find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId);

async function run<S extends object>(flow: WorkflowDefinition<S>, state: S) {
  const root = tracing.tracer.startSpan('POST /webhooks', { kind: SpanKind.SERVER }, ROOT_CONTEXT);
  const result = await runWorkflow(flow, state, {
    runId: 'run-1',
    deadline: Date.now() + 20_000,
    hooks: combineHooks(spanHooks(tracing.tracer, trace.setSpan(ROOT_CONTEXT, root))),
  });
  root.end();
  return { result, spans: exporter.getFinishedSpans(), root };
}

describe('span hooks', () => {
  it('nests CLIENT spans under attempt spans under the step under the run, and records the retry', async () => {
    // Prepare
    failuresLeft = 2;
    const f = tracedFetch(fetch, tracing.tracer);
    const flow: WorkflowDefinition<{ ok?: boolean }> = {
      name: 'sms-to-incident',
      steps: [
        {
          name: 'lookup-contact',
          retry: FAST,
          run: async (_s, ctx) => {
            const res = await f(`${base}/flaky?q=phones.number%3D'%2B14155550101'`, { signal: ctx.signal });
            if (res.status === 503) throw new RetryableError('B2C Service answered 503');
            return { ok: true };
          },
        },
      ],
    };

    // Act
    const { result, spans, root } = await run(flow, {});

    // Assess
    expect(result.status).toBe('succeeded');
    const [runSpan] = byName(spans, 'saga.run sms-to-incident');
    const [step] = byName(spans, 'saga.step lookup-contact');
    const attempts = byName(spans, 'saga.attempt lookup-contact').sort(
      (a, b) => Number(a.attributes['saga.attempt']) - Number(b.attributes['saga.attempt']),
    );
    const clients = spans.filter((s) => s.kind === SpanKind.CLIENT);
    expect(parentOf(spans, runSpan!)?.spanContext().spanId).toBe(root.spanContext().spanId);
    expect(parentOf(spans, step!)).toBe(runSpan);
    expect(attempts).toHaveLength(3);
    for (const a of attempts) expect(parentOf(spans, a)).toBe(step);
    expect(clients).toHaveLength(3);
    for (const c of clients) expect(attempts).toContain(parentOf(spans, c));
    expect(attempts[0]!.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'B2C Service answered 503' });
    expect(attempts[0]!.attributes).toMatchObject({ 'saga.will_retry': true, 'error.type': 'RetryableError' });
    expect(attempts[0]!.events.map((e) => e.name)).toContain('retry scheduled');
    expect(attempts[2]!.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(step!.attributes['saga.attempts']).toBe(3);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    // no phone number, no query string on the CLIENT spans
    expect(clients[0]!.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.response.status_code': 503,
      'server.address': '127.0.0.1',
    });
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toMatch(/4155550101|q=/);
  });

  it('marks the failed step, the run and the compensation with ERROR and their messages', async () => {
    // Prepare
    const f = tracedFetch(fetch, tracing.tracer);
    const flow: WorkflowDefinition<{ id?: number }> = {
      name: 'sms-to-incident',
      steps: [
        {
          name: 'create-incident',
          retry: FAST,
          run: async () => ({ id: 1 }),
          compensate: async () => {
            await f(`${base}/gone/incidents/1`, { method: 'DELETE' });
            throw new TerminalError('delete incident 1 answered 404');
          },
        },
        {
          name: 'add-thread',
          retry: { ...FAST, maxAttempts: 1 },
          run: async () => {
            throw new TerminalError('B2C Service answered 400 for +14155550101');
          },
        },
      ],
    };

    // Act
    const { result, spans } = await run(flow, {});

    // Assess
    expect(result.status).toBe('failed');
    const [runSpan] = byName(spans, 'saga.run sms-to-incident');
    const [failed] = byName(spans, 'saga.step add-thread');
    const [undo] = byName(spans, 'saga.compensate create-incident');
    const [undoAttempt] = byName(spans, 'saga.compensate.attempt create-incident').filter(
      (s) => s.attributes['saga.compensation'] === true,
    );
    expect(failed!.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'B2C Service answered 400 for +1415•••0101',
    });
    expect(runSpan!.status.code).toBe(SpanStatusCode.ERROR);
    expect(runSpan!.status.message).toContain('400');
    expect(runSpan!.attributes).toMatchObject({ 'saga.failed_step': 'add-thread', 'saga.compensation': 'failed' });
    expect(parentOf(spans, undo!)).toBe(runSpan);
    expect(parentOf(spans, undoAttempt!)).toBe(undo);
    expect(undo!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'delete incident 1 answered 404' });
    const client = spans.find((s) => s.kind === SpanKind.CLIENT);
    expect(parentOf(spans, client!)).toBe(undoAttempt);
    expect(client!.status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'HTTP 404' });
    expect(spans.every((s) => s.ended)).toBe(true);
  });
});
