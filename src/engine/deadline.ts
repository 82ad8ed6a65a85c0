/**
 * The run's time budget: forward steps stop early enough to leave room for compensations,
 * and everything stops early enough to leave room to write the answer.
 *
 *   now ─── forward steps ───┤ forwardEnd ── compensations ──┤ compensationEnd ── answer ──┤ deadline
 */
import type { RunOptions } from './types.js';

/** @see RunOptions.finalMarginMs */
export const DEFAULT_FINAL_MARGIN_MS = 500;
/** @see RunOptions.compensationReserveMs */
export const DEFAULT_COMPENSATION_RESERVE_MS = 3000;
/** @see RunOptions.minAttemptMs */
export const DEFAULT_MIN_ATTEMPT_MS = 100;
/** @see StepDefinition.timeoutMs */
export const DEFAULT_STEP_TIMEOUT_MS = 10_000;

/** The budget fields of {@link RunOptions}. */
export type BudgetOptions = Pick<RunOptions, 'deadline' | 'finalMarginMs' | 'compensationReserveMs' | 'minAttemptMs'>;

/** One phase's share of the budget: attempts must be over by `end`. */
export interface BudgetWindow {
  /** Epoch ms. */
  readonly end: number;
  /** Attempts shorter than this are not started. */
  readonly minAttemptMs: number;
}

/** The two phases of a run and their shared deadline. */
export interface RunBudget {
  readonly deadline: number;
  /** Ends at `deadline - finalMarginMs - compensationReserveMs`. */
  readonly forward: BudgetWindow;
  /** Ends at `deadline - finalMarginMs`. */
  readonly compensation: BudgetWindow;
}

/** Whether an attempt may start, and with which timeout. */
export type AttemptPlan =
  | { readonly start: true; readonly timeoutMs: number }
  | { readonly start: false; readonly remainingMs: number };

/**
 * Splits the time up to `deadline` into the forward and compensation windows.
 *
 * @throws RangeError naming the offending field.
 * @example
 * ```ts
 * const budget = runBudget({ deadline: Date.now() + 30_000 });
 * budget.forward.end; // deadline - 3500
 * ```
 */
export function runBudget(options: BudgetOptions): RunBudget {
  const {
    deadline,
    finalMarginMs = DEFAULT_FINAL_MARGIN_MS,
    compensationReserveMs = DEFAULT_COMPENSATION_RESERVE_MS,
    minAttemptMs = DEFAULT_MIN_ATTEMPT_MS,
  } = options;
  requireThat('deadline', deadline, Number.isFinite(deadline), 'a finite epoch ms');
  requireThat(
    'finalMarginMs',
    finalMarginMs,
    Number.isFinite(finalMarginMs) && finalMarginMs >= 0,
    'a finite number ≥ 0',
  );
  requireThat(
    'compensationReserveMs',
    compensationReserveMs,
    Number.isFinite(compensationReserveMs) && compensationReserveMs >= 0,
    'a finite number ≥ 0',
  );
  // 0 would let an attempt start with a 0 ms timeout.
  requireThat('minAttemptMs', minAttemptMs, Number.isFinite(minAttemptMs) && minAttemptMs > 0, 'a finite number > 0');
  const compensationEnd = deadline - finalMarginMs;
  return Object.freeze({
    deadline,
    forward: Object.freeze({ end: compensationEnd - compensationReserveMs, minAttemptMs }),
    compensation: Object.freeze({ end: compensationEnd, minAttemptMs }),
  });
}

/**
 * An attempt's timeout, `min(stepTimeoutMs, end - now)`, or a refusal to start it when
 * less than `minAttemptMs` is left: it could not do useful work.
 *
 * @example
 * ```ts
 * planAttempt({ end: 1000, minAttemptMs: 100 }, 5000, 400); // { start: true, timeoutMs: 600 }
 * planAttempt({ end: 1000, minAttemptMs: 100 }, 5000, 950); // { start: false, remainingMs: 50 }
 * ```
 */
export function planAttempt(window: BudgetWindow, stepTimeoutMs: number, now: number): AttemptPlan {
  const remainingMs = window.end - now;
  if (remainingMs < window.minAttemptMs) return { start: false, remainingMs };
  return { start: true, timeoutMs: Math.min(stepTimeoutMs, remainingMs) };
}

/**
 * Whether sleeping `delayMs` still leaves room for another attempt: `now + delayMs + minAttemptMs <= end`.
 * Sleeping only to find the budget spent would waste time the compensations need.
 *
 * @example
 * ```ts
 * leavesRoomForAttempt({ end: 1000, minAttemptMs: 100 }, 400, 500); // true
 * leavesRoomForAttempt({ end: 1000, minAttemptMs: 100 }, 401, 500); // false
 * ```
 */
export function leavesRoomForAttempt(window: BudgetWindow, delayMs: number, now: number): boolean {
  return now + delayMs + window.minAttemptMs <= window.end;
}

function requireThat(field: keyof BudgetOptions, value: number, ok: boolean, expected: string): void {
  if (!ok) throw new RangeError(`run budget: ${field} must be ${expected}, got ${value}`);
}
