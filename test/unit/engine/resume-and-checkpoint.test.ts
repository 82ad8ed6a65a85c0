import { describe, expect, it } from 'vitest';
import { RetryableError, TerminalError } from '../../../src/engine/errors.js';
import { runWorkflow } from '../../../src/engine/run-workflow.js';
import type {
  AttemptContext,
  StepCheckpoint,
  StepDefinition,
  StepRecord,
  WorkflowDefinition,
} from '../../../src/engine/types.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';

interface State {
  readonly a?: number;
  readonly b?: number;
  readonly c?: number;
}

function flow(
  log: string[],
  overrides: Partial<Record<'a' | 'b' | 'c', Partial<StepDefinition<State>>>> = {},
): WorkflowDefinition<State> {
  const step = (name: 'a' | 'b' | 'c', value: number): StepDefinition<State> => ({
    name,
    retry: { initialDelayMs: 1, multiplier: 1, maxDelayMs: 1, maxAttempts: 3 },
    run: async () => {
      log.push(`run ${name}`);
      return { [name]: value };
    },
    compensate: async () => {
      log.push(`undo ${name}`);
    },
    ...overrides[name],
  });
  return { name: 'abc', steps: [step('a', 1), step('b', 2), step('c', 3)] };
}

const done = (name: string): StepRecord => ({
  name,
  outcome: 'succeeded',
  attempts: [{ attempt: 1, startedAt: T0, durationMs: 5, outcome: 'succeeded' }],
  durationMs: 5,
});
const options = (extra: object = {}) => ({
  runId: 'r',
  deadline: T0 + 60_000,
  clock: new FakeClock(),
  random: () => 0.5,
  ...extra,
});

describe('runWorkflow: resuming from completed steps', () => {
  it('skips the completed prefix, keeps its records and continues from the state given', async () => {
    // Prepare
    const log: string[] = [];

    // Act
    const result = await runWorkflow(flow(log), { a: 1, b: 2 }, options({ completedSteps: [done('a'), done('b')] }));

    // Assess
    expect(log).toEqual(['run c']);
    expect(result.status).toBe('succeeded');
    expect(result.state).toEqual({ a: 1, b: 2, c: 3 });
    expect(result.steps.map((s) => `${s.name}:${s.outcome}:${s.attempts.length}`)).toEqual([
      'a:succeeded:1',
      'b:succeeded:1',
      'c:succeeded:1',
    ]);
  });

  it('compensates resumed steps too when a later step fails for good', async () => {
    // Prepare
    const log: string[] = [];
    const wf = flow(log, {
      c: {
        run: async () => {
          log.push('run c');
          throw new TerminalError('no');
        },
      },
    });

    // Act
    const result = await runWorkflow(wf, { a: 1, b: 2 }, options({ completedSteps: [done('a'), done('b')] }));

    // Assess
    expect(result.status).toBe('failed');
    expect(log).toEqual(['run c', 'undo b', 'undo a']);
    expect(result.compensation).toBe('completed');
  });

  it('refuses completed steps that are not a succeeded prefix of the workflow, running nothing', async () => {
    // Prepare
    const log: string[] = [];

    // Act
    const wrongName = await runWorkflow(flow(log), {}, options({ completedSteps: [done('b')] }));
    const failed = await runWorkflow(flow(log), {}, options({ completedSteps: [{ ...done('a'), outcome: 'failed' }] }));

    // Assess
    expect(log).toEqual([]);
    expect(wrongName.status).toBe('failed');
    expect(wrongName.error?.message).toContain('completedSteps[0] is "b"');
    expect(failed.error?.message).toContain('only succeeded or skipped');
  });
});

