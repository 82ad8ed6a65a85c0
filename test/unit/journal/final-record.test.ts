import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../../src/engine/index.js';
import { JournalError, type RunRecord, runJournaled } from '../../../src/journal/index.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';
import { fakeJournal } from '../../helpers/fake-journal.js';
import { sampleRecord } from './sample-record.js';

/** What the final record of a run holds, and what a resumed run takes from the record it resumes. */

interface S {
  readonly found?: boolean;
  readonly made?: number;
}
const inFlight = (message: string) => Object.assign(new Error(message), { retryable: true, inDoubt: 'in-flight' });
const settled = (message: string) => Object.assign(new Error(message), { retryable: true, inDoubt: 'settled' });
const terminal = Object.assign(new Error('bad note'), { retryable: false, inDoubt: false, code: 'BadNote' });

/** look (a read) → make (a write, undone by keeping) → note (a write). */
function workflow(
  clock: FakeClock,
  faults: { look?: Error[]; make?: Error[]; note?: Error[] } = {},
  log: string[] = [],
) {
  const attempt = async (name: 'look' | 'make' | 'note') => {
    log.push(name);
    clock.advance(100);
    const error = faults[name]?.shift();
    if (error) throw error;
  };
  const definition: WorkflowDefinition<S> = {
    name: 'wf',
    steps: [
      {
        name: 'look',
        reads: true,
        retry: { initialDelayMs: 10, multiplier: 2, maxDelayMs: 100, maxAttempts: 3 },
        run: async () => {
          await attempt('look');
          return { found: false };
        },
      },
      {
        name: 'make',
        retry: { initialDelayMs: 10, multiplier: 2, maxDelayMs: 100, maxAttempts: 3 },
        run: async () => {
          await attempt('make');
          return { made: 1 };
        },
        compensate: async () => {
          log.push('undo make');
          return { effect: 'kept', reason: 'in use' };
        },
      },
      {
        name: 'note',
        retry: { initialDelayMs: 10, multiplier: 2, maxDelayMs: 100, maxAttempts: 3 },
        run: async () => {
          await attempt('note');
          return {};
        },
      },
    ],
  };
  return definition;
}

async function run(
  definition: (clock: FakeClock) => WorkflowDefinition<S>,
  seed: Partial<RunRecord> = {},
  info: { clock?: FakeClock } = {},
) {
  const clock = info.clock ?? new FakeClock();
  const journal = fakeJournal();
  const claimed = (await journal.create(
    sampleRecord('k', {
      lease: { owner: 'o1', expiresAt: T0 + 60_000 },
      startedAt: T0 - 500,
      updatedAt: T0 - 500,
      ...seed,
    }),
  ))!;
  const outcome = await runJournaled({
    journal,
    claimed,
    owner: 'o1',
    workflow: definition(clock),
    initialState: {},
    options: { deadline: T0 + 30_000, clock, random: () => 0 },
    answer: (result) => ({ status: result.status === 'succeeded' ? 200 : 502, body: { status: result.status } }),
    now: () => clock.now(),
  });
  const stored = (await journal.get('k'))!.record;
  return { clock, journal, outcome, stored };
}

describe('runJournaled: the final record', () => {
  it('of a failed run: every step with its end, the undo with its effect, the error, the answer, an entry naming the failed step', async () => {
    // Act
    const { outcome, stored } = await run((clock) => workflow(clock, { note: [terminal] }));

    // Assess
    const { result } = outcome;
    expect(outcome.saved).toBe(true);
    expect(stored).not.toHaveProperty('lease');
    expect(stored).toMatchObject({
      status: 'failed',
      compensation: 'completed',
      failedStep: 'note',
      error: result.error,
      answer: { status: 502, body: { status: 'failed' } },
      updatedAt: stored.finishedAt,
    });
    expect(stored.error).toEqual({ ...result.error });
    expect(stored.steps.map((s) => [s.name, s.outcome, s.compensated])).toEqual([
      ['look', 'succeeded', undefined],
      ['make', 'succeeded', 'succeeded'],
      ['note', 'failed', undefined],
    ]);
    const undo = result.compensations.find((c) => c.step === 'make')!;
    expect(stored.steps[1]?.undo).toEqual({
      attempts: undo.attempts,
      durationMs: undo.durationMs,
      effect: 'kept',
      reason: 'in use',
    });
    for (const step of stored.steps) expect(step.finishedAt).toEqual(expect.any(Number));
    expect(stored.history.at(-1)).toEqual({
      at: stored.finishedAt,
      event: 'failed',
      owner: 'o1',
      detail: `note: ${result.error!.type}`,
    });
  });

  it('of a succeeded run: no error, no failed step, an entry without detail; a checkpointed step keeps its own end', async () => {
    // Act
    const { stored } = await run((clock) => workflow(clock));

    // Assess
    expect(stored.status).toBe('succeeded');
    for (const absent of ['error', 'failedStep', 'abandonedAt', 'lease']) expect(stored).not.toHaveProperty(absent);
    expect(stored.history.at(-1)).toEqual({ at: stored.finishedAt, event: 'succeeded', owner: 'o1' });
    // look's and make's entries were written by their checkpoints; note's only with the final record
    expect(stored.steps.map((s) => s.finishedAt)).toEqual([T0 + 100, T0 + 200, T0 + 300]);
    expect(stored.finishedAt).toBe(T0 + 300);
  });

  it('keeps when a write was last abandoned in flight: the latest end of such an attempt, not a read, not a settled one', async () => {
    // Prepare: look (a read) times out last of all, make times out then succeeds, note loses an answer (settled)
    const faults = () => ({ make: [inFlight('make timed out')], note: [settled('note hung up')] });

    // Act
    const { stored, outcome } = await run((clock) => workflow(clock, faults()), { abandonedAt: T0 - 1_000 });

    // Assess: make's failed attempt ran from T0 + 100 for 100 ms
    expect(outcome.result.status).toBe('succeeded');
    const make = outcome.result.steps.find((s) => s.name === 'make')!;
    expect(make.attempts[0]).toMatchObject({ startedAt: T0 + 100, durationMs: 100 });
    expect(stored.abandonedAt).toBe(T0 + 200);
  });

  it("ignores a read step's abandoned attempt and a settled one, keeping the record's own", async () => {
    // Act
    const { stored } = await run(
      (clock) => workflow(clock, { look: [inFlight('look timed out')], note: [settled('x')] }),
      {
        abandonedAt: T0 - 1_000,
      },
    );

    // Assess
    expect(stored.abandonedAt).toBe(T0 - 1_000);
  });

  it('keeps a later abandonedAt from the record over this execution’s', async () => {
    // Act
    const { stored } = await run((clock) => workflow(clock, { make: [inFlight('make timed out')] }), {
      abandonedAt: T0 + 50_000,
    });

    // Assess
    expect(stored.abandonedAt).toBe(T0 + 50_000);
  });
});

