import { afterEach, describe, expect, it, vi } from 'vitest';
import { AttemptTimeoutError, RetryableError, TerminalError } from '../../../src/engine/errors.js';
import { systemClock } from '../../../src/engine/clock.js';
import { runWorkflow } from '../../../src/engine/run-workflow.js';
import type {
  AttemptContext,
  RunHooks,
  RunOptions,
  StepDefinition,
  WorkflowDefinition,
} from '../../../src/engine/types.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';

interface State {
  readonly phone: string;
  readonly contactId?: number;
  readonly incidentId?: number;
  readonly threadId?: number;
}

const INITIAL: State = { phone: '+15550100' };

/** Deadline far enough for nothing to be cut by the budget. */
const FAR = T0 + 60_000;

function optionsFor(clock: FakeClock, extra: Partial<RunOptions> = {}): RunOptions {
  return { runId: 'run-1', deadline: FAR, clock, random: () => 0.5, ...extra };
}

function workflow(...steps: StepDefinition<State>[]): WorkflowDefinition<State> {
  return { name: 'test-flow', steps };
}

/** A step `run` that throws the given errors in turn, then succeeds with `patch`. */
function failThenSucceed(errors: readonly unknown[], patch?: Partial<State>) {
  const calls: { state: State; ctx: AttemptContext }[] = [];
  // biome-ignore lint/suspicious/noConfusingVoidType: the engine's step signature
  const run = async (state: State, ctx: AttemptContext): Promise<Partial<State> | void> => {
    calls.push({ state, ctx });
    const error = errors[calls.length - 1];
    if (error !== undefined) throw error;
    return patch;
  };
  return { run, calls };
}

/** A step that records its runs and compensations into a shared journal. */
function journaled(journal: string[], name: string, extra: Partial<StepDefinition<State>> = {}): StepDefinition<State> {
  return {
    name,
    run: async () => {
      journal.push(`run ${name}`);
    },
    compensate: async () => {
      journal.push(`undo ${name}`);
    },
    ...extra,
  };
}

