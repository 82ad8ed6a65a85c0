import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import { RetryableError } from '../../../src/engine/errors.js';
import { runWorkflow } from '../../../src/engine/run-workflow.js';
import type { RunHooks, WorkflowDefinition } from '../../../src/engine/types.js';
import { wrapAttempt } from '../../../src/engine/wrap-attempt.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';

const EVENT = { runId: 'r', step: 's', attempt: 1, compensation: false };

describe('wrapAttempt', () => {
  it('runs the attempt inside the wrapper, so async context set there reaches the attempt', async () => {
    // Prepare
    const als = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    const hooks: RunHooks = {
      wrapAttempt: (e, run) => als.run(`${e.step}#${e.attempt}${e.compensation ? ' undo' : ''}`, run),
    };
    let failures = 1;
    const flow: WorkflowDefinition<{ n: number }> = {
      name: 'ctx',
      steps: [
        {
          name: 'a',
          retry: { initialDelayMs: 1, multiplier: 1, maxDelayMs: 1, maxAttempts: 3 },
          run: async () => {
            await Promise.resolve();
            seen.push(als.getStore());
            if (failures-- > 0) throw new RetryableError('again');
          },
          compensate: async () => {
            seen.push(als.getStore());
          },
        },
        {
          name: 'b',
          retry: { initialDelayMs: 1, multiplier: 1, maxDelayMs: 1, maxAttempts: 1 },
          run: async () => {
            throw new Error('no');
          },
        },
      ],
    };

    // Act
    const result = await runWorkflow(
      flow,
      { n: 0 },
      { runId: 'r', deadline: T0 + 60_000, clock: new FakeClock(), random: () => 0, hooks },
    );

    // Assess
    expect(result.status).toBe('failed');
    expect(seen).toStrictEqual(['a#1', 'a#2', 'a#1 undo']);
  });

  it('keeps the attempt’s outcome whatever the wrapper does', async () => {
    let calls = 0;
    const run = async (): Promise<string> => {
      calls += 1;
      return 'value';
    };
    const wrappers: RunHooks['wrapAttempt'][] = [
      () => {
        throw new Error('broken wrapper');
      },
      () => Promise.reject(new Error('rejecting wrapper')),
      (_e, r) => {
        void r();
        return r();
      },
      // never calls run: the engine does
      () => new Promise(() => undefined),
      // calls run late: still once
      (_e, r) => new Promise((resolve) => setTimeout(() => resolve(r()), 5)),
    ];
    for (const wrap of wrappers) {
      calls = 0;
      await expect(wrapAttempt({ wrapAttempt: wrap }, EVENT, run)).resolves.toBe('value');
      await new Promise((r) => setTimeout(r, 10));
      expect(calls).toBe(1);
    }
  });

  it('just runs the attempt without a wrapper', async () => {
    await expect(wrapAttempt({}, EVENT, async () => 3)).resolves.toBe(3);
  });
});
