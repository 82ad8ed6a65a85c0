/**
 * The soak's fault model, drawn from the seed. The ideal site stays inside what
 * docs/exactly-once.md assumed of B2C Service: a write is applied at once, or within the
 * late-write window after the function gave up on it, or never (a hung write is never applied).
 * The realistic site adds what a real one may do (issue 16): a write applied and then answered
 * with a proxy's bare 5xx, a proxy's error page for a request never applied, a dropped connection
 * whose write is applied later — within the window, and after it.
 */
import type { FaultPolicy, FaultSpec } from '../src/emulator/index.js';
import type { Random } from './random.js';

export interface FaultModel {
  /** Share of B2C requests that meet a fault (about 5 % makes about 20 % of messages meet one). */
  readonly rate: number;
  /** The function's call timeout (ms): late commits land after it. */
  readonly callTimeoutMs: number;
  /** The function's late-write window (ms). */
  readonly lateWriteWindowMs: number;
  /** The function's deadline (ms): some reads are slowed beyond it. */
  readonly deadlineMs: number;
  /** Adds the realistic site's faults to the draw (the ideal site's draws are unchanged without it). */
  readonly realistic?: boolean;
}

/** What was injected, by kind, for the report. */
export type FaultCounts = Map<string, number>;

export function b2cFaults(model: FaultModel, random: Random, counts: FaultCounts): FaultPolicy {
  const note = (kind: string, spec: FaultSpec): FaultSpec => {
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
    return spec;
  };
  return ({ method, resource }) => {
    if (!random.chance(model.rate)) return undefined;
    const path = resource;
    const throttled = {
      method,
      path,
      action: 'status' as const,
      status: 503,
      errorCode: 'OSC-CREST-00035',
      nextRequestAfterMs: random.int(0, 500),
    };
    const proxyPage = (): FaultSpec =>
      note('proxy 502 page (not applied)', { method, path, action: 'status', status: 502, body: 'html' });
    const appliedThen500 = (): FaultSpec =>
      note("applied, then a proxy's bare 500", { method, path, action: 'commit-then-status' });
    const realistic = <T>(kinds: T[]): T[] => (model.realistic === true ? kinds : []);
    if (method === 'GET') {
      return random.pick<() => FaultSpec>([
        ...realistic([proxyPage]),
        () => note('503 throttled', throttled),
        () => note('500', { method, path, action: 'status', status: 500 }),
        () => note('drop', { method, path, action: 'drop' }),
        () =>
          note('read slower than the call timeout', {
            method,
            path,
            action: 'delay',
            delayMs: model.callTimeoutMs + random.int(200, 2_000),
          }),
        () =>
          note('read slower than the deadline', {
            method,
            path,
            action: 'delay',
            delayMs: model.deadlineMs + random.int(200, 2_000),
          }),
      ])();
    }
    if (method === 'DELETE') {
      return random.pick<() => FaultSpec>([
        ...realistic([appliedThen500]),
        () => note('503 throttled', throttled),
        () => note('drop', { method, path, action: 'drop' }),
        () => note('commit-then-drop', { method, path, action: 'commit-then-drop' }),
      ])();
    }
    // POST and PATCH: the writes whose outcome can be lost.
    const readBack = resource.startsWith('/contacts')
      ? '/contacts'
      : resource === '/incidents'
        ? '/incidents'
        : '/incidents/*/threads';
    return random.pick<() => FaultSpec>([
      ...realistic([
        appliedThen500,
        proxyPage,
        () =>
          note('dropped, applied within the window', {
            method,
            path,
            action: 'drop-then-commit',
            commitAfterMs: random.int(300, Math.max(400, Math.floor(model.lateWriteWindowMs / 2))),
          }),
        () =>
          note('dropped, applied after the window', {
            method,
            path,
            action: 'drop-then-commit',
            commitAfterMs: model.lateWriteWindowMs + random.int(2_000, 10_000),
          }),
      ]),
      () => note('503 throttled', throttled),
      () => note('500', { method, path, action: 'status', status: 500 }),
      () => note('drop (not applied)', { method, path, action: 'drop' }),
      () => note('commit-then-drop', { method, path, action: 'commit-then-drop' }),
      () =>
        note('commit-then-drop, then its read throttled', {
          method,
          path,
          action: 'commit-then-drop',
          then: {
            method: 'GET',
            path: readBack,
            action: 'status',
            status: 503,
            errorCode: 'OSC-CREST-00035',
            times: random.int(1, 2),
          },
        }),
      // Applied after the function gave up on it, within the window it waits out.
      () =>
        note('late commit', {
          method,
          path,
          action: 'delay',
          delayMs: model.callTimeoutMs + random.int(300, Math.max(400, Math.floor(model.lateWriteWindowMs / 2))),
        }),
      // Never answered, never applied: the attempt and perhaps the deadline run out.
      () => note('hang (never applied)', { method, path, action: 'hang' }),
    ])();
  };
}
