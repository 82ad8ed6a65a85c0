import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src/engine/index.js';
import { type FlushTargets, Invocation, type TelemetryKind } from '../../../telemetry/invocation.js';
import { invocationLog } from '../../../telemetry/invocation-log.js';
import { InvocationMetrics } from '../../../telemetry/invocation-metrics.js';
import { InvocationTrace, type ObservedRequest } from '../../../telemetry/invocation-trace.js';
import type { MetricsSink } from '../../../telemetry/metrics-sink.js';
import { createTracing } from '../../../telemetry/tracing.js';

const request: ObservedRequest = {
  header: () => null,
  url: '/webhooks/sms-to-incident',
  method: 'POST',
  callId: 'call-1',
};
const failedRun = {
  status: 'failed',
  failedStep: 'create-incident',
  error: { type: 'B2cError', message: 'answered 400', retryable: false },
  steps: [],
  compensation: 'completed',
  durationMs: 12,
} as unknown as RunResult<unknown>;

describe('InvocationMetrics, alone', () => {
  it('counts the answer and the run with the accepted provider, and posts them in one flush', async () => {
    // Prepare
    const metrics = new InvocationMetrics('fn');
    const posted: string[] = [];
    const sink: MetricsSink = {
      post: async (batch) => {
        for (const e of batch.entries())
          posted.push(`${e.name}=${e.value} ${e.dimensions.provider ?? e.dimensions.outcome ?? ''}`);
        return { posted: batch.size, refused: [] };
      },
    };

    // Act
    metrics.accepted('twilio');
    metrics.run(failedRun);
    const answered = metrics.answered(502, 'run_failed');
    const refused = await metrics.flush(sink, 100);

    // Assess
    expect(answered).toEqual({ outcome: 'run_failed', fault: 'run' });
    expect(refused).toEqual([]);
    expect(posted).toEqual(
      expect.arrayContaining([
        'IncidentCreationFailed=1 twilio',
        'RunDuration=12 twilio',
        'CompensationFailed=0 twilio',
        'WebhookAnswered=1 run_failed',
      ]),
    );
  });

  it('has nothing to post without a sink (metrics off)', async () => {
    const metrics = new InvocationMetrics('fn');
    metrics.rejected('signature');
    expect(await metrics.flush(undefined, 100)).toEqual([]);
  });
});

describe('InvocationTrace, alone', () => {
  it('ends the SERVER span with the answer, ERROR naming the failed step, and exports it in its flush', async () => {
    // Prepare
    const exporter = new InMemorySpanExporter();
    const tracing = createTracing({ exporter, serviceName: 't' });
    const trace = new InvocationTrace(tracing, request);

    // Act
    trace.run(failedRun);
    trace.end(502, 'run_failed');
    const before = exporter.getFinishedSpans().length;
    await trace.flush(tracing, Promise.resolve(), 1_000);

    // Assess: batched until the flush
    expect(before).toBe(0);
    const [server] = exporter.getFinishedSpans();
    expect(server?.name).toBe('POST /webhooks/sms-to-incident');
    expect(server?.status.message).toBe('create-incident: answered 400');
    expect(server?.spanContext().traceId).toBe(trace.traceId);
  });
});

describe('Invocation', () => {
  function targets(calls: string[], release: Promise<void>): FlushTargets {
    return {
      functionName: 'fn',
      budgetMs: 100,
      sinks: Promise.resolve({}),
      tracing: undefined,
      exporterReady: () => release,
      guard: async (kind: TelemetryKind, work) => {
        calls.push(`start ${kind}`);
        await work();
        calls.push(`done ${kind}`);
      },
      warn: () => undefined,
    };
  }

  it('flushes its three parts at once, and only once: the first end() decides, a later one waits for it', async () => {
    // Prepare
    const calls: string[] = [];
    let release!: () => void;
    const exporterReady = new Promise<void>((r) => (release = r));
    const metrics = new InvocationMetrics('fn');
    const inv = new Invocation(
      new InvocationTrace(undefined, request),
      metrics,
      invocationLog({ level: 'info', write: () => undefined, ship: false, base: {} }),
      targets(calls, exporterReady),
      'call-1',
    );

    // Act
    const first = inv.end(200, 'created');
    const second = inv.end(500, 'internal_error');
    await Promise.resolve();
    const started = [...calls];
    release();
    await Promise.all([first, second]);

    // Assess
    expect(second).toBe(first);
    expect(started).toEqual(['start metrics', 'start logs', 'start traces']);
    expect(calls.filter((c) => c.startsWith('done'))).toHaveLength(3);
    expect(
      metrics.batch
        .entries()
        .filter((e) => e.name === 'WebhookAnswered')
        .map((e) => e.dimensions.outcome),
    ).toEqual(['created']);
  });
});
