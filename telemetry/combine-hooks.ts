/**
 * Several observers as one `RunHooks`: each event goes to each of them (one failing does not
 * stop the others); `wrapAttempt` wrappers nest in order.
 */
import type { RunHooks } from '../src/engine/index.js';

type EventHook = Exclude<keyof RunHooks, 'wrapAttempt'>;
const EVENTS = [
  'onRunStart',
  'onRunEnd',
  'onStepStart',
  'onStepEnd',
  'onAttemptStart',
  'onAttemptEnd',
  'onCompensationStart',
  'onCompensationEnd',
] as const satisfies readonly EventHook[];

export function combineHooks(...all: RunHooks[]): RunHooks {
  const combined: Record<string, unknown> = {};
  for (const name of EVENTS) {
    const handlers = all.map((h) => h[name]?.bind(h)).filter((h) => h !== undefined);
    if (handlers.length === 0) continue;
    combined[name] = (event: never) => {
      for (const handler of handlers) {
        try {
          (handler as (e: never) => void)(event);
        } catch {
          // one observer's failure is not another's
        }
      }
    };
  }
  const wrappers = all.flatMap((h) => (h.wrapAttempt === undefined ? [] : [h.wrapAttempt.bind(h)]));
  if (wrappers.length > 0) {
    combined.wrapAttempt = <T>(
      event: Parameters<NonNullable<RunHooks['wrapAttempt']>>[0],
      run: () => Promise<T>,
    ): Promise<T> => wrappers.reduceRight<() => Promise<T>>((next, wrap) => () => wrap(event, next), run)();
  }
  return combined as RunHooks;
}
