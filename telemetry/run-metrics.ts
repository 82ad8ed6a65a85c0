/**
 * A finished run as datapoints: the error-rate metric, durations and attempts per step, and
 * whether its compensation failed.
 */
import type { RunResult } from '../src/engine/index.js';
import type { MetricBatch } from './metric-batch.js';

export function recordRunMetrics(
  batch: MetricBatch,
  result: RunResult<unknown>,
  base: { functionName: string; provider: string },
): void {
  batch.add('IncidentCreationFailed', base, result.status === 'succeeded' ? 0 : 1);
  batch.add('RunDuration', base, result.durationMs);
  for (const step of result.steps) {
    if (step.attempts.length === 0) continue; // skipped or never reached
    batch.add('StepDuration', { functionName: base.functionName, step: step.name }, step.durationMs);
    batch.add('StepAttempts', { functionName: base.functionName, step: step.name }, step.attempts.length);
  }
  if (result.compensation !== 'none') batch.add('CompensationFailed', base, result.compensation === 'failed' ? 1 : 0);
}