describe('runWorkflow', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the steps in order and flows their patches into later steps', async () => {
    // Prepare
    const clock = new FakeClock();
    const seen: State[] = [];
    const flow = workflow(
      {
        name: 'create-contact',
        run: async (state) => {
          seen.push(state);
          clock.advance(30);
          return { contactId: 7 };
        },
      },
      {
        name: 'create-incident',
        run: async (state) => {
          seen.push(state);
          clock.advance(20);
          return { incidentId: (state.contactId ?? 0) * 10 };
        },
      },
    );

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(seen).toStrictEqual([INITIAL, { ...INITIAL, contactId: 7 }]);
    expect(result).toStrictEqual({
      runId: 'run-1',
      workflow: 'test-flow',
      status: 'succeeded',
      state: { phone: '+15550100', contactId: 7, incidentId: 70 },
      steps: [
        {
          name: 'create-contact',
          outcome: 'succeeded',
          attempts: [{ attempt: 1, startedAt: T0, durationMs: 30, outcome: 'succeeded' }],
          durationMs: 30,
          output: { contactId: 7 },
        },
        {
          name: 'create-incident',
          outcome: 'succeeded',
          attempts: [{ attempt: 1, startedAt: T0 + 30, durationMs: 20, outcome: 'succeeded' }],
          durationMs: 20,
          output: { incidentId: 70 },
        },
      ],
      compensations: [],
      compensation: 'none',
      startedAt: T0,
      durationMs: 50,
    });
    expect(clock.sleeps).toStrictEqual([]);
  });

  it('keeps the state as is when a step returns no patch', async () => {
    // Prepare
    const clock = new FakeClock();
    const flow = workflow({ name: 'lookup-contact', run: async () => undefined });

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(result.state).toBe(INITIAL);
  });

  it('draws a random UUID as run id when none is given', async () => {
    // Prepare
    const clock = new FakeClock();
    const { runId: _ignored, ...options } = optionsFor(clock);

    // Act
    const result = await runWorkflow(workflow(), INITIAL, options);

    // Assess
    expect(result.runId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it.each([1, 2, 4])('retries a retryable error %i time(s), then succeeds', async (failures) => {
    // Prepare
    const clock = new FakeClock();
    const errors = Array.from({ length: failures }, (_, i) => new RetryableError(`busy ${i + 1}`));
    const step = failThenSucceed(errors, { contactId: 1 });
    const flow = workflow({
      name: 'create-contact',
      run: step.run,
      retry: { initialDelayMs: 200, multiplier: 2, maxDelayMs: 5000, maxAttempts: 5 },
    });

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    const expectedSleeps = [100, 200, 400, 800].slice(0, failures);
    expect(step.calls.map((c) => c.ctx.attempt)).toStrictEqual(Array.from({ length: failures + 1 }, (_, i) => i + 1));
    expect(clock.sleeps).toStrictEqual(expectedSleeps);
    expect(result.status).toBe('succeeded');
    expect(result.state).toStrictEqual({ ...INITIAL, contactId: 1 });
    const startedAts = [T0];
    for (const ms of expectedSleeps) startedAts.push((startedAts.at(-1) ?? T0) + ms);
    expect(result.steps[0]?.attempts).toStrictEqual([
      ...expectedSleeps.map((backoffMs, i) => ({
        attempt: i + 1,
        startedAt: startedAts[i],
        durationMs: 0,
        outcome: 'failed',
        error: { type: 'RetryableError', message: `busy ${i + 1}`, retryable: true },
        backoffMs,
      })),
      { attempt: failures + 1, startedAt: startedAts[failures], durationMs: 0, outcome: 'succeeded' },
    ]);
    expect(result.steps[0]?.durationMs).toBe(expectedSleeps.reduce((a, b) => a + b, 0));
  });

  it('retries an error a lower layer marks retryable, honouring its retryAfterMs', async () => {
    // Prepare
    const clock = new FakeClock();
    const httpError = Object.assign(new Error('HTTP 503'), {
      name: 'B2cHttpError',
      retryable: true,
      retryAfterMs: 1500,
    });
    const step = failThenSucceed([httpError]);
    const flow = workflow({ name: 'add-phone', run: step.run });

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(step.calls).toHaveLength(2);
    expect(clock.sleeps).toStrictEqual([1500]);
    expect(result.steps[0]?.attempts[0]).toStrictEqual({
      attempt: 1,
      startedAt: T0,
      durationMs: 0,
      outcome: 'failed',
      error: { type: 'B2cHttpError', message: 'HTTP 503', retryable: true },
      backoffMs: 1500,
    });
  });

  it.each([
    {
      label: 'a TerminalError',
      error: new TerminalError('HTTP 400'),
      info: { type: 'TerminalError', message: 'HTTP 400', retryable: false },
    },
    {
      label: 'a TypeError',
      error: new TypeError('x is undefined'),
      info: { type: 'TypeError', message: 'x is undefined', retryable: false },
    },
    {
      label: 'an error a lower layer marks terminal',
      error: Object.assign(new Error('HTTP 404'), { retryable: false, code: 'B2C_404' }),
      info: { type: 'B2C_404', message: 'HTTP 404', retryable: false },
    },
  ])('fails at once, without retrying, on $label', async ({ error, info }) => {
    // Prepare
    const clock = new FakeClock();
    const step = failThenSucceed([error]);
    const flow = workflow({ name: 'create-incident', run: step.run });

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(step.calls).toHaveLength(1);
    expect(clock.sleeps).toStrictEqual([]);
    expect(result.status).toBe('failed');
    expect(result.failedStep).toBe('create-incident');
    expect(result.error).toStrictEqual(info);
    expect(result.steps).toStrictEqual([
      {
        name: 'create-incident',
        outcome: 'failed',
        attempts: [{ attempt: 1, startedAt: T0, durationMs: 0, outcome: 'failed', error: info }],
        durationMs: 0,
        error: info,
      },
    ]);
  });

  it('fails an attempt whose step throws synchronously', async () => {
    // Prepare
    const clock = new FakeClock();
    const flow = workflow({
      name: 'lookup-contact',
      run: (() => {
        throw new TerminalError('sync');
      }) as StepDefinition<State>['run'],
    });

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(result.error).toStrictEqual({ type: 'TerminalError', message: 'sync', retryable: false });
    expect(result.steps[0]?.attempts).toHaveLength(1);
  });

  it('fails the step with the last error once maxAttempts is exhausted', async () => {
    // Prepare
    const clock = new FakeClock();
    const step = failThenSucceed([
      new RetryableError('busy 1'),
      new RetryableError('busy 2'),
      new RetryableError('busy 3'),
    ]);
    const flow = workflow({ name: 'add-thread', run: step.run });

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(step.calls).toHaveLength(3);
    expect(clock.sleeps).toStrictEqual([100, 200]);
    expect(result.status).toBe('failed');
    expect(result.error).toStrictEqual({ type: 'RetryableError', message: 'busy 3', retryable: true });
    expect(result.steps[0]?.attempts.map((a) => a.backoffMs)).toStrictEqual([100, 200, undefined]);
    expect(result.steps[0]?.attempts[2]).not.toHaveProperty('backoffMs');
  });

  it('does not retry when maxAttempts is 1', async () => {
    // Prepare
    const clock = new FakeClock();
    const step = failThenSucceed([new RetryableError('busy')]);
    const flow = workflow({
      name: 'add-thread',
      run: step.run,
      retry: { initialDelayMs: 200, multiplier: 2, maxDelayMs: 5000, maxAttempts: 1 },
    });

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(step.calls).toHaveLength(1);
    expect(result.error).toStrictEqual({ type: 'RetryableError', message: 'busy', retryable: true });
  });

  it('skips a step whose when() is false and runs the next ones', async () => {
    // Prepare
    const clock = new FakeClock();
    const journal: string[] = [];
    const whenSaw: State[] = [];
    const flow = workflow(
      { name: 'lookup-contact', run: async () => ({ contactId: 42 }) },
      journaled(journal, 'create-contact', {
        when: (state) => {
          whenSaw.push(state);
          return state.contactId === undefined;
        },
      }),
      journaled(journal, 'create-incident'),
    );

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(whenSaw).toStrictEqual([{ ...INITIAL, contactId: 42 }]);
    expect(journal).toStrictEqual(['run create-incident']);
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => s.outcome)).toStrictEqual(['succeeded', 'skipped', 'succeeded']);
    expect(result.steps[1]).toStrictEqual({ name: 'create-contact', outcome: 'skipped', attempts: [], durationMs: 0 });
  });

  it('fails the step, without an attempt, when its when() throws', async () => {
    // Prepare
    const clock = new FakeClock();
    const journal: string[] = [];
    const flow = workflow(
      journaled(journal, 'lookup-contact'),
      journaled(journal, 'create-contact', {
        when: () => {
          throw new TypeError('bad predicate');
        },
      }),
    );

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(result.failedStep).toBe('create-contact');
    expect(result.error).toStrictEqual({ type: 'TypeError', message: 'bad predicate', retryable: false });
    expect(result.steps[1]?.attempts).toStrictEqual([]);
    expect(journal).toStrictEqual(['run lookup-contact', 'undo lookup-contact']);
  });

  it('records the steps after the failed one as not-run and never calls them', async () => {
    // Prepare
    const clock = new FakeClock();
    const journal: string[] = [];
    const flow = workflow(
      { name: 'create-incident', run: async () => Promise.reject(new TerminalError('HTTP 400')) },
      journaled(journal, 'add-thread'),
      journaled(journal, 'notify'),
    );

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(journal).toStrictEqual([]);
    expect(result.steps.slice(1)).toStrictEqual([
      { name: 'add-thread', outcome: 'not-run', attempts: [], durationMs: 0 },
      { name: 'notify', outcome: 'not-run', attempts: [], durationMs: 0 },
    ]);
    expect(result.compensation).toBe('none');
  });

  it('compensates completed steps in reverse order', async () => {
    // Prepare
    const clock = new FakeClock();
    const journal: string[] = [];
    const compensatedWith: State[] = [];
    const flow = workflow(
      journaled(journal, 'create-contact', {
        run: async () => ({ contactId: 7 }),
        compensate: async (state) => {
          compensatedWith.push(state);
          journal.push('undo create-contact');
        },
      }),
      { name: 'lookup-thing', run: async () => undefined },
      journaled(journal, 'add-phone', { when: () => false }),
      journaled(journal, 'create-incident', {
        run: async () => ({ incidentId: 9 }),
        compensate: async (state) => {
          compensatedWith.push(state);
          journal.push('undo create-incident');
        },
      }),
      journaled(journal, 'add-thread', {
        run: async () => {
          throw new TerminalError('HTTP 400');
        },
      }),
      journaled(journal, 'never'),
    );

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(journal).toStrictEqual(['undo create-incident', 'undo create-contact']);
    expect(compensatedWith).toStrictEqual([
      { ...INITIAL, contactId: 7, incidentId: 9 },
      { ...INITIAL, contactId: 7, incidentId: 9 },
    ]);
    expect(result.status).toBe('failed');
    expect(result.failedStep).toBe('add-thread');
    expect(result.state).toStrictEqual({ ...INITIAL, contactId: 7, incidentId: 9 });
    expect(result.compensation).toBe('completed');
    expect(result.compensations).toStrictEqual([
      {
        step: 'create-incident',
        outcome: 'succeeded',
        attempts: [{ attempt: 1, startedAt: T0, durationMs: 0, outcome: 'succeeded' }],
        durationMs: 0,
      },
      {
        step: 'create-contact',
        outcome: 'succeeded',
        attempts: [{ attempt: 1, startedAt: T0, durationMs: 0, outcome: 'succeeded' }],
        durationMs: 0,
      },
    ]);
  });

  it('retries a compensation with its compensationRetry policy', async () => {
    // Prepare
    const clock = new FakeClock();
    const undo = failThenSucceed([new RetryableError('busy 1'), new RetryableError('busy 2')]);
    const flow = workflow(
      {
        name: 'create-contact',
        run: async () => ({ contactId: 7 }),
        compensate: async (state, ctx) => {
          await undo.run(state, ctx);
        },
        retry: { initialDelayMs: 200, multiplier: 2, maxDelayMs: 5000, maxAttempts: 1 },
        compensationRetry: { initialDelayMs: 1000, multiplier: 3, maxDelayMs: 5000, maxAttempts: 3 },
      },
      { name: 'create-incident', run: async () => Promise.reject(new TerminalError('HTTP 400')) },
    );

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(undo.calls.map((c) => c.ctx.attempt)).toStrictEqual([1, 2, 3]);
    expect(clock.sleeps).toStrictEqual([500, 1500]);
    expect(result.compensation).toBe('completed');
    expect(result.compensations[0]?.attempts.map((a) => [a.outcome, a.backoffMs])).toStrictEqual([
      ['failed', 500],
      ['failed', 1500],
      ['succeeded', undefined],
    ]);
    expect(result.compensations[0]?.durationMs).toBe(2000);
  });

  it("falls back on the step's retry policy for its compensation", async () => {
    // Prepare
    const clock = new FakeClock();
    const undo = failThenSucceed([new RetryableError('busy')]);
    const flow = workflow(
      {
        name: 'create-contact',
        run: async () => undefined,
        compensate: async (state, ctx) => {
          await undo.run(state, ctx);
        },
        retry: { initialDelayMs: 200, multiplier: 2, maxDelayMs: 5000, maxAttempts: 1 },
      },
      { name: 'create-incident', run: async () => Promise.reject(new TerminalError('HTTP 400')) },
    );

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(undo.calls).toHaveLength(1);
    expect(result.compensation).toBe('failed');
  });

  it('reports a failing compensation and still runs the next ones', async () => {
    // Prepare
    const clock = new FakeClock();
    const journal: string[] = [];
    const flow = workflow(
      journaled(journal, 'create-contact'),
      journaled(journal, 'add-phone', {
        compensate: async () => {
          journal.push('undo add-phone');
          throw new TerminalError('HTTP 409');
        },
      }),
      journaled(journal, 'create-incident'),
      { name: 'add-thread', run: async () => Promise.reject(new TerminalError('HTTP 400')) },
    );

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(journal).toStrictEqual([
      'run create-contact',
      'run add-phone',
      'run create-incident',
      'undo create-incident',
      'undo add-phone',
      'undo create-contact',
    ]);
    expect(result.status).toBe('failed');
    expect(result.error).toStrictEqual({ type: 'TerminalError', message: 'HTTP 400', retryable: false });
    expect(result.compensation).toBe('failed');
    expect(result.compensations.map((c) => [c.step, c.outcome])).toStrictEqual([
      ['create-incident', 'succeeded'],
      ['add-phone', 'failed'],
      ['create-contact', 'succeeded'],
    ]);
    expect(result.compensations[1]?.error).toStrictEqual({
      type: 'TerminalError',
      message: 'HTTP 409',
      retryable: false,
    });
  });

  it('leaves nothing to compensate when the first step fails', async () => {
    // Prepare
    const clock = new FakeClock();
    const journal: string[] = [];
    const flow = workflow(
      journaled(journal, 'create-contact', { run: async () => Promise.reject(new TerminalError('HTTP 400')) }),
    );

    // Act
    const result = await runWorkflow(flow, INITIAL, optionsFor(clock));

    // Assess
    expect(journal).toStrictEqual([]);
    expect(result.compensation).toBe('none');
    expect(result.compensations).toStrictEqual([]);
  });

  describe('within the deadline', () => {
    // Forward steps end at deadline - 500 - 3000; compensations at deadline - 500.
    const forwardEndIn = (ms: number): number => T0 + 3500 + ms;

    it('starts no attempt when the budget is spent', async () => {
      // Prepare
      const clock = new FakeClock();
      const step = failThenSucceed([]);
      const flow = workflow({ name: 'create-contact', run: step.run });

      // Act
      const result = await runWorkflow(flow, INITIAL, optionsFor(clock, { deadline: forwardEndIn(99) }));

      // Assess
      expect(step.calls).toHaveLength(0);
      const info = {
        type: 'DeadlineExceededError',
        message: `No time left in the run's budget to start attempt 1 of step "create-contact": 99 ms left, 100 ms needed`,
        retryable: true,
      };
      expect(result.error).toStrictEqual(info);
      expect(result.steps).toStrictEqual([
        { name: 'create-contact', outcome: 'failed', attempts: [], durationMs: 0, error: info },
      ]);
    });

    it('starts an attempt when exactly minAttemptMs is left', async () => {
      // Prepare
      const clock = new FakeClock();
      const step = failThenSucceed([]);
      const flow = workflow({ name: 'create-contact', run: step.run });

      // Act
      const result = await runWorkflow(flow, INITIAL, optionsFor(clock, { deadline: forwardEndIn(100) }));

      // Assess
      expect(step.calls).toHaveLength(1);
      expect(step.calls[0]?.ctx.attemptDeadline).toBe(T0 + 100);
      expect(result.status).toBe('succeeded');
    });

    it('stops a later step once an earlier one used up the budget, and compensates within the reserve', async () => {
      // Prepare
      const clock = new FakeClock();
      const journal: string[] = [];
      const flow = workflow(
        journaled(journal, 'create-contact', {
          run: async () => {
            clock.advance(950);
            journal.push('run create-contact');
          },
        }),
        journaled(journal, 'add-phone'),
      );
      const timeouts: number[] = [];

      // Act
      const result = await runWorkflow(
        flow,
        INITIAL,
        optionsFor(clock, {
          deadline: forwardEndIn(1000),
          hooks: { onAttemptStart: (e) => timeouts.push(e.timeoutMs) },
        }),
      );

      // Assess
      expect(journal).toStrictEqual(['run create-contact', 'undo create-contact']);
      expect(result.failedStep).toBe('add-phone');
      expect(result.error?.type).toBe('DeadlineExceededError');
      expect(result.compensation).toBe('completed');
      // The compensation may use the reserve: 3000 ms + the 50 ms the forward steps left.
      expect(timeouts).toStrictEqual([1000, 3050]);
    });

    it('ends the step with DeadlineExceededError when the back-off would cross the budget', async () => {
      // Prepare
      const clock = new FakeClock();
      const step = failThenSucceed([new RetryableError('HTTP 503', { retryAfterMs: 901 })]);
      const flow = workflow({ name: 'create-contact', run: step.run });

      // Act
      const result = await runWorkflow(flow, INITIAL, optionsFor(clock, { deadline: forwardEndIn(1000) }));

      // Assess
      expect(step.calls).toHaveLength(1);
      expect(clock.sleeps).toStrictEqual([]);
      expect(result.error).toStrictEqual({
        type: 'DeadlineExceededError',
        message:
          `No time left in the run's budget to back off 901 ms and retry step "create-contact" after attempt 1; ` +
          'last error: HTTP 503',
        retryable: true,
      });
      expect(result.steps[0]?.attempts).toStrictEqual([
        {
          attempt: 1,
          startedAt: T0,
          durationMs: 0,
          outcome: 'failed',
          error: { type: 'RetryableError', message: 'HTTP 503', retryable: true },
        },
      ]);
    });

    it('retries when the back-off leaves exactly minAttemptMs', async () => {
      // Prepare
      const clock = new FakeClock();
      const step = failThenSucceed([new RetryableError('HTTP 503', { retryAfterMs: 900 })]);
      const flow = workflow({ name: 'create-contact', run: step.run });

      // Act
      const result = await runWorkflow(flow, INITIAL, optionsFor(clock, { deadline: forwardEndIn(1000) }));

      // Assess
      expect(clock.sleeps).toStrictEqual([900]);
      expect(step.calls[1]?.ctx.attemptDeadline).toBe(T0 + 1000);
      expect(result.status).toBe('succeeded');
    });

    it('clamps the attempt timeout to the remaining budget', async () => {
      // Prepare
      const clock = new FakeClock();
      const timeouts: number[] = [];
      const flow = workflow(
        {
          name: 'lookup-contact',
          timeoutMs: 300,
          run: async () => {
            clock.advance(500);
          },
        },
        { name: 'create-contact', timeoutMs: 10_000, run: async () => undefined },
      );

      // Act
      const result = await runWorkflow(
        flow,
        INITIAL,
        optionsFor(clock, {
          deadline: forwardEndIn(1000),
          hooks: { onAttemptStart: (e) => timeouts.push(e.timeoutMs) },
        }),
      );

      // Assess
      expect(result.status).toBe('succeeded');
      expect(timeouts).toStrictEqual([300, 500]);
    });

    it('gives the attempt its deadline in the context', async () => {
      // Prepare
      const clock = new FakeClock();
      const step = failThenSucceed([]);
      const flow = workflow({ name: 'create-contact', timeoutMs: 2500, run: step.run });

      // Act
      await runWorkflow(flow, INITIAL, optionsFor(clock, { runId: 'run-9' }));

      // Assess
      const ctx = step.calls[0]?.ctx;
      expect(ctx?.attemptDeadline).toBe(T0 + 2500);
      expect(ctx?.runId).toBe('run-9');
      expect(ctx?.step).toBe('create-contact');
      expect(ctx?.signal.aborted).toBe(false);
    });

    it('ends with DeadlineExceededError, caused by the last error, when the budget runs out between attempts', async () => {
      // Prepare
      const clock = new FakeClock();
      // The back-off fits, but the clock jumps past the budget meanwhile (e.g. a paused container).
      const sleepy: FakeClock = Object.assign(clock, {
        sleep: async (ms: number) => {
          clock.sleeps.push(ms);
          clock.advance(5000);
        },
      });
      const step = failThenSucceed([new RetryableError('HTTP 503')]);
      const flow = workflow({ name: 'create-contact', run: step.run });

      // Act
      const result = await runWorkflow(flow, INITIAL, optionsFor(sleepy, { deadline: forwardEndIn(1000) }));

      // Assess
      expect(step.calls).toHaveLength(1);
      expect(result.error).toStrictEqual({
        type: 'DeadlineExceededError',
        message:
          `No time left in the run's budget to start attempt 2 of step "create-contact": -4000 ms left, 100 ms needed; ` +
          'last error: HTTP 503',
        retryable: true,
      });
    });
  });

  describe('with hooks', () => {
    function recordingHooks(events: string[]): RunHooks {
      return {
        onRunStart: (e) => events.push(`run-start ${e.runId} ${e.workflow} ${e.deadline}`),
        onRunEnd: (e) => events.push(`run-end ${e.result.status}`),
        onStepStart: (e) => events.push(`step-start ${e.step}`),
        onStepEnd: (e) => events.push(`step-end ${e.record.name} ${e.record.outcome}`),
        onAttemptStart: (e) =>
          events.push(`attempt-start ${e.step} #${e.attempt} ${e.timeoutMs}ms${e.compensation ? ' (undo)' : ''}`),
        onAttemptEnd: (e) =>
          events.push(
            `attempt-end ${e.step} #${e.record.attempt} ${e.record.outcome}${e.willRetry ? ' will-retry' : ''}${e.compensation ? ' (undo)' : ''}`,
          ),
        onCompensationStart: (e) => events.push(`undo-start ${e.step}`),
        onCompensationEnd: (e) => events.push(`undo-end ${e.record.step} ${e.record.outcome}`),
      };
    }

    function hookedFlow(): WorkflowDefinition<State> {
      return workflow(
        {
          name: 'create-contact',
          timeoutMs: 1000,
          run: async () => ({ contactId: 1 }),
          compensate: async () => undefined,
        },
        { name: 'add-phone', when: () => false, run: async () => undefined },
        {
          name: 'create-incident',
          timeoutMs: 2000,
          run: failThenSucceed([new RetryableError('busy'), new TerminalError('bad')]).run,
        },
        { name: 'add-thread', run: async () => undefined },
      );
    }

    it('calls the hooks in lifecycle order', async () => {
      // Prepare
      const clock = new FakeClock();
      const events: string[] = [];

      // Act
      await runWorkflow(hookedFlow(), INITIAL, optionsFor(clock, { hooks: recordingHooks(events) }));

      // Assess
      expect(events).toStrictEqual([
        `run-start run-1 test-flow ${FAR}`,
        'step-start create-contact',
        'attempt-start create-contact #1 1000ms',
        'attempt-end create-contact #1 succeeded',
        'step-end create-contact succeeded',
        'step-start add-phone',
        'step-end add-phone skipped',
        'step-start create-incident',
        'attempt-start create-incident #1 2000ms',
        'attempt-end create-incident #1 failed will-retry',
        'attempt-start create-incident #2 2000ms',
        'attempt-end create-incident #2 failed',
        'step-end create-incident failed',
        'undo-start create-contact',
        'attempt-start create-contact #1 1000ms (undo)',
        'attempt-end create-contact #1 succeeded (undo)',
        'undo-end create-contact succeeded',
        'run-end failed',
      ]);
    });

    it('hands onRunEnd the very result it returns', async () => {
      // Prepare
      const clock = new FakeClock();
      let seen: unknown;

      // Act
      const result = await runWorkflow(
        hookedFlow(),
        INITIAL,
        optionsFor(clock, { hooks: { onRunEnd: (e) => (seen = e.result) } }),
      );

      // Assess
      expect(seen).toBe(result);
    });

    it('ignores hooks that throw or reject: the result stays the same', async () => {
      // Prepare
      const boom = (): never => {
        throw new Error('hook failed');
      };
      const reject = async (): Promise<void> => Promise.reject(new Error('async hook failed'));
      const throwing: RunHooks = {
        onRunStart: boom,
        onRunEnd: boom,
        onStepStart: boom,
        onStepEnd: reject,
        onAttemptStart: boom,
        onAttemptEnd: reject,
        onCompensationStart: boom,
        onCompensationEnd: boom,
      };

      // Act
      const quiet = await runWorkflow(hookedFlow(), INITIAL, optionsFor(new FakeClock()));
      const noisy = await runWorkflow(hookedFlow(), INITIAL, optionsFor(new FakeClock(), { hooks: throwing }));

      // Assess
      expect(noisy).toStrictEqual(quiet);
      expect(noisy.status).toBe('failed');
      expect(noisy.compensation).toBe('completed');
    });
  });

  describe('never rejects', () => {
    it('fails the run, running nothing, on an invalid retry policy', async () => {
      // Prepare
      const journal: string[] = [];
      const flow = workflow(
        journaled(journal, 'create-contact'),
        journaled(journal, 'add-phone', {
          retry: { initialDelayMs: 200, multiplier: 0.5, maxDelayMs: 5000, maxAttempts: 3 },
        }),
      );

      // Act
      const result = await runWorkflow(flow, INITIAL, optionsFor(new FakeClock()));

      // Assess
      expect(journal).toStrictEqual([]);
      expect(result.status).toBe('failed');
      expect(result.failedStep).toBeUndefined();
      expect(result.error).toStrictEqual({
        type: 'RangeError',
        message: 'step "add-phone": retry policy: multiplier must be a finite number ≥ 1, got 0.5',
        retryable: false,
      });
      expect(result.steps.map((s) => s.outcome)).toStrictEqual(['not-run', 'not-run']);
      expect(result.compensation).toBe('none');
    });

    it('fails the run on an invalid deadline', async () => {
      // Act
      const result = await runWorkflow(workflow(), INITIAL, optionsFor(new FakeClock(), { deadline: Number.NaN }));

      // Assess
      expect(result.status).toBe('failed');
      expect(result.error?.type).toBe('RangeError');
    });

    it('fails the step, and compensates, when the clock breaks during a back-off', async () => {
      // Prepare
      const clock = new FakeClock();
      const broken = Object.assign(clock, { sleep: async () => Promise.reject(new Error('clock broke')) });
      const journal: string[] = [];
      const flow = workflow(
        journaled(journal, 'create-contact'),
        journaled(journal, 'add-phone', { run: async () => Promise.reject(new RetryableError('busy')) }),
      );

      // Act
      const result = await runWorkflow(flow, INITIAL, optionsFor(broken));

      // Assess
      expect(result.failedStep).toBe('add-phone');
      expect(result.error).toStrictEqual({ type: 'Error', message: 'clock broke', retryable: false });
      expect(result.steps[1]?.attempts).toHaveLength(1);
      expect(journal).toStrictEqual(['run create-contact', 'undo create-contact']);
    });
  });

  describe('with real timers', () => {
    it('ends an attempt at its timeout even when the step ignores its signal', async () => {
      // Prepare
      let rejectLate: (e: Error) => void = () => undefined;
      let signal: AbortSignal | undefined;
      const flow = workflow({
        name: 'create-incident',
        timeoutMs: 40,
        retry: { initialDelayMs: 0, multiplier: 1, maxDelayMs: 0, maxAttempts: 1 },
        run: (_state, ctx) => {
          signal = ctx.signal;
          return new Promise((_resolve, reject) => {
            rejectLate = reject;
          });
        },
      });
      const started = Date.now();

      // Act
      const result = await runWorkflow(flow, INITIAL, { deadline: Date.now() + 60_000, clock: systemClock });
      const elapsed = Date.now() - started;
      // The abandoned promise settles late: it must not surface as an unhandled rejection.
      rejectLate(new Error('too late'));
      await new Promise((resolve) => setImmediate(resolve));

      // Assess
      expect(elapsed).toBeGreaterThanOrEqual(35);
      // Ended by the attempt's 40 ms timeout, not by the run's 60 s deadline (the step never settles).
      // Half the deadline: a loaded machine may be slow, it is never 30 s slow.
      expect(elapsed).toBeLessThan(30_000);
      expect(result.error).toStrictEqual({
        type: 'AttemptTimeoutError',
        message: 'Attempt 1 of step "create-incident" timed out after 40 ms',
        retryable: true,
      });
      expect(signal?.aborted).toBe(true);
      expect(signal?.reason).toBeInstanceOf(AttemptTimeoutError);
    });
  });

  describe('with fake timers', () => {
    it('retries an attempt that timed out, reporting the timeout rather than what the step made of the abort', async () => {
      // Prepare
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const clock = new FakeClock();
      let calls = 0;
      const flow = workflow({
        name: 'lookup-contact',
        timeoutMs: 300,
        run: (_state, ctx) => {
          calls += 1;
          if (calls > 1) return Promise.resolve({ contactId: 3 });
          // Honours its signal, as fetch would, but with its own error.
          return new Promise((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => reject(new TypeError('fetch aborted')));
          });
        },
      });

      // Act
      const running = runWorkflow(flow, INITIAL, optionsFor(clock));
      await vi.advanceTimersByTimeAsync(300);
      const result = await running;

      // Assess
      expect(calls).toBe(2);
      expect(result.status).toBe('succeeded');
      expect(result.state).toStrictEqual({ ...INITIAL, contactId: 3 });
      expect(result.steps[0]?.attempts[0]?.error).toStrictEqual({
        type: 'AttemptTimeoutError',
        message: 'Attempt 1 of step "lookup-contact" timed out after 300 ms',
        retryable: true,
      });
      expect(vi.getTimerCount()).toBe(0);
    });

    it('clears the attempt timer when the step settles first', async () => {
      // Prepare
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const flow = workflow({ name: 'lookup-contact', run: async () => undefined });

      // Act
      await runWorkflow(flow, INITIAL, optionsFor(new FakeClock()));

      // Assess
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});
