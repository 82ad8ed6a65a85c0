import { describe, expect, it } from 'vitest';
import { leavesRoomForAttempt, planAttempt, runBudget } from '../../../src/engine/deadline.js';

describe('runBudget', () => {
  it('reserves 500 ms for the answer and 3000 ms for compensations by default', () => {
    // Act
    const budget = runBudget({ deadline: 10_000 });

    // Assess
    expect(budget).toStrictEqual({
      deadline: 10_000,
      forward: { end: 6500, minAttemptMs: 100 },
      compensation: { end: 9500, minAttemptMs: 100 },
    });
  });

  it('uses the given margins', () => {
    // Act
    const budget = runBudget({ deadline: 10_000, finalMarginMs: 1000, compensationReserveMs: 0, minAttemptMs: 50 });

    // Assess
    expect(budget).toStrictEqual({
      deadline: 10_000,
      forward: { end: 9000, minAttemptMs: 50 },
      compensation: { end: 9000, minAttemptMs: 50 },
    });
  });

  it.each([
    { options: { deadline: Number.NaN }, field: 'deadline' },
    { options: { deadline: 1, finalMarginMs: -1 }, field: 'finalMarginMs' },
    { options: { deadline: 1, compensationReserveMs: -1 }, field: 'compensationReserveMs' },
    { options: { deadline: 1, minAttemptMs: 0 }, field: 'minAttemptMs' },
  ])('rejects $options with a RangeError naming $field', ({ options, field }) => {
    // Act
    const act = (): unknown => runBudget(options);

    // Assess
    expect(act).toThrow(RangeError);
    expect(act).toThrow(field);
  });
});

describe('planAttempt', () => {
  const window = { end: 1000, minAttemptMs: 100 };

  it.each([
    { now: 0, stepTimeoutMs: 300, expected: { start: true, timeoutMs: 300 } },
    { now: 400, stepTimeoutMs: 5000, expected: { start: true, timeoutMs: 600 } },
    { now: 900, stepTimeoutMs: 5000, expected: { start: true, timeoutMs: 100 } },
    { now: 901, stepTimeoutMs: 5000, expected: { start: false, remainingMs: 99 } },
    { now: 1200, stepTimeoutMs: 5000, expected: { start: false, remainingMs: -200 } },
  ])('at $now with a $stepTimeoutMs ms step timeout → $expected', ({ now, stepTimeoutMs, expected }) => {
    // Assess
    expect(planAttempt(window, stepTimeoutMs, now)).toStrictEqual(expected);
  });
});

describe('leavesRoomForAttempt', () => {
  const window = { end: 1000, minAttemptMs: 100 };

  it.each([
    { now: 500, delayMs: 0, expected: true },
    { now: 500, delayMs: 400, expected: true },
    { now: 500, delayMs: 400.5, expected: false },
    { now: 950, delayMs: 0, expected: false },
  ])('at $now, a $delayMs ms back-off leaves room: $expected', ({ now, delayMs, expected }) => {
    // Assess
    expect(leavesRoomForAttempt(window, delayMs, now)).toBe(expected);
  });
});