describe('runJournaled: what a resumed run takes from its record', () => {
  const done = (name: string, output: Record<string, unknown>, outcome: 'succeeded' | 'skipped' = 'succeeded') => ({
    name,
    outcome,
    attempts: [],
    durationMs: 1,
    output,
    finishedAt: T0 - 100,
  });

  it('reads again a look-up that ended the finished steps, and keeps the write after it', async () => {
    // Prepare
    const onlyLook = [done('look', { found: true })];
    const lookAndMake = [done('look', { found: true }), done('make', { made: 7 })];
    const logA: string[] = [];
    const logB: string[] = [];

    // Act
    const a = await run((clock) => workflow(clock, {}, logA), { steps: onlyLook, executions: 2 });
    const b = await run((clock) => workflow(clock, {}, logB), { steps: lookAndMake, executions: 2 });

    // Assess
    expect(logA).toEqual(['look', 'make', 'note']);
    expect(logB).toEqual(['note']);
    expect(b.outcome.result.state).toMatchObject({ found: true, made: 7 });
    expect(a.stored.steps.map((s) => s.name)).toEqual(['look', 'make', 'note']);
  });

  it('gives the steps the record’s start, abandonedAt and whether it recovers', async () => {
    // Prepare
    const seen: unknown[] = [];
    const definition = (): WorkflowDefinition<S> => ({
      name: 'wf',
      steps: [
        {
          name: 'make',
          run: async (_s, ctx) => {
            seen.push(ctx.run);
            return {};
          },
        },
      ],
    });

    // Act
    await run(definition, { executions: 2, abandonedAt: T0 - 10, startedAt: T0 - 500 });
    await run(definition, { executions: 1 });

    // Assess
    expect(seen).toEqual([
      { startedAt: T0 - 500, executionStartedAt: T0, recovering: true, abandonedAt: T0 - 10 },
      { startedAt: T0 - 500, executionStartedAt: T0, recovering: false },
    ]);
  });

  it('finishes the undo of a step that failed, when the run was cut off while undoing; a read ending the steps is not redone then', async () => {
    // Prepare: look and make stand, note failed with its error journaled, the final record never came
    const log: string[] = [];
    const steps = [
      done('look', { found: false }),
      done('make', { made: 7 }),
      {
        name: 'note',
        outcome: 'failed' as const,
        attempts: [],
        durationMs: 1,
        error: { type: 'BadNote', message: 'bad note', retryable: false },
      },
    ];

    // Act
    const { outcome } = await run((clock) => workflow(clock, {}, log), { steps, executions: 2 });

    // Assess
    expect(log).toEqual(['undo make']);
    expect(outcome.result).toMatchObject({ status: 'failed', failedStep: 'note', compensation: 'completed' });
  });

  it('a failed step without its error, or a run no longer running, is not an undo to finish', async () => {
    // Prepare
    const log: string[] = [];
    const steps = [
      done('look', { found: false }),
      done('make', { made: 7 }),
      { name: 'note', outcome: 'failed' as const, attempts: [], durationMs: 1 },
    ];

    // Act
    await run((clock) => workflow(clock, {}, log), { steps, executions: 2 });

    // Assess
    expect(log).toEqual(['note']);
  });
});

describe('runJournaled: a checkpoint that cannot be written', () => {
  it("stops the run before the failed step's undo when the failed step's entry cannot be written", async () => {
    // Prepare
    const log: string[] = [];
    const clock = new FakeClock();
    const journal = fakeJournal();
    const claimed = (await journal.create(sampleRecord('k', { lease: { owner: 'o1', expiresAt: T0 + 60_000 } })))!;
    journal.faults.update = (record) =>
      record.steps.some((s) => s.outcome === 'failed') ? new JournalError('down') : undefined;

    // Act
    const outcome = await runJournaled({
      journal,
      claimed,
      owner: 'o1',
      workflow: workflow(clock, { note: [terminal] }, log),
      initialState: {},
      options: { deadline: T0 + 30_000, clock, random: () => 0 },
      answer: () => ({ status: 503, body: {} }),
      now: () => clock.now(),
    });

    // Assess
    expect(log).not.toContain('undo make');
    expect(outcome.saved).toBe(false);
  });
});
