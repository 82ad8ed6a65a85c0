/**
 * Trying a journal call again: exponential back-off with jitter, bounded by attempts and by a
 * deadline. One rule for the listings (any error, a few times) and the claim (transient faults
 * only, until the delivery must be answered).
 */
import { JournalError } from './journal.js';

export interface RetryPolicy {
  /** Tries in all, the first included. @default 3 */
  readonly attempts?: number;
  /** Pause after the first failure; doubled after each further one. @default 100 */
  readonly baseDelayMs?: number;
  /** The longest pause. @default 2000 */
  readonly maxDelayMs?: number;
  /** Epoch ms: no try starts after it, nor is one waited for past it. @default none */
  readonly until?: number;
  /** A try needs at least this long before `until` to be started. @default 0 */
  readonly minAttemptMs?: number;
  /** Add up to half the pause again at random, so that callers a fault met at once do not all come back at once. @default false */
  readonly jitter?: boolean;
  /** Which errors are worth another try. @default every error */
  readonly retryable?: (error: unknown) => boolean;
}

/** Time for {@link withRetries}: the engine's clock fits. */
export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Whether to try again after the `failures`-th failed try, and after how long: undefined when
 * the error is not worth it, the tries are spent, or the pause would leave no time for a try
 * before `until`. The pause is `baseDelayMs × 2^(failures−1)` (capped at `maxDelayMs`), with
 * `jitter` plus up to half as much again at random (never less than the back-off itself).
 */
export function retryDelay(
  policy: RetryPolicy,
  failures: number,
  error: unknown,
  now: number,
  random: () => number = Math.random,
): number | undefined {
  const attempts = policy.attempts ?? 3;
  if (failures >= attempts || !(policy.retryable?.(error) ?? true)) return undefined;
  const backoff = Math.min(policy.maxDelayMs ?? 2_000, (policy.baseDelayMs ?? 100) * 2 ** (failures - 1));
  const delay = policy.jitter === true ? Math.round(backoff * (1 + Math.min(1, Math.max(0, random())) / 2)) : backoff;
  if (policy.until !== undefined && now + delay + (policy.minAttemptMs ?? 0) > policy.until) return undefined;
  return delay;
}

/**
 * A fault that may pass if tried again soon: a journal call refused with a 5xx or 429, dropped,
 * timed out, or a write whose outcome is unknown (the next try, or a read, settles it). A refusal
 * that will not change by itself (no such bucket, a bad signature, an unreadable record) is not.
 */
export function isTransientJournalError(error: unknown): boolean {
  return error instanceof JournalError && (error.transient || error.inDoubt !== false);
}

/**
 * One budget of tries shared by several calls (a claim's create, read and read-back count
 * against the same attempts and deadline).
 */
export class RetryBudget {
  readonly #policy: RetryPolicy;
  readonly #clock: RetryClock;
  #failures = 0;

  constructor(policy: RetryPolicy, clock: RetryClock = realClock) {
    this.#policy = policy;
    this.#clock = clock;
  }

  /** After a failed try: throws `error` when the budget is spent or the error is not worth another, else waits the back-off. */
  async afterFailure(error: unknown): Promise<void> {
    this.#failures += 1;
    const delay = retryDelay(this.#policy, this.#failures, error, this.#clock.now());
    if (delay === undefined) throw error;
    if (delay > 0) await this.#clock.sleep(delay);
  }

  /**
   * `call`, but once a try has failed, with no wait for its answer past `until` (a transient,
   * in-doubt {@link JournalError} then). The first try is always waited for: it is bounded by the
   * store's own timeouts, and a deadline already near must not turn a healthy journal away.
   */
  answered<T>(call: Promise<T>): Promise<T> {
    return this.#policy.until === undefined || this.#failures === 0
      ? call
      : answeredBy(call, this.#policy.until - this.#clock.now());
  }

  /** Calls `fn` until it succeeds or the budget says stop, then throws the last error. */
  async call<T>(fn: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await this.answered(fn());
      } catch (error) {
        await this.afterFailure(error);
      }
    }
  }
}

/**
 * Calls `fn` until it succeeds or {@link retryDelay} says stop, then throws the last error.
 * `policy` may be a number of attempts (any error retried, 100 ms × 2ⁿ apart: the listings; the
 * SDK client retries inside each too).
 */
export function withRetries<T>(
  fn: () => Promise<T>,
  policy: number | RetryPolicy = {},
  clock: RetryClock = realClock,
): Promise<T> {
  return new RetryBudget(typeof policy === 'number' ? { attempts: policy } : policy, clock).call(fn);
}

/**
 * `call`, or a transient {@link JournalError} once `ms` have passed without its answer. The call
 * is not stopped (the SDK cannot abort one): a write may still land, so the error says "in doubt".
 */
async function answeredBy<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Its own rejection after the deadline has no one left to tell.
  call.catch(() => undefined);
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new JournalError(`no answer from the journal within ${Math.max(0, ms)} ms`, { inDoubt: true })),
      Math.max(0, ms),
    );
  });
  try {
    return await Promise.race([call, late]);
  } finally {
    clearTimeout(timer);
  }
}
