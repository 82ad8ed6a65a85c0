import { describe, expect, it } from 'vitest';
import { AttemptTimeoutError, inDoubtOf } from '../../../src/engine/index.js';
import type { EarlierAttempt, RunInfo } from '../../../src/engine/types.js';
import { settledAt } from '../../../workflows/sms-to-incident.js';

const WINDOW = 12_000;
const LAG = 0;
const attempt = (endedAt: number, error: unknown): EarlierAttempt => ({
  attempt: 1,
  startedAt: endedAt - 5_000,
  endedAt,
  error,
  inDoubt: inDoubtOf(error),
});
const timedOut = (endedAt: number): EarlierAttempt =>
  attempt(endedAt, new AttemptTimeoutError('create-incident timed out after 5000 ms'));
const refused = (endedAt: number): EarlierAttempt =>
  attempt(endedAt, Object.assign(new Error('HTTP 400'), { status: 400, retryable: false, inDoubt: false }));
const run = (info: Partial<RunInfo> = {}): RunInfo => ({
  startedAt: 0,
  executionStartedAt: 0,
  recovering: false,
  ...info,
});

describe('Function: settledAt (when a write abandoned in flight can no longer land)', () => {
  it('is 0 when nothing was abandoned', () => {
    expect(settledAt({ run: run(), earlierAttempts: [] }, WINDOW, LAG)).toBe(0);
    expect(settledAt({ run: run(), earlierAttempts: [refused(1_000)] }, WINDOW, LAG)).toBe(0);
  });

  it("waits out a crashed execution's abandoned write (abandonedAt) plus the window when the run is recovering", () => {
    expect(settledAt({ run: run({ recovering: true, abandonedAt: 50_000 }), earlierAttempts: [] }, WINDOW, LAG)).toBe(
      62_000,
    );
  });

  it('ignores abandonedAt on a run that is not recovering', () => {
    expect(settledAt({ run: run({ abandonedAt: 50_000 }), earlierAttempts: [] }, WINDOW, LAG)).toBe(0);
  });

  it("waits for the latest of this execution's timed-out attempts and the crashed execution's", () => {
    const recovering = run({ recovering: true, abandonedAt: 50_000 });
    expect(settledAt({ run: recovering, earlierAttempts: [timedOut(40_000)] }, WINDOW, LAG)).toBe(62_000);
    expect(settledAt({ run: recovering, earlierAttempts: [timedOut(70_000)] }, WINDOW, LAG)).toBe(82_000);
    expect(settledAt({ run: run(), earlierAttempts: [timedOut(70_000), refused(90_000)] }, WINDOW, LAG)).toBe(82_000);
  });

  it("counts a recovering run's earlier writes from when its earlier executions ended, else from this one's start", () => {
    const restarted = run({ recovering: true, executionStartedAt: 300_000 });
    expect(settledAt({ run: restarted, earlierAttempts: [] }, WINDOW, 1_500)).toBe(301_500);
    expect(
      settledAt({ run: { ...restarted, earlierExecutionsEndedAt: 120_000 }, earlierAttempts: [] }, WINDOW, 1_500),
    ).toBe(121_500);
    // An abandoned write still counts from when it was abandoned, plus the window.
    const both = { ...restarted, earlierExecutionsEndedAt: 120_000, abandonedAt: 119_000 };
    expect(settledAt({ run: both, earlierAttempts: [] }, WINDOW, 1_500)).toBe(132_500);
  });

  it('adds the search lag to every wait', () => {
    expect(settledAt({ run: run(), earlierAttempts: [timedOut(70_000)] }, WINDOW, 1_500)).toBe(83_500);
  });
});
