import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, backoffDelayMs, nextDelayMs, retryPolicy } from '../../../src/engine/retry-policy.js';

const always = (r: number) => (): number => r;

describe('DEFAULT_RETRY_POLICY', () => {
  it('is 200 ms, ×2, capped at 5000 ms, 3 attempts', () => {
    // Assess
    expect(DEFAULT_RETRY_POLICY).toStrictEqual({
      initialDelayMs: 200,
      multiplier: 2,
      maxDelayMs: 5000,
      maxAttempts: 3,
    });
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY)).toBe(true);
  });
});

describe('retryPolicy', () => {
  it('fills the missing fields from the default policy', () => {
    // Act
    const policy = retryPolicy({ maxAttempts: 5, initialDelayMs: undefined });

    // Assess
    expect(policy).toStrictEqual({ initialDelayMs: 200, multiplier: 2, maxDelayMs: 5000, maxAttempts: 5 });
  });

  it('returns the default policy when given nothing', () => {
    // Assess
    expect(retryPolicy()).toStrictEqual(DEFAULT_RETRY_POLICY);
  });

  it.each([
    { partial: { multiplier: 0.5 }, field: 'multiplier' },
    { partial: { multiplier: Number.NaN }, field: 'multiplier' },
    { partial: { maxAttempts: 0 }, field: 'maxAttempts' },
    { partial: { maxAttempts: 2.5 }, field: 'maxAttempts' },
    { partial: { initialDelayMs: -1 }, field: 'initialDelayMs' },
    { partial: { maxDelayMs: -1 }, field: 'maxDelayMs' },
    { partial: { maxDelayMs: Number.POSITIVE_INFINITY }, field: 'maxDelayMs' },
  ])('rejects $partial with a RangeError naming $field', ({ partial, field }) => {
    // Act
    const act = (): unknown => retryPolicy(partial);

    // Assess
    expect(act).toThrow(RangeError);
    expect(act).toThrow(field);
  });

  it.each([
    { partial: { multiplier: 1 } },
    { partial: { maxAttempts: 1 } },
    { partial: { initialDelayMs: 0, maxDelayMs: 0 } },
  ])('accepts the boundary values $partial', ({ partial }) => {
    // Assess
    expect(() => retryPolicy(partial)).not.toThrow();
  });
});

describe('backoffDelayMs', () => {
  it.each([1, 2, 5, 30])('is 0 when random() is 0 (failed attempt %i)', (failedAttempt) => {
    // Assess
    expect(backoffDelayMs(DEFAULT_RETRY_POLICY, failedAttempt, always(0))).toBe(0);
  });

  it.each([
    [1, 200],
    [2, 400],
    [3, 800],
    [4, 1600],
    [5, 3200],
    [6, 5000],
    [40, 5000],
  ])('after failed attempt %i is bounded by %i ms', (failedAttempt, bound) => {
    // Act
    const atOne = backoffDelayMs(DEFAULT_RETRY_POLICY, failedAttempt, always(1));
    const atHalf = backoffDelayMs(DEFAULT_RETRY_POLICY, failedAttempt, always(0.5));

    // Assess
    expect(atOne).toBe(bound);
    expect(atHalf).toBe(bound / 2);
  });

  it('approaches the cap as random() approaches 1', () => {
    // Act
    const delay = backoffDelayMs(DEFAULT_RETRY_POLICY, 10, always(0.999_999));

    // Assess
    expect(delay).toBeCloseTo(4999.995, 6);
    expect(delay).toBeLessThan(5000);
  });

  it('never exceeds maxDelayMs, even with a misbehaving random source', () => {
    // Prepare
    const randoms = [0, 0.25, 0.5, 0.999_999, 1, 1.5];

    // Act
    const delays = Array.from({ length: 60 }, (_, i) => i + 1).flatMap((n) =>
      randoms.map((r) => backoffDelayMs(DEFAULT_RETRY_POLICY, n, always(r))),
    );

    // Assess
    expect(Math.max(...delays)).toBe(5000);
    expect(Math.min(...delays)).toBe(0);
  });

  it('grows by the multiplier per failed attempt until the cap', () => {
    // Prepare
    const policy = retryPolicy({ initialDelayMs: 100, multiplier: 3, maxDelayMs: 10_000 });

    // Act
    const bounds = [1, 2, 3, 4, 5].map((n) => backoffDelayMs(policy, n, always(1)));

    // Assess
    expect(bounds).toStrictEqual([100, 300, 900, 2700, 8100]);
    expect(backoffDelayMs(policy, 6, always(1))).toBe(10_000);
  });

  it('stays constant with multiplier 1', () => {
    // Prepare
    const policy = retryPolicy({ initialDelayMs: 250, multiplier: 1 });

    // Assess
    expect([1, 2, 9].map((n) => backoffDelayMs(policy, n, always(1)))).toStrictEqual([250, 250, 250]);
  });

  it('is 0, not NaN, with a 0 initial delay once multiplier^n overflows', () => {
    // Prepare
    const policy = retryPolicy({ initialDelayMs: 0, multiplier: 10 });

    // Assess
    expect(backoffDelayMs(policy, 500, always(1))).toBe(0);
  });

  it.each([0, -1, 1.5])('rejects failed attempt %d', (failedAttempt) => {
    // Assess
    expect(() => backoffDelayMs(DEFAULT_RETRY_POLICY, failedAttempt, always(0.5))).toThrow(RangeError);
  });
});

describe('nextDelayMs', () => {
  it.each([
    { random: 0.5, retryAfterMs: undefined, expected: 100 },
    { random: 0.5, retryAfterMs: 1000, expected: 1000 },
    { random: 0.5, retryAfterMs: 50, expected: 100 },
    { random: 0, retryAfterMs: 0, expected: 0 },
    { random: 0, retryAfterMs: 30_000, expected: 30_000 },
  ])('is $expected ms for random $random and retryAfterMs $retryAfterMs', ({ random, retryAfterMs, expected }) => {
    // Assess
    expect(nextDelayMs(DEFAULT_RETRY_POLICY, 1, always(random), retryAfterMs)).toBe(expected);
  });
});
