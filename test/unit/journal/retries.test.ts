import { describe, expect, it } from 'vitest';
import { JournalError } from '../../../src/journal/index.js';
import {
  isTransientJournalError,
  RetryBudget,
  retryDelay,
  withRetries,
  type RetryPolicy,
} from '../../../src/journal/retries.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';

const transient = new JournalError('Object Storage put failed: 503 ServiceUnavailable', { transient: true });
const always = () => true;

describe('Function: retryDelay (the retry decision)', () => {
  const policy: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 2_000, retryable: always };

  it('doubles the pause after each failure, up to the cap, without jitter', () => {
    // Act
    const pauses = [1, 2, 3, 4, 5].map((failures) => retryDelay(policy, failures, transient, T0));

    // Assess
    expect(pauses).toEqual([200, 400, 800, 1_600, 2_000]);
  });

  it('adds up to half the pause again at random with jitter, never less than the back-off', () => {
    // Prepare
    const jittered = { ...policy, jitter: true };

    // Act / Assess
    expect(retryDelay(jittered, 2, transient, T0, () => 0)).toBe(400);
    expect(retryDelay(jittered, 2, transient, T0, () => 0.5)).toBe(500);
    expect(retryDelay(jittered, 2, transient, T0, () => 0.999_999)).toBe(600);
    expect(retryDelay(jittered, 5, transient, T0, () => 0.999_999)).toBe(3_000);
  });

  it('stops once the tries are spent', () => {
    expect(retryDelay(policy, 5, transient, T0)).toBe(2_000);
    expect(retryDelay(policy, 6, transient, T0)).toBeUndefined();
    expect(retryDelay({ ...policy, attempts: 1 }, 1, transient, T0)).toBeUndefined();
  });

  it('stops at an error not worth another try', () => {
    // Prepare
    const onlyTransient = { ...policy, retryable: isTransientJournalError };

    // Act / Assess
    expect(retryDelay(onlyTransient, 1, new JournalError('no such bucket'), T0)).toBeUndefined();
    expect(retryDelay(onlyTransient, 1, transient, T0)).toBe(200);
  });

  it('stops when the pause and the shortest try would not end by `until`', () => {
    // Prepare
    const bounded = { ...policy, until: T0 + 1_000, minAttemptMs: 300 };

    // Act / Assess: 200 + 300 fits in 1000; 400 + 300 does not fit in 500
    expect(retryDelay(bounded, 1, transient, T0)).toBe(200);
    expect(retryDelay(bounded, 1, transient, T0 + 500)).toBe(200);
    expect(retryDelay(bounded, 1, transient, T0 + 501)).toBeUndefined();
    expect(retryDelay(bounded, 2, transient, T0 + 301)).toBeUndefined();
  });

  it('retries every error by default, three tries in all', () => {
    expect(retryDelay({}, 1, new Error('x'), T0)).toBe(100);
    expect(retryDelay({}, 2, new Error('x'), T0)).toBe(200);
    expect(retryDelay({}, 3, new Error('x'), T0)).toBeUndefined();
  });
});

describe('Function: isTransientJournalError', () => {
  it.each([
    ['a refusal the store calls transient (5xx, 429, no answer)', transient, true],
    ['a write whose outcome is unknown', new JournalError('connection reset', { inDoubt: true }), true],
    ['a refusal that will not pass by itself (a 401, no bucket, a bad record)', new JournalError('401'), false],
    ['an error that is not the journal’s', new Error('boom'), false],
    ['something thrown that is not an error', 'boom', false],
  ] as const)('%s: %s', (_, error, expected) => {
    expect(isTransientJournalError(error)).toBe(expected);
  });
});

describe('Class: RetryBudget', () => {
  it('counts the failures of several calls against one budget', async () => {
    // Prepare
    const clock = new FakeClock();
    const budget = new RetryBudget({ attempts: 3, baseDelayMs: 100, retryable: always }, clock);

    // Act
    await budget.afterFailure(transient);
    await budget.afterFailure(transient);
    const third = budget.afterFailure(transient);

    // Assess
    await expect(third).rejects.toBe(transient);
    expect(clock.sleeps).toEqual([100, 200]);
  });

  it('waits for the first try whatever the deadline, and for a later one only until `until`', async () => {
    // Prepare: 20 ms to go; each try answers in 40 ms
    const budget = new RetryBudget({ until: Date.now() + 20, baseDelayMs: 0 });
    const slow = (value: string) => new Promise((r) => setTimeout(() => r(value), 40));

    // Act
    const first = await budget.answered(slow('first'));
    const failed = new RetryBudget({ until: Date.now() + 20, baseDelayMs: 0 });
    await failed.afterFailure(transient);
    const later = await failed.answered(slow('later')).catch((e: unknown) => e);

    // Assess
    expect(first).toBe('first');
    expect(later).toBeInstanceOf(JournalError);
  });

  it('stops waiting for an answer at `until`, with a transient error that says the write is in doubt', async () => {
    // Prepare: a try failed; the next never answers
    const budget = new RetryBudget({ until: Date.now() + 50, baseDelayMs: 0 });
    await budget.afterFailure(transient);

    // Act
    const error = await budget.answered(new Promise(() => undefined)).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(JournalError);
    expect(error).toMatchObject({ inDoubt: 'settled' });
    expect(isTransientJournalError(error)).toBe(true);
  });

  it('passes an answer that comes in time, and a late rejection of a call it stopped waiting for goes nowhere', async () => {
    // Prepare
    const budget = new RetryBudget({ until: Date.now() + 1_000 });
    let reject!: (e: Error) => void;
    const abandoned = new Promise<never>((_, r) => {
      reject = r;
    });

    const past = new RetryBudget({ until: Date.now() + 5, baseDelayMs: 0 });
    await past.afterFailure(transient);

    // Act
    const value = await budget.answered(Promise.resolve('ok'));
    const late = await past.answered(abandoned).catch((e: unknown) => e);
    reject(new Error('late'));
    await new Promise((r) => setTimeout(r, 10));

    // Assess: no unhandled rejection fails the run
    expect(value).toBe('ok');
    expect(late).toBeInstanceOf(JournalError);
  });
});

describe('Function: withRetries', () => {
  it('answers the first success, after failures', async () => {
    // Prepare
    let calls = 0;
    const flaky = async () => {
      calls += 1;
      if (calls < 3) throw new Error(`failure ${calls}`);
      return 'read';
    };

    // Act / Assess
    expect(await withRetries(flaky)).toBe('read');
    expect(calls).toBe(3);
  });

  it('throws the last error once the attempts are spent, waiting 100 ms, then 200 ms, between them', async () => {
    // Prepare
    const at: number[] = [];
    const broken = async () => {
      at.push(Date.now());
      throw new Error(`failure ${at.length}`);
    };

    // Act / Assess
    await expect(withRetries(broken, 3)).rejects.toThrow('failure 3');
    expect(at).toHaveLength(3);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(95);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(195);
    await expect(withRetries(broken, 1)).rejects.toThrow('failure 4');
    expect(at).toHaveLength(4);
  });
});
