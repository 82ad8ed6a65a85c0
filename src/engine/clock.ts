/**
 * The real clock. Tests inject a fake one through `RunOptions.clock`.
 */
import type { Clock } from './types.js';

// setTimeout fires at once for longer delays (they overflow a 32-bit int).
const MAX_TIMER_MS = 2_147_483_647;

/**
 * `Date.now` and a `setTimeout`-based sleep that rejects with the signal's reason when
 * aborted (and clears its timer, so an aborted sleep does not keep the process alive).
 *
 * @example
 * ```ts
 * await systemClock.sleep(200, AbortSignal.timeout(1000));
 * ```
 */
export const systemClock: Clock = Object.freeze({
  now: (): number => Date.now(),
  sleep: (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.min(Math.max(0, ms), MAX_TIMER_MS),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
});
