import { describe, expect, it } from 'vitest';
import { AttemptTimeoutError } from '../../../src/engine/index.js';
import type { EarlierAttempt } from '../../../src/engine/types.js';
import { settledAt } from '../../../workflows/sms-to-incident.js';

const WINDOW = 12_000;
const timedOut = (endedAt: number): EarlierAttempt => ({
  attempt: 1,
  startedAt: endedAt - 5_000,
  endedAt,
  error: new AttemptTimeoutError('create-incident timed out after 5000 ms'),
});
const refused = (endedAt: number): EarlierAttempt => ({
  attempt: 1,
  startedAt: endedAt - 10,
  endedAt,
  error: Object.assign(new Error('HTTP 400'), { status: 400, retryable: false }),
});

describe('Function: settledAt (when a write abandoned in flight can no longer land)', () => {
  it('is 0 when nothing was abandoned', () => {
    expect(settledAt({ recovering: false }, { earlierAttempts: [] }, WINDOW)).toBe(0);
    expect(settledAt({ recovering: true }, { earlierAttempts: [refused(1_000)] }, WINDOW)).toBe(0);
  });

  it("waits out a crashed execution's abandoned write (abandonedAt) plus the window when the run is recovering", () => {
    expect(settledAt({ recovering: true, abandonedAt: 50_000 }, { earlierAttempts: [] }, WINDOW)).toBe(62_000);
  });

  it('ignores abandonedAt on a run that is not recovering', () => {
    expect(settledAt({ recovering: false, abandonedAt: 50_000 }, { earlierAttempts: [] }, WINDOW)).toBe(0);
  });

  it("waits for the latest of this execution's timed-out attempts and the crashed execution's", () => {
    expect(settledAt({ recovering: true, abandonedAt: 50_000 }, { earlierAttempts: [timedOut(40_000)] }, WINDOW)).toBe(
      62_000,
    );
    expect(settledAt({ recovering: true, abandonedAt: 50_000 }, { earlierAttempts: [timedOut(70_000)] }, WINDOW)).toBe(
      82_000,
    );
    expect(settledAt({ recovering: false }, { earlierAttempts: [timedOut(70_000), refused(90_000)] }, WINDOW)).toBe(
      82_000,
    );
  });
});
