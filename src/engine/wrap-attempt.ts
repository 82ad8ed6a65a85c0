/**
 * Calls the optional `wrapAttempt` hook so that it can observe an attempt (and set the async
 * context it runs in) but never change what the attempt produced.
 */
import type { RunHooks } from './types.js';

export type WrapAttemptEvent = Parameters<NonNullable<RunHooks['wrapAttempt']>>[0];

/**
 * Runs `run` exactly once, inside `hooks.wrapAttempt` when there is one, and resolves to what
 * `run` resolved to.
 *
 * @example
 * ```ts
 * const outcome = await wrapAttempt(hooks, { runId, step, attempt, compensation }, () => runAttempt(fn, input));
 * ```
 */
export async function wrapAttempt<T>(hooks: RunHooks, event: WrapAttemptEvent, run: () => Promise<T>): Promise<T> {
  const wrap = hooks.wrapAttempt;
  if (!wrap) return run();
  let inner: Promise<T> | undefined;
  const once = (): Promise<T> => (inner ??= run());
  try {
    const returned: unknown = wrap.call(hooks, event, once);
    if (
      typeof returned === 'object' &&
      returned !== null &&
      'then' in returned &&
      typeof returned.then === 'function'
    ) {
      (returned as PromiseLike<unknown>).then(undefined, ignore);
    }
  } catch {
    // A broken wrapper is ignored: the attempt still runs below.
  }
  return once();
}

function ignore(): void {}
