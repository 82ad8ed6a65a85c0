/**
 * The retry loop shared by forward steps and compensations: attempt, classify, back off
 * within the budget, attempt again.
 */
import { classifyError, toErrorInfo } from './classify.js';
import { leavesRoomForAttempt, planAttempt } from './deadline.js';
import type { BudgetWindow } from './deadline.js';
import { emitHook } from './emit-hook.js';
import { DeadlineExceededError, ensureError } from './errors.js';
import { nextDelayMs } from './retry-policy.js';
import { runAttempt } from './run-attempt.js';
import { wrapAttempt } from './wrap-attempt.js';
import type { AttemptContext, AttemptRecord, Clock, EarlierAttempt, RetryPolicy, RunHooks } from './types.js';

/** Everything one retried unit of work needs. */
export interface RetryInput {
  readonly runId: string;
  readonly step: string;
  readonly compensation: boolean;
  readonly fn: (ctx: AttemptContext) => Promise<unknown>;
  readonly policy: RetryPolicy;
  readonly timeoutMs: number;
  readonly window: BudgetWindow;
  readonly clock: Clock;
  readonly random: () => number;
  readonly hooks: RunHooks;
}

/** The final outcome, with every attempt made. */
export type RetryOutcome =
  | {
      readonly ok: true;
      readonly value: unknown;
      readonly attempts: readonly AttemptRecord[];
      readonly durationMs: number;
    }
  | {
      readonly ok: false;
      readonly error: unknown;
      readonly attempts: readonly AttemptRecord[];
      readonly durationMs: number;
    };

/**
 * Runs `fn` until it succeeds, fails with a terminal error, exhausts `policy.maxAttempts`
 * (then the last error is final) or the budget window cannot fit another attempt (then a
 * `DeadlineExceededError` caused by the last error is final). Never rejects: an unexpected
 * error (e.g. from the clock) becomes the final error.
 *
 * @example
 * ```ts
 * const outcome = await runWithRetries({ runId, step: 'add-phone', compensation: false, fn,
 *   policy: DEFAULT_RETRY_POLICY, timeoutMs: 3000, window: budget.forward, clock, random, hooks });
 * ```
 */
export async function runWithRetries(input: RetryInput): Promise<RetryOutcome> {
  const { runId, step, compensation, policy, window, clock, hooks } = input;
  const label = compensation ? `compensation of "${step}"` : `step "${step}"`;
  const attempts: AttemptRecord[] = [];
  let startedAt = Number.NaN;
  const finish = (outcome: { ok: true; value: unknown } | { ok: false; error: unknown }): RetryOutcome => {
    let durationMs = 0;
    try {
      durationMs = clock.now() - startedAt;
    } catch {
      // A broken clock must not turn a recorded outcome into a rejection.
    }
    return {
      ...outcome,
      attempts: Object.freeze([...attempts]),
      durationMs: Number.isFinite(durationMs) ? durationMs : 0,
    };
  };

  try {
    startedAt = clock.now();
    let lastError: unknown;
    const earlier: EarlierAttempt[] = [];
    for (let attempt = 1; ; attempt++) {
      const attemptStart = clock.now();
      const plan = planAttempt(window, input.timeoutMs, attemptStart);
      if (!plan.start) {
        const last = lastError === undefined ? '' : `; last error: ${ensureError(lastError).message}`;
        return finish({
          ok: false,
          error: new DeadlineExceededError(
            `No time left in the run's budget to start attempt ${attempt} of ${label}: ` +
              `${Math.round(plan.remainingMs)} ms left, ${window.minAttemptMs} ms needed${last}`,
            lastError === undefined ? undefined : { cause: lastError },
          ),
        });
      }

      emitHook(hooks, 'onAttemptStart', { runId, step, attempt, timeoutMs: plan.timeoutMs, compensation });
      const outcome = await wrapAttempt(hooks, { runId, step, attempt, compensation }, () =>
        runAttempt(input.fn, {
          runId,
          step,
          attempt,
          timeoutMs: plan.timeoutMs,
          now: attemptStart,
          label,
          earlierAttempts: Object.freeze([...earlier]),
        }),
      );
      const attemptEnd = clock.now();
      const base = { attempt, startedAt: attemptStart, durationMs: attemptEnd - attemptStart };

      if (outcome.ok) {
        const record: AttemptRecord = Object.freeze({ ...base, outcome: 'succeeded' as const });
        attempts.push(record);
        emitHook(hooks, 'onAttemptEnd', { runId, step, record, compensation, willRetry: false });
        return finish({ ok: true, value: outcome.value });
      }

      const { error } = outcome;
      const { retryable, retryAfterMs } = classifyError(error);
      let finalError: unknown = error;
      let backoffMs: number | undefined;
      if (retryable && attempt < policy.maxAttempts) {
        const delayMs = nextDelayMs(policy, attempt, input.random, retryAfterMs);
        if (leavesRoomForAttempt(window, delayMs, attemptEnd)) {
          backoffMs = delayMs;
        } else {
          finalError = new DeadlineExceededError(
            `No time left in the run's budget to back off ${Math.round(delayMs)} ms and retry ${label} ` +
              `after attempt ${attempt}; last error: ${ensureError(error).message}`,
            { cause: error },
          );
        }
      }

      const record: AttemptRecord = Object.freeze({
        ...base,
        outcome: 'failed' as const,
        error: Object.freeze(toErrorInfo(error)),
        ...(backoffMs === undefined ? {} : { backoffMs }),
      });
      attempts.push(record);
      const willRetry = backoffMs !== undefined;
      emitHook(hooks, 'onAttemptEnd', { runId, step, record, compensation, willRetry });
      if (backoffMs === undefined) return finish({ ok: false, error: finalError });

      lastError = error;
      earlier.push(Object.freeze({ attempt, startedAt: attemptStart, endedAt: attemptEnd, error }));
      await clock.sleep(backoffMs);
    }
  } catch (error) {
    return finish({ ok: false, error });
  }
}
