/**
 * The soak's fault model, drawn from the seed. It stays inside what docs/exactly-once.md assumes
 * of B2C Service: a write is applied at once, or within the late-write window after the function
 * gave up on it, or never (a hung write is never applied).
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
    if (method === 'GET') {
      return random.pick<() => FaultSpec>([
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
