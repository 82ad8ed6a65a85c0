/**
 * Calls a lifecycle hook so that it can never change a run: a throw (or an async hook's
 * rejection) is swallowed — observing is best-effort, the run's outcome is not.
 */
import type { RunHooks } from './types.js';

/** The event a given hook receives. */
export type HookEvent<K extends keyof RunHooks> = Parameters<NonNullable<RunHooks[K]>>[0];

/**
 * Calls `hooks[name](event)` if defined, ignoring whatever goes wrong.
 *
 * @example
 * ```ts
 * emitHook(hooks, 'onStepStart', { runId, step: 'create-contact' });
 * ```
 */
export function emitHook<K extends keyof RunHooks>(hooks: RunHooks, name: K, event: HookEvent<K>): void {
  try {
    const hook = hooks[name] as ((this: RunHooks, e: HookEvent<K>) => unknown) | undefined;
    const returned = hook?.call(hooks, event);
    // Hooks are typed sync, but an async one must not leave an unhandled rejection behind.
    if (isThenable(returned)) returned.then(undefined, ignore);
  } catch {
    // Ignored on purpose: see the file comment.
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && 'then' in value && typeof value.then === 'function';
}

function ignore(): void {}
