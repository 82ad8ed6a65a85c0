import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src/engine/index.js';
import { runSummary } from '../../../telemetry/run-log.js';
import { RunTimeline, formatRun, parseRunLine } from '../../../telemetry/run-timeline.js';

const attempt = (n: number, outcome: 'succeeded' | 'failed' = 'succeeded') => ({
  attempt: n,
  startedAt: 0,
  durationMs: 5,
  outcome,
});
const failed: RunResult<unknown> = {
  runId: 'run-9',
  workflow: 'sms-to-incident',
  status: 'failed',
  state: {},
  steps: [
    { name: 'lookup-contact', outcome: 'succeeded', attempts: [attempt(1)], durationMs: 12 },
    { name: 'create-contact', outcome: 'succeeded', attempts: [attempt(1)], durationMs: 30 },
    {
      name: 'create-incident',
      outcome: 'failed',
      attempts: [attempt(1, 'failed'), attempt(2, 'failed'), attempt(3, 'failed')],
      durationMs: 900,
      error: { type: 'B2cError', message: 'B2C Service answered 503', retryable: true },
    },
    { name: 'add-thread', outcome: 'not-run', attempts: [], durationMs: 0 },
  ],
  compensations: [{ step: 'create-contact', outcome: 'failed', attempts: [attempt(1, 'failed')], durationMs: 40 }],
  compensation: 'failed',
  failedStep: 'create-incident',
  error: { type: 'B2cError', message: 'B2C Service answered 503', retryable: true },
  startedAt: 0,
  durationMs: 1000,
};

describe('run timeline', () => {
  it('rebuilds a run from its summary log line and prints it for a person', () => {
    const line = JSON.stringify({
      level: 'error',
      time: '2026-11-27T18:00:00.000Z',
      message: 'run failed',
      traceId: 'abc',
      provider: 'twilio',
      from: '+1336•••0652',
      ...runSummary(failed),
    });
    const run = parseRunLine(line)!;
    expect(run.steps).toEqual([
      { name: 'lookup-contact', outcome: 'succeeded', durationMs: 12, attempts: 1 },
      { name: 'create-contact', outcome: 'succeeded', durationMs: 30, attempts: 1 },
      { name: 'create-incident', outcome: 'failed', durationMs: 900, attempts: 3 },
      { name: 'add-thread', outcome: 'not-run' },
    ]);
    expect(run.compensations).toEqual([{ name: 'create-contact', outcome: 'failed', durationMs: 40, attempts: 1 }]);
    const text = formatRun(run);
    expect(text.split('\n')[0]).toBe('run run-9 FAILED in 1000 ms · twilio from +1336•••0652 · trace abc');
    expect(text).toMatch(/✗ create-incident\s+failed\s+900 ms {2}3 attempts/);
    expect(text).toContain('error: B2cError: B2C Service answered 503');
    expect(text).toContain('compensation FAILED: manual clean-up needed');
  });

  it('ignores other lines and keeps the newest runs first, up to its limit', () => {
    const t = new RunTimeline(2);
    expect(t.ingest('{"level":"info","message":"webhook accepted"}')).toBeUndefined();
    expect(t.ingest('not json "message":"run ')).toBeUndefined();
    for (const id of ['a', 'b', 'c'])
      t.ingest(JSON.stringify({ time: 't', message: 'run failed', ...runSummary({ ...failed, runId: id }) }));
    expect(t.list().map((r) => r.runId)).toEqual(['c', 'b']);
  });
});
