/**
 * Retry policies and the back-off they produce: exponential growth, capped, FULL jitter.
 */
import type { RetryPolicy } from './types.js';

/**
 * 200 ms first back-off bound, ×2 per failure, capped at 5 s, 3 attempts in all.
 *
 * @example
 * ```ts
 * const step = { name: 'add-thread', run, retry: DEFAULT_RETRY_POLICY };
 * ```
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  initialDelayMs: 200,
  multiplier: 2,
  maxDelayMs: 5000,
  maxAttempts: 3,
} as const);

/**
 * Completes a partial policy with {@link DEFAULT_RETRY_POLICY} and validates it.
 *
 * @throws RangeError naming the offending field.
 * @example
 * ```ts
 * const once = retryPolicy({ maxAttempts: 1 });
 * const patient = retryPolicy({ initialDelayMs: 500, maxAttempts: 5 });
 * ```
 */
export function retryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...dropUndefined(partial) };
  requireThat(
    'initialDelayMs',
    policy.initialDelayMs,
    Number.isFinite(policy.initialDelayMs) && policy.initialDelayMs >= 0,
    'a finite number ≥ 0',
  );
  requireThat(
    'maxDelayMs',
    policy.maxDelayMs,
    Number.isFinite(policy.maxDelayMs) && policy.maxDelayMs >= 0,
    'a finite number ≥ 0',
  );
  requireThat(
    'multiplier',
    policy.multiplier,
    Number.isFinite(policy.multiplier) && policy.multiplier >= 1,
    'a finite number ≥ 1',
  );
  requireThat(
    'maxAttempts',
    policy.maxAttempts,
    Number.isInteger(policy.maxAttempts) && policy.maxAttempts >= 1,
    'an integer ≥ 1',
  );
  return Object.freeze(policy);
}

/**
 * Back-off after the `failedAttempt`-th failure (1 for the first), with FULL jitter:
 * `random() * min(maxDelayMs, initialDelayMs * multiplier^(failedAttempt - 1))`.
 * Full jitter spreads retries of concurrent runs over the whole window, so a B2C hiccup
 * does not turn into synchronised waves.
 *
 * @param random uniform in [0, 1)
 * @example
 * ```ts
 * backoffDelayMs(DEFAULT_RETRY_POLICY, 3, () => 0.5); // 0.5 * min(5000, 200 * 2²) = 400
 * ```
 */
export function backoffDelayMs(policy: RetryPolicy, failedAttempt: number, random: () => number): number {
  if (!Number.isInteger(failedAttempt) || failedAttempt < 1) {
    throw new RangeError(`failedAttempt must be an integer ≥ 1, got ${failedAttempt}`);
  }
  // 0 × Infinity would be NaN once multiplier^n overflows.
  const bound =
    policy.initialDelayMs === 0
      ? 0
      : Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (failedAttempt - 1));
  // A misbehaving random source must not push the delay past the cap.
  const r = Math.min(1, Math.max(0, random()));
  return r * bound;
}

/**
 * The back-off actually slept: the jittered back-off, but never less than the server's
 * `retryAfterMs` hint.
 *
 * @example
 * ```ts
 * nextDelayMs(DEFAULT_RETRY_POLICY, 1, () => 0.5, 1000); // max(100, 1000) = 1000
 * ```
 */
export function nextDelayMs(
  policy: RetryPolicy,
  failedAttempt: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  return Math.max(backoffDelayMs(policy, failedAttempt, random), retryAfterMs ?? 0);
}

function requireThat(field: keyof RetryPolicy, value: number, ok: boolean, expected: string): void {
  if (!ok) throw new RangeError(`retry policy: ${field} must be ${expected}, got ${value}`);
}

// `{ ...defaults, maxAttempts: undefined }` would otherwise erase the default.
function dropUndefined(partial: Partial<RetryPolicy>): Partial<RetryPolicy> {
  return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<RetryPolicy>;
}
