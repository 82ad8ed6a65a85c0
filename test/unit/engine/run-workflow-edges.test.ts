import { describe, expect, it } from 'vitest';
import { runWorkflow, type StepRecord, type WorkflowDefinition } from '../../../src/engine/index.js';
import { emitHook } from '../../../src/engine/emit-hook.js';
import type { RunResult } from '../../../src/engine/types.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';

/** The engine's refusals of a bad definition or resume, its last resort, and what a step's value becomes. */

interface S {
  readonly a?: number;
  readonly b?: number;
}
const options = (extra: object = {}) => ({ runId: 'run-1', deadline: T0 + 30_000, clock: new FakeClock(), ...extra });

function abc(log: string[], extra: Partial<WorkflowDefinition<S>['steps'][number]> = {}): WorkflowDefinition<S> {
  const step = (name: string) => ({
    name,
    run: async () => {
      log.push(name);
      return { [name]: 1 };
    },
    compensate: async () => {
      log.push(`undo ${name}`);
    },
  });
  return { name: 'wf', steps: [{ ...step('a'), ...extra }, step('b'), step('c')] };
}
const done = (
  name: string,
  outcome: StepRecord['outcome'] = 'succeeded',
  extra: Partial<StepRecord> = {},
): StepRecord => ({
  name,
  outcome,
  attempts: [],
  durationMs: 1,
  ...extra,
});
const notRun = (result: RunResult<S>) => result.steps.map((s) => s.outcome);

describe('runWorkflow: a step definition it refuses, running nothing', () => {
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('timeoutMs %s', async (timeoutMs) => {
    // Prepare
    const log: string[] = [];

    // Act
    const result = await runWorkflow(abc(log, { timeoutMs }), {}, options());

    // Assess
    expect(result.status).toBe('failed');
    expect(result.error?.message).toBe(`step "a": timeoutMs must be a finite number > 0, got ${timeoutMs}`);
    expect(notRun(result)).toEqual(['not-run', 'not-run', 'not-run']);
    expect(log).toEqual([]);
  });

  it('accepts a timeout under a millisecond', async () => {
    const result = await runWorkflow(abc([], { timeoutMs: 0.5 }), {}, options());
    expect(result.status).toBe('succeeded');
  });

  it('names the step of a bad retry policy', async () => {
    // Act
    const result = await runWorkflow(
      abc([], { retry: { initialDelayMs: 10, multiplier: 2, maxDelayMs: 100, maxAttempts: 0 } }),
      {},
      options(),
    );

    // Assess
    expect(result.error?.message).toMatch(/^step "a": retry policy: maxAttempts must be/);
    expect(result.error?.type).toBe('RangeError');
  });
});

describe('runWorkflow: completed steps it refuses', () => {
  it.each([
    ['another name', [done('x')], 'completedSteps[0] is "x", but step 0 of "wf" is "a"'],
    ['more steps than the workflow', [done('a'), done('b'), done('c'), done('d')], 'step 3 of "wf" is "missing"'],
    ['a failed step', [done('a', 'failed')], 'completedSteps[0] ("a") failed: only succeeded or skipped steps count'],
    ['a step not run', [done('a', 'not-run')], '("a") not-run'],
  ])('%s', async (_, completedSteps, message) => {
    // Prepare
    const log: string[] = [];

    // Act
    const result = await runWorkflow(abc(log), {}, options({ completedSteps }));

    // Assess
    expect(result.status).toBe('failed');
    expect(result.error?.message).toContain(message);
    expect(notRun(result)).toEqual(['not-run', 'not-run', 'not-run']);
    expect(log).toEqual([]);
  });

  it('takes a skipped step as completed', async () => {
    // Prepare
    const log: string[] = [];

    // Act
    const result = await runWorkflow(abc(log), {}, options({ completedSteps: [done('a', 'skipped')] }));

    // Assess
    expect(result.status).toBe('succeeded');
    expect(log).toEqual(['b', 'c']);
  });
});

describe('runWorkflow: finishing the undo of a failed step', () => {
  const error = { type: 'HTTP 400', message: 'bad', retryable: false };

  it('undoes the completed steps, last first, runs nothing forward, and fails as the step did', async () => {
    // Prepare
    const log: string[] = [];

    // Act
    const result = await runWorkflow(
      abc(log),
      {},
      options({ completedSteps: [done('a'), done('b')], failedStep: done('c', 'failed', { error }) }),
    );

    // Assess
    expect(log).toEqual(['undo b', 'undo a']);
    expect(result).toMatchObject({ status: 'failed', failedStep: 'c', error, compensation: 'completed' });
    expect(result.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['a', 'succeeded'],
      ['b', 'succeeded'],
      ['c', 'failed'],
    ]);
  });

  it('marks the steps after the failed one not run', async () => {
    // Act
    const result = await runWorkflow(
      abc([]),
      {},
      options({ completedSteps: [done('a')], failedStep: done('b', 'failed', { error }) }),
    );

    // Assess
    expect(result.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['a', 'succeeded'],
      ['b', 'failed'],
      ['c', 'not-run'],
    ]);
  });

  it.each([
    ['not the step after the completed ones', done('c', 'failed', { error })],
    ['a step that did not fail', done('b', 'succeeded', { error })],
    ['a failed step without its error', done('b', 'failed')],
  ])('refuses %s, undoing nothing', async (_, failedStep) => {
    // Prepare
    const log: string[] = [];

    // Act
    const result = await runWorkflow(abc(log), {}, options({ completedSteps: [done('a')], failedStep }));

    // Assess
    expect(log).toEqual([]);
    expect(result.error?.message).toBe(`failedStep "${failedStep.name}" is not a failed step 1 of "wf"`);
    expect(notRun(result)).toEqual(['not-run', 'not-run', 'not-run']);
  });
});

