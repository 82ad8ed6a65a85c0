import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src/engine/index.js';
import { MetricBatch } from '../../../telemetry/metric-batch.js';
import { METRIC_DIMENSIONS, MetricName } from '../../../telemetry/metric-names.js';
import { recordRunMetrics } from '../../../telemetry/run-metrics.js';

const BASE = { functionName: 'sms-incident', provider: 'twilio' };
const attempt = (n: number, outcome: 'succeeded' | 'failed' = 'succeeded') => ({
  attempt: n,
  startedAt: 0,
  durationMs: 5,
  outcome,
});

function result(overrides: Partial<RunResult<unknown>>): RunResult<unknown> {
  return {
    runId: 'r',
    workflow: 'sms-to-incident',
    status: 'succeeded',
    state: {},
    steps: [
      { name: 'lookup-contact', outcome: 'succeeded', attempts: [attempt(1, 'failed'), attempt(2)], durationMs: 40 },
      { name: 'create-contact', outcome: 'skipped', attempts: [], durationMs: 0 },
      { name: 'create-incident', outcome: 'succeeded', attempts: [attempt(1)], durationMs: 20 },
    ],
    compensations: [],
    compensation: 'none',
    startedAt: 0,
    durationMs: 75,
    ...overrides,
  };
}

describe('recordRunMetrics', () => {
  it('emits IncidentCreationFailed=0, durations and attempts per executed step for a created incident', () => {
    const batch = new MetricBatch(() => 0);
    recordRunMetrics(batch, result({}), BASE);
    expect(batch.entries()).toEqual([
      { name: 'IncidentCreationFailed', dimensions: BASE, value: 0 },
      { name: 'RunDuration', dimensions: BASE, value: 75 },
      { name: 'StepDuration', dimensions: { functionName: 'sms-incident', step: 'lookup-contact' }, value: 40 },
      { name: 'StepAttempts', dimensions: { functionName: 'sms-incident', step: 'lookup-contact' }, value: 2 },
      { name: 'StepDuration', dimensions: { functionName: 'sms-incident', step: 'create-incident' }, value: 20 },
      { name: 'StepAttempts', dimensions: { functionName: 'sms-incident', step: 'create-incident' }, value: 1 },
    ]);
  });

  it('emits IncidentCreationFailed=1 and CompensationFailed for a compensated failed run', () => {
    const batch = new MetricBatch(() => 0);
    recordRunMetrics(batch, result({ status: 'failed', compensation: 'failed' }), BASE);
    expect(
      batch
        .entries()
        .filter((e) => e.name === 'IncidentCreationFailed' || e.name === 'CompensationFailed')
        .map((e) => [e.name, e.value]),
    ).toEqual([
      ['IncidentCreationFailed', 1],
      ['CompensationFailed', 1],
    ]);
  });
});

describe('MetricBatch', () => {
  it('keeps exactly the declared dimensions of each metric, never an empty value', () => {
    const batch = new MetricBatch(() => 0);
    batch.add('WebhookRejected', { functionName: 'f', reason: '' }, 1);
    const [datum] = batch.toMetricData({ namespace: 'sms_incident', compartmentId: 'ocid1.compartment.oc1..x' })[0]!;
    expect(datum!.dimensions).toEqual({ functionName: 'f', reason: 'unknown' });
    expect(datum!.metadata).toEqual({ unit: 'count' });
  });

  it('groups datapoints by stream and splits calls at 50 streams', () => {
    const batch = new MetricBatch(() => 0);
    for (let i = 0; i < 120; i++) batch.add('StepAttempts', { functionName: 'f', step: `s${i % 60}` }, 1);
    const chunks = batch.toMetricData({ namespace: 'n', compartmentId: 'c', resourceGroup: 'rg' });
    expect(chunks.map((c) => c.length)).toEqual([50, 10]);
    expect(chunks[0]![0]!.datapoints).toHaveLength(2);
    expect(chunks[0]![0]!.resourceGroup).toBe('rg');
  });

  it('declares at least one and at most 20 dimensions for every metric', () => {
    for (const name of Object.values(MetricName)) {
      expect(METRIC_DIMENSIONS[name].length).toBeGreaterThanOrEqual(1);
      expect(METRIC_DIMENSIONS[name].length).toBeLessThanOrEqual(20);
    }
  });
});
