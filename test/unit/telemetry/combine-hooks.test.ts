import { describe, expect, it } from 'vitest';
import type { RunHooks } from '../../../src/engine/index.js';
import { combineHooks } from '../../../telemetry/combine-hooks.js';

describe('combineHooks', () => {
  it('gives every event to every observer, even after one throws', () => {
    const seen: string[] = [];
    const hooks = combineHooks(
      {
        onStepStart: () => {
          throw new Error('broken observer');
        },
      },
      { onStepStart: ({ step }) => seen.push(`b:${step}`) },
      { onStepEnd: () => seen.push('c') },
    );
    hooks.onStepStart?.({ runId: 'r', step: 'x' });
    expect(seen).toEqual(['b:x']);
    expect(hooks.onRunStart).toBeUndefined();
  });

  it('nests wrapAttempt wrappers in order around the attempt', async () => {
    const order: string[] = [];
    const wrap = (name: string): RunHooks => ({
      wrapAttempt: async (_e, run) => {
        order.push(`${name}>`);
        const v = await run();
        order.push(`<${name}`);
        return v;
      },
    });
    const hooks = combineHooks(wrap('a'), {}, wrap('b'));
    const v = await hooks.wrapAttempt!({ runId: 'r', step: 's', attempt: 1, compensation: false }, async () => {
      order.push('run');
      return 7;
    });
    expect(v).toBe(7);
    expect(order).toEqual(['a>', 'b>', 'run', '<b', '<a']);
  });
});
