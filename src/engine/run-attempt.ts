/**
 * One attempt of a step (or compensation), raced against its timeout.
 */
import { AttemptTimeoutError } from './errors.js';
import type { AttemptContext, EarlierAttempt } from './types.js';

// setTimeout fires at once for longer delays (they overflow a 32-bit int).
const MAX_TIMER_MS = 2_147_483_647;

/** What one attempt produced. */
export type AttemptOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: unknown };

/** Who is attempting what, and for how long. */
export interface AttemptInput {
  readonly runId: string;
  readonly step: string;
  /** 1-based. */
  readonly attempt: number;
  readonly timeoutMs: number;
  /** Clock time at the start, for `attemptDeadline`. */
  readonly now: number;
  /** `step` or `compensation of step`, for messages. */
  readonly label: string;
  /** Every earlier attempt of the step, oldest first. */
  readonly earlierAttempts?: readonly EarlierAttempt[];
}

/**
 * Runs `fn` with a fresh `AbortSignal` that aborts (with an `AttemptTimeoutError` as reason)
 * after `timeoutMs`. The attempt ends at the timeout even when `fn` ignores its signal.
 * Never rejects.
 *
 * The timer is a real `setTimeout`, not `Clock.sleep`: a fake clock resolves sleeps at once,
 * which would time out every attempt.
 *
 * @example
 * ```ts
 * const outcome = await runAttempt((ctx) => client.get(url, { signal: ctx.signal }),
 *   { runId, step: 'lookup-contact', label: 'lookup-contact', attempt: 1, timeoutMs: 3000, now: Date.now() });
 * ```
 */
export async function runAttempt(
  fn: (ctx: AttemptContext) => Promise<unknown>,
  input: AttemptInput,
): Promise<AttemptOutcome> {
  const { runId, step, attempt, timeoutMs, now, label } = input;
  const controller = new AbortController();
  let timeoutError: AttemptTimeoutError | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => {
        timeoutError = new AttemptTimeoutError(`Attempt ${attempt} of ${label} timed out after ${timeoutMs} ms`);
        controller.abort(timeoutError);
        reject(timeoutError);
      },
      Math.min(Math.max(0, timeoutMs), MAX_TIMER_MS),
    );
  });
  timedOut.catch(ignore);

  const work = invoke(fn, {
    signal: controller.signal,
    attempt,
    attemptDeadline: now + timeoutMs,
    runId,
    step,
    earlierAttempts: input.earlierAttempts ?? [],
  });
  // After a timeout nobody awaits this promise any more; make sure its late rejection is
  // handled even if the race below changes.
  work.catch(ignore);

  try {
    return { ok: true, value: await Promise.race([work, timedOut]) };
  } catch (error) {
    // A step that honours its signal rejects with whatever its I/O made of the abort;
    // the timeout is the actual reason the attempt failed.
    return { ok: false, error: timeoutError ?? error };
  } finally {
    clearTimeout(timer);
  }
}

// A step that throws synchronously (not async) fails its attempt like any other.
function invoke(fn: (ctx: AttemptContext) => Promise<unknown>, ctx: AttemptContext): Promise<unknown> {
  try {
    return Promise.resolve(fn(ctx));
  } catch (error) {
    return Promise.reject(error);
  }
}

function ignore(): void {}