describe('runWorkflow: its last resort when its own machinery throws', () => {
  /** a, then b whose value cannot be merged (a getter that throws while the engine spreads it). */
  function breaking(log: string[], undoA: boolean): WorkflowDefinition<S> {
    const definition = abc(log);
    const [a, , c] = definition.steps;
    const poisoned = {
      name: 'b',
      run: async () => {
        log.push('b');
        return Object.defineProperty({}, 'b', {
          enumerable: true,
          get: () => {
            throw new TypeError('unreadable value');
          },
        });
      },
    };
    return { name: 'wf', steps: [undoA ? a! : { ...a!, compensate: undefined }, poisoned, c!] };
  }

  it('reports what is known: the steps so far, the failed step, the error, and an undo never run as failed', async () => {
    // Prepare
    const log: string[] = [];
    const ends: RunResult<S>[] = [];

    // Act
    const result = await runWorkflow(
      breaking(log, true),
      {},
      options({ hooks: { onRunEnd: (e: { result: RunResult<S> }) => ends.push(e.result) } }),
    );

    // Assess: a succeeded and was never undone: it needs a human, as a failed undo does
    expect(log).toEqual(['a', 'b']);
    expect(result).toMatchObject({
      runId: 'run-1',
      workflow: 'wf',
      status: 'failed',
      compensation: 'failed',
      failedStep: 'b',
      error: { type: 'TypeError', message: 'unreadable value' },
      startedAt: T0,
      durationMs: 0,
    });
    expect(result.compensations).toEqual([]);
    expect(result.steps.map((s) => [s.name, s.outcome])).toEqual([
      ['a', 'succeeded'],
      ['b', 'not-run'],
      ['c', 'not-run'],
    ]);
    expect(ends).toEqual([result]);
  });

  it('leaves the undo status as it was when nothing that succeeded has an undo', async () => {
    // Act
    const result = await runWorkflow(breaking([], false), {}, options({ runId: undefined }));

    // Assess
    expect(result.status).toBe('failed');
    expect(result.compensation).toBe('none');
    expect(result.runId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("runWorkflow: a step's value", () => {
  it.each([
    ['an array', [1, 2]],
    ['null', null],
    ['a number', 7],
    ['undefined', undefined],
  ])('%s is no patch: the state stays, no output is recorded', async (_, value) => {
    // Prepare
    const definition: WorkflowDefinition<S> = { name: 'wf', steps: [{ name: 'a', run: async () => value as never }] };

    // Act
    const result = await runWorkflow(definition, { a: 1 }, options());

    // Assess
    expect(result.status).toBe('succeeded');
    expect(result.steps[0]).not.toHaveProperty('output');
    if (!Array.isArray(value)) expect(result.state).toEqual({ a: 1 });
  });

  it('an object is merged and recorded', async () => {
    // Prepare
    const definition: WorkflowDefinition<S> = { name: 'wf', steps: [{ name: 'a', run: async () => ({ b: 2 }) }] };

    // Act
    const result = await runWorkflow(definition, { a: 1 }, options());

    // Assess
    expect(result.state).toEqual({ a: 1, b: 2 });
    expect(result.steps[0]?.output).toEqual({ b: 2 });
  });

  it('an undo effect keeps its reason only when it is text', async () => {
    // Prepare
    const undo = (value: unknown): WorkflowDefinition<S> => ({
      name: 'wf',
      steps: [
        { name: 'a', run: async () => ({}), compensate: async () => value as never },
        { name: 'b', run: async () => Promise.reject(Object.assign(new Error('no'), { retryable: false })) },
      ],
    });

    // Act
    const kept = await runWorkflow(undo({ effect: 'kept', reason: 'in use' }), {}, options());
    const odd = await runWorkflow(undo({ effect: 'kept', reason: 42 }), {}, options());
    const plain = await runWorkflow(undo({ effect: 'other' }), {}, options());

    // Assess
    expect(kept.compensations[0]).toMatchObject({ effect: 'kept', reason: 'in use' });
    expect(odd.compensations[0]?.effect).toBe('kept');
    expect(odd.compensations[0]).not.toHaveProperty('reason');
    expect(plain.compensations[0]).not.toHaveProperty('effect');
  });
});

describe('Function: emitHook', () => {
  it('calls the hook with the hooks object as `this`', () => {
    // Prepare
    const seen: unknown[] = [];
    const hooks = {
      tag: 'mine',
      onStepStart(this: { tag: string }, e: { step: string }) {
        seen.push([this.tag, e.step]);
      },
    };

    // Act
    emitHook(hooks, 'onStepStart', { runId: 'r', step: 'a' });

    // Assess
    expect(seen).toEqual([['mine', 'a']]);
  });

  it('swallows a throw, and a rejection of an async hook', async () => {
    // Prepare
    const rejections: unknown[] = [];
    const track = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', track);

    // Act
    try {
      expect(() =>
        emitHook(
          {
            onStepStart: () => {
              throw new Error('hook broke');
            },
          },
          'onStepStart',
          { runId: 'r', step: 'a' },
        ),
      ).not.toThrow();
      emitHook({ onStepStart: (() => Promise.reject(new Error('async hook broke'))) as never }, 'onStepStart', {
        runId: 'r',
        step: 'a',
      });
      emitHook({ onStepStart: (() => ({ then: 'not a function' })) as never }, 'onStepStart', {
        runId: 'r',
        step: 'a',
      });
      emitHook({ onStepStart: (() => null) as never }, 'onStepStart', { runId: 'r', step: 'a' });
      emitHook({}, 'onStepStart', { runId: 'r', step: 'a' });
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('unhandledRejection', track);
    }

    // Assess
    expect(rejections).toEqual([]);
  });
});