describe('runWorkflow: checkpoints', () => {
  it("awaits a checkpoint after each step run, with the step's output, before the next step starts", async () => {
    // Prepare
    const log: string[] = [];
    const seen: StepCheckpoint[] = [];
    const checkpoint = async (e: StepCheckpoint): Promise<void> => {
      await new Promise((r) => setTimeout(r, 5));
      log.push(`saved ${e.record.name}`);
      seen.push(e);
    };

    // Act
    await runWorkflow(flow(log), {}, options({ checkpoint, completedSteps: [done('a')] }));

    // Assess
    expect(log).toEqual(['run b', 'saved b', 'run c', 'saved c']);
    expect(seen.map((e) => e.record.output)).toEqual([{ b: 2 }, { c: 3 }]);
    expect(seen[0]!.record.outcome).toBe('succeeded');
  });

  it('checkpoints a failed step before compensating', async () => {
    // Prepare
    const log: string[] = [];
    const wf = flow(log, {
      b: {
        run: async () => {
          throw new TerminalError('bad');
        },
      },
    });
    const checkpoint = async (e: StepCheckpoint): Promise<void> => {
      log.push(`saved ${e.record.name}:${e.record.outcome}${e.record.output ? '+output' : ''}`);
    };

    // Act
    await runWorkflow(wf, {}, options({ checkpoint }));

    // Assess
    expect(log).toEqual(['run a', 'saved a:succeeded+output', 'saved b:failed', 'undo a']);
  });

  it('stops without compensating when a checkpoint fails: the run belongs to someone else now', async () => {
    // Prepare
    const log: string[] = [];
    const checkpoint = async (e: StepCheckpoint): Promise<void> => {
      if (e.record.name === 'b') throw new Error('lease lost');
    };

    // Act
    const result = await runWorkflow(flow(log), {}, options({ checkpoint }));

    // Assess
    expect(log).toEqual(['run a', 'run b']);
    expect(result.status).toBe('failed');
    expect(result.failedStep).toBe('b');
    expect(result.error?.message).toBe('lease lost');
    expect(result.compensation).toBe('none');
    expect(result.steps.map((s) => s.outcome)).toEqual(['succeeded', 'succeeded', 'not-run']);
  });
});

describe('runWorkflow: the last step that runs', () => {
  it("tells each checkpoint whether a later step will run, from the later steps' `when` on the state then", async () => {
    // Prepare: b skips c once it has run (c's `when` reads b's output); a throwing `when` would fail its step
    const seen: string[] = [];
    const checkpoint = async (e: StepCheckpoint): Promise<void> => {
      seen.push(`${e.record.name}:${e.record.outcome}:${e.last}`);
    };
    const skipsC = flow([], { c: { when: (s) => s.b === undefined } });
    const throwingC = flow([], {
      c: {
        when: (s) => {
          if (s.b !== undefined) throw new Error('broken predicate');
          return true;
        },
      },
    });
    const allRun = flow([]);

    // Act
    await runWorkflow(skipsC, {}, options({ checkpoint }));
    seen.push('|');
    await runWorkflow(throwingC, {}, options({ checkpoint }));
    seen.push('|');
    await runWorkflow(allRun, {}, options({ checkpoint }));

    // Assess: after b, nothing runs (c is skipped on b's output); c's broken predicate counts as running
    expect(seen).toEqual([
      'a:succeeded:false',
      'b:succeeded:true',
      'c:skipped:true',
      '|',
      'a:succeeded:false',
      'b:succeeded:false',
      'c:failed:false',
      '|',
      'a:succeeded:false',
      'b:succeeded:false',
      'c:succeeded:true',
    ]);
  });

  it('never calls a failed step the last: its undo follows', async () => {
    // Prepare
    const seen: string[] = [];
    const wf = flow([], {
      c: {
        run: async () => {
          throw new TerminalError('bad');
        },
      },
    });
    const checkpoint = async (e: StepCheckpoint): Promise<void> => {
      seen.push(`${e.record.name}:${e.record.outcome}:${e.last}`);
    };

    // Act
    await runWorkflow(wf, {}, options({ checkpoint }));

    // Assess
    expect(seen).toEqual(['a:succeeded:false', 'b:succeeded:false', 'c:failed:false']);
  });
});

describe('runWorkflow: previous error on a retry', () => {
  it("gives each retry every earlier attempt, with the engine's reading of its doubt", async () => {
    // Prepare
    const contexts: AttemptContext[] = [];
    const first = new RetryableError('lost answer');
    const wf: WorkflowDefinition<State> = {
      name: 'one',
      steps: [
        {
          name: 'a',
          retry: { initialDelayMs: 1, multiplier: 1, maxDelayMs: 1, maxAttempts: 2 },
          run: async (_, ctx) => {
            contexts.push(ctx);
            if (ctx.attempt === 1) throw first;
            return { a: 1 };
          },
        },
      ],
    };

    // Act
    await runWorkflow(wf, {}, options());

    // Assess
    expect(contexts[0]!.earlierAttempts).toEqual([]);
    expect(contexts[1]!.earlierAttempts).toEqual([
      expect.objectContaining({ attempt: 1, error: first, inDoubt: 'settled' }),
    ]);
  });
});
