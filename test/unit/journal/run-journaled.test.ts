import { describe, expect, it } from 'vitest';
import type { RunInfo, WorkflowDefinition } from '../../../src/engine/index.js';
import {
  claimRun,
  JournalError,
  memoryJournal,
  runJournaled,
  type ClaimRequest,
  type RunJournal,
} from '../../../src/journal/index.js';

interface S {
  readonly input: string;
  readonly a?: number;
  readonly b?: number;
}

const NOW = Date.now();
const request = (owner: string, extra: Partial<ClaimRequest> = {}): ClaimRequest => ({
  key: 'k',
  runId: 'run-1',
  workflow: 'ab',
  provider: 'p',
  messageId: 'm',
  payloadHash: 'h',
  payload: { input: 'x' },
  owner,
  now: NOW,
  leaseExpiresAt: NOW + 1_000,
  ...extra,
});

function workflow(log: string[], hooks: { beforeB?: () => Promise<void> } = {}): WorkflowDefinition<S> {
  return {
    name: 'ab',
    steps: [
      {
        name: 'a',
        run: async () => {
          log.push('a');
          return { a: 1 };
        },
        compensate: async () => {
          log.push('undo a');
        },
      },
      {
        name: 'b',
        run: async (s) => {
          await hooks.beforeB?.();
          log.push(`b with a=${s.a}`);
          return { b: 2 };
        },
      },
    ],
  };
}

async function claimed(journal: RunJournal, owner: string, extra: Partial<ClaimRequest> = {}) {
  const claim = await claimRun(journal, request(owner, extra));
  if (claim.kind !== 'run') throw new Error(`expected a run claim, got ${claim.kind}`);
  return claim.claimed;
}

const answer = () => ({ status: 200, body: {} });

/** The recovery facts (`ctx.run`) a one-step run's attempt is given when `owner` runs the claimed run. */
async function runInfoOf(
  journal: RunJournal,
  run: Awaited<ReturnType<typeof claimed>>,
  owner: string,
  deadline: number,
): Promise<RunInfo> {
  const seen: RunInfo[] = [];
  const wf: WorkflowDefinition<S> = {
    name: 'ab',
    steps: [
      {
        name: 'a',
        run: async (_s, ctx) => {
          seen.push({ ...ctx.run });
          return {};
        },
      },
    ],
  };
  await runJournaled({
    journal,
    claimed: run,
    owner,
    workflow: wf,
    initialState: { input: 'x' },
    options: { deadline },
    answer,
  });
  const info = seen[0];
  if (info === undefined) throw new Error('the step did not run');
  return info;
}

describe('runJournaled', () => {
  it("persists each step's outcome and output, then the result and the answer, and releases the lease", async () => {
    // Prepare
    const journal = memoryJournal();
    const log: string[] = [];

    // Act
    const outcome = await runJournaled({
      journal,
      claimed: await claimed(journal, 'o1'),
      owner: 'o1',
      workflow: workflow(log),
      initialState: { input: 'x' },
      options: { deadline: NOW + 30_000 },
      answer,
    });

    // Assess
    expect(outcome.saved).toBe(true);
    const record = (await journal.get('k'))!.record;
    expect(record).toMatchObject({ status: 'succeeded', compensation: 'none', answer: { status: 200 } });
    expect(record.lease).toBeUndefined();
    expect(record.steps.map((s) => [s.name, s.outcome, s.output])).toEqual([
      ['a', 'succeeded', { a: 1 }],
      ['b', 'succeeded', { b: 2 }],
    ]);
  });

  it('resumes after the journaled steps, with their outputs in the state', async () => {
    // Prepare: the first owner finished step a, then died
    const journal = memoryJournal();
    const first = await claimed(journal, 'o1');
    await journal.update(
      { ...first.record, steps: [{ name: 'a', outcome: 'succeeded', attempts: [], durationMs: 1, output: { a: 7 } }] },
      first.version,
    );
    const log: string[] = [];

    // Act
    const takeover = await claimed(journal, 'o2', { now: NOW + 2_000, leaseExpiresAt: NOW + 60_000 });
    const outcome = await runJournaled({
      journal,
      claimed: takeover,
      owner: 'o2',
      workflow: workflow(log),
      initialState: { input: 'x' },
      options: { deadline: NOW + 30_000 },
      answer,
    });

    // Assess
    expect(log).toEqual(['b with a=7']);
    expect(outcome.result.state).toEqual({ input: 'x', a: 7, b: 2 });
    expect((await journal.get('k'))!.record.executions).toBe(2);
  });

  it('finishes the undo of a run cut off while compensating, never going forward on what it undid', async () => {
    // Prepare: the first owner failed step b for good (journaled), undid a, and died before its final record
    const journal = memoryJournal();
    const first = await claimed(journal, 'o1');
    const failed = {
      name: 'b',
      outcome: 'failed' as const,
      attempts: [],
      durationMs: 1,
      error: { type: 'HTTP 503', message: 'busy', retryable: true },
    };
    await journal.update(
      {
        ...first.record,
        steps: [{ name: 'a', outcome: 'succeeded', attempts: [], durationMs: 1, output: { a: 7 } }, failed],
      },
      first.version,
    );
    const log: string[] = [];

    // Act
    const takeover = await claimed(journal, 'o2', { now: NOW + 2_000, leaseExpiresAt: NOW + 60_000 });
    const outcome = await runJournaled({
      journal,
      claimed: takeover,
      owner: 'o2',
      workflow: workflow(log),
      initialState: { input: 'x' },
      options: { deadline: NOW + 30_000 },
      answer,
    });

    // Assess: b is not run again; a is undone (again: undos are idempotent); the run fails as it did, retryably
    expect(log).toEqual(['undo a']);
    expect(outcome.result).toMatchObject({
      status: 'failed',
      failedStep: 'b',
      error: { type: 'HTTP 503', retryable: true },
      compensation: 'completed',
    });
    const record = (await journal.get('k'))!.record;
    expect(record).toMatchObject({ status: 'failed', failedStep: 'b', compensation: 'completed' });
    expect(record.steps.find((s) => s.name === 'a')).toMatchObject({ compensated: 'succeeded' });
  });

  it("gives the steps the run's recovery facts through the engine context, not the state", async () => {
    // Prepare: a take-over of a run that an earlier execution started and abandoned a write of
    const journal = memoryJournal();
    const first = await claimed(journal, 'o1');
    await journal.update({ ...first.record, startedAt: NOW - 5_000, abandonedAt: NOW - 1_000 }, first.version);
    const seen: unknown[] = [];
    const wf: WorkflowDefinition<S> = {
      name: 'ab',
      steps: [
        {
          name: 'a',
          run: async (s, ctx) => {
            seen.push(ctx.run, Object.keys(s));
            return {};
          },
        },
        { name: 'b', run: async () => ({}) },
      ],
    };

    // Act
    const takeover = await claimed(journal, 'o2', { now: NOW + 2_000, leaseExpiresAt: NOW + 60_000 });
    await runJournaled({
      journal,
      claimed: takeover,
      owner: 'o2',
      workflow: wf,
      initialState: { input: 'x' },
      options: { deadline: NOW + 30_000 },
      answer,
    });

    // Assess
    expect(seen[0]).toMatchObject({ startedAt: NOW - 5_000, recovering: true, abandonedAt: NOW + 1_000 });
    expect(seen[1]).toEqual(['input']);
  });

  it("tells a restarted run when its failed execution ended: its searches need not lag from this one's start", async () => {
    // Prepare: the first execution failed retryably at NOW + 800 (its final record); a busy and a duplicate delivery around it
    const journal = memoryJournal();
    const first = await claimed(journal, 'o1');
    const { lease: _lease, ...rest } = first.record;
    await journal.update(
      {
        ...rest,
        status: 'failed',
        error: { type: 'B2CServiceError', message: 'HTTP 503', retryable: true },
        finishedAt: NOW + 800,
        history: [
          ...first.record.history,
          { at: NOW + 500, event: 'busy' },
          { at: NOW + 800, event: 'failed', owner: 'o1' },
          { at: NOW + 900, event: 'duplicate' },
        ],
      },
      first.version,
    );
    // Act: the sweeper restarts it a minute later
    const restart = await claimed(journal, 'o2', { now: NOW + 60_000, leaseExpiresAt: NOW + 120_000 });
    const info = await runInfoOf(journal, restart, 'o2', NOW + 90_000);

    // Assess
    expect(restart.record.history.at(-1)?.event).toBe('restarted');
    expect(info).toMatchObject({ recovering: true, earlierExecutionsEndedAt: NOW + 800 });
  });

  it('gives a resumed (cut-off) run no end of its earlier execution: its lease end is its abandonedAt', async () => {
    const journal = memoryJournal();
    await claimed(journal, 'o1');
    const takeover = await claimed(journal, 'o2', { now: NOW + 2_000, leaseExpiresAt: NOW + 60_000 });
    const info = await runInfoOf(journal, takeover, 'o2', NOW + 30_000);
    expect(info).toMatchObject({ recovering: true, abandonedAt: NOW + 1_000 });
    expect(info).not.toHaveProperty('earlierExecutionsEndedAt');
  });

  it("keeps going when a duplicate arrives meanwhile: it leaves the owner's record alone", async () => {
    // Prepare
    const journal = memoryJournal();
    const mine = await claimed(journal, 'o1');
    const log: string[] = [];
    const beforeB = async (): Promise<void> => {
      await claimRun(journal, request('dup')); // busy: answered, not written down
    };

    // Act
    const outcome = await runJournaled({
      journal,
      claimed: mine,
      owner: 'o1',
      workflow: workflow(log, { beforeB }),
      initialState: { input: 'x' },
      options: { deadline: NOW + 30_000 },
      answer,
    });

    // Assess
    expect(outcome.saved).toBe(true);
    expect((await journal.get('k'))!.record).toMatchObject({ status: 'succeeded', duplicates: 0 });
  });

  it('stops without undoing anything when another execution took the run over', async () => {
    // Prepare
    const journal = memoryJournal();
    const mine = await claimed(journal, 'o1');
    const log: string[] = [];
    const beforeB = async (): Promise<void> => {
      await claimRun(journal, request('o2', { now: NOW + 5_000, leaseExpiresAt: NOW + 60_000 })); // our lease expired
    };

    // Act
    const outcome = await runJournaled({
      journal,
      claimed: mine,
      owner: 'o1',
      workflow: workflow(log, { beforeB }),
      initialState: { input: 'x' },
      options: { deadline: NOW + 30_000 },
      answer,
    });

    // Assess: the final record is not written over the new owner's, nothing is undone
    expect(outcome.saved).toBe(false);
    expect(outcome.saveError).toBeUndefined();
    expect(log).not.toContain('undo a');
    expect((await journal.get('k'))!.record).toMatchObject({ status: 'running', lease: { owner: 'o2' } });
  });

  it('stops at the next step, without undoing anything, when a checkpoint written in the background finds the run taken over', async () => {
    // Prepare: three steps; the lease is lost while step a's checkpoint is still to be written
    const journal = memoryJournal();
    const mine = await claimed(journal, 'o1');
    const log: string[] = [];
    await claimRun(journal, request('o2', { now: NOW + 5_000, leaseExpiresAt: NOW + 60_000 }));
    const three: WorkflowDefinition<S> = {
      ...workflow(log),
      steps: [
        ...workflow(log).steps,
        {
          name: 'c',
          run: async () => {
            log.push('c');
            return {};
          },
        },
      ],
    };

    // Act
    const outcome = await runJournaled({
      journal,
      claimed: mine,
      owner: 'o1',
      workflow: three,
      initialState: { input: 'x' },
      options: { deadline: NOW + 30_000 },
      answer,
    });

    // Assess
    expect(outcome.saved).toBe(false);
    expect(outcome.result).toMatchObject({ status: 'failed', compensation: 'none', error: { type: 'LeaseLostError' } });
    expect(log).toEqual(['a', 'b with a=1']);
    expect((await journal.get('k'))!.record).toMatchObject({ status: 'running', lease: { owner: 'o2' }, steps: [] });
  });

  it("starts the next step while the previous step's checkpoint is still being written", async () => {
    // Prepare: the store holds every update until released
    const inner = memoryJournal();
    const held: (() => void)[] = [];
    const slow: RunJournal = {
      ...inner,
      description: 'slow',
      update: (r, v) => new Promise((resolve) => held.push(() => resolve(inner.update(r, v)))),
    };
    const log: string[] = [];
    const beforeB = async (): Promise<void> => {
      log.push(`updates held when b starts: ${held.length}`);
      for (const release of held.splice(0)) release();
    };
    const claim = await claimed(inner, 'o1');
    const releaseLater = setInterval(() => {
      for (const release of held.splice(0)) release();
    }, 5);

    // Act
    const outcome = await runJournaled({
      journal: slow,
      claimed: claim,
      owner: 'o1',
      workflow: workflow(log, { beforeB }),
      initialState: { input: 'x' },
      options: { deadline: NOW + 30_000 },
      answer,
    }).finally(() => clearInterval(releaseLater));

    // Assess
    expect(log.slice(0, 2)).toEqual(['a', 'updates held when b starts: 1']);
    expect(outcome.saved).toBe(true);
  });

  it('answers by the deadline when a checkpoint is still being written, leaving the run to a redelivery', async () => {
    // Prepare: the store never answers a checkpoint; the deadline is 1.5 s away
    const inner = memoryJournal();
    const stuck: RunJournal = { ...inner, description: 'stuck', update: () => new Promise(() => undefined) };
    const log: string[] = [];
    const claim = await claimed(inner, 'o1');
    const t0 = Date.now();

    // Act
    const outcome = await runJournaled({
      journal: stuck,
      claimed: claim,
      owner: 'o1',
      workflow: workflow(log),
      initialState: { input: 'x' },
      options: { deadline: Date.now() + 1_500 },
      answer,
    });

    // Assess
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(outcome.saved).toBe(false);
    expect(outcome.saveError).toBeInstanceOf(JournalError);
  });

  it("writes the last step's entry with the final record, not on its own", async () => {
    // Prepare
    const inner = memoryJournal();
    const written: string[] = [];
    const counting: RunJournal = {
      ...inner,
      description: 'counting',
      update: async (r, v) => {
        written.push(`${r.status}:${r.steps.map((s) => s.name).join(',')}`);
        return inner.update(r, v);
      },
    };
    const log: string[] = [];

    // Act
    await runJournaled({
      journal: counting,
      claimed: await claimed(inner, 'o1'),
      owner: 'o1',
      workflow: workflow(log),
      initialState: { input: 'x' },
      options: { deadline: NOW + 30_000 },
      answer,
    });

    // Assess: step a's checkpoint, then the final record with both steps
    expect(written).toEqual(['running:a', 'succeeded:a,b']);
  });

  it("sends a look-up's entry and a skipped step's with the next write step's, never on their own", async () => {
    // Prepare: look (a read), skip (skipped), a (a write), b (the last)
    const inner = memoryJournal();
    const written: string[] = [];
    const counting: RunJournal = {
      ...inner,
      description: 'counting',
      update: async (r, v) => {
        written.push(`${r.status}:${r.steps.map((s) => `${s.name}=${s.outcome}`).join(',')}`);
        return inner.update(r, v);
      },
    };
    const base = workflow([]);
    const withLookup: WorkflowDefinition<S> = {
      ...base,
      steps: [
        { name: 'look', reads: true, run: async () => ({}) },
        { name: 'skip', when: () => false, run: async () => ({}) },
        ...base.steps,
      ],
    };

    // Act
    await runJournaled({
      journal: counting,
      claimed: await claimed(inner, 'o1'),
      owner: 'o1',
      workflow: withLookup,
      initialState: { input: 'x' },
      options: { deadline: NOW + 30_000 },
      answer,
    });

    // Assess: one checkpoint (look and skip ride with a), then the final record
    expect(written).toEqual([
      'running:look=succeeded,skip=skipped,a=succeeded',
      'succeeded:look=succeeded,skip=skipped,a=succeeded,b=succeeded',
    ]);
  });

  it('writes nothing on its own once no later step will run: that step and the skipped ones ride with the final record', async () => {
    // Prepare: a, b (writes), c only when b has not run (like add-thread after an incident made with its note)
    const inner = memoryJournal();
    const written: string[] = [];
    const counting: RunJournal = {
      ...inner,
      description: 'counting',
      update: async (r, v) => {
        written.push(`${r.status}:${r.steps.map((s) => `${s.name}=${s.outcome}`).join(',')}`);
        return inner.update(r, v);
      },
    };
    const base = workflow([]);
    const skippedLast: WorkflowDefinition<S> = {
      ...base,
      steps: [...base.steps, { name: 'c', when: (s) => s.b === undefined, run: async () => ({}) }],
    };

    // Act
    const outcome = await runJournaled({
      journal: counting,
      claimed: await claimed(inner, 'o1'),
      owner: 'o1',
      workflow: skippedLast,
      initialState: { input: 'x' },
      options: { deadline: NOW + 30_000 },
      answer,
    });

    // Assess: a's checkpoint, then one write: the final record with b's and c's entries
    expect(outcome.saved).toBe(true);
    expect(written).toEqual(['running:a=succeeded', 'succeeded:a=succeeded,b=succeeded,c=skipped']);
    const steps = (await inner.get('k'))!.record.steps;
    expect(steps.every((step) => typeof step.finishedAt === 'number')).toBe(true);
  });

  it("never writes a look-up's entry on its own, even when it ends while a write is in flight", async () => {
    // Prepare: a (write), look (a read), b (write), c (the last); a's checkpoint is held until look has ended
    const inner = memoryJournal();
    const written: string[] = [];
    const held: (() => void)[] = [];
    let hold = true;
    const counting: RunJournal = {
      ...inner,
      description: 'counting',
      update: (r, v) => {
        written.push(`${r.status}:${r.steps.map((s) => s.name).join(',')}`);
        if (!hold) return inner.update(r, v);
        return new Promise((resolve) => held.push(() => resolve(inner.update(r, v))));
      },
    };
    const base = workflow([]);
    const [a, b] = base.steps;
    const withLookup: WorkflowDefinition<S> = {
      ...base,
      steps: [
        a!,
        { name: 'look', reads: true, run: async () => ({}) },
        {
          ...b!,
          run: async () => {
            // a's write lands now, with look's entry waiting behind it: time for a write of its own, if any
            hold = false;
            for (const release of held.splice(0)) release();
            await new Promise((r) => setTimeout(r, 20));
            return { b: 2 };
          },
        },
        { name: 'c', run: async () => ({}) },
      ],
    };

    // Act
    const outcome = await runJournaled({
      journal: counting,
      claimed: await claimed(inner, 'o1'),
      owner: 'o1',
      workflow: withLookup,
      initialState: { input: 'x' },
      options: { deadline: NOW + 30_000 },
      answer,
    });

    // Assess: look's entry went with b's; c's with the final record
    expect(outcome.saved).toBe(true);
    expect(written).toEqual(['running:a', 'running:a,look,b', 'succeeded:a,look,b,c']);
  });

  it('still answers the outcome when the final write fails, leaving the earlier steps journaled for a redelivery', async () => {
    // Prepare: the store goes down after the first step's checkpoint (the last step's entry goes with the final record)
    const inner = memoryJournal();
    let writes = 0;
    const flaky: RunJournal = {
      ...inner,
      description: 'flaky',
      update: async (r, v) => (++writes > 1 ? Promise.reject(new JournalError('store down')) : inner.update(r, v)),
    };
    const log: string[] = [];

    // Act
    const outcome = await runJournaled({
      journal: flaky,
      claimed: await claimed(inner, 'o1'),
      owner: 'o1',
      workflow: workflow(log),
      initialState: { input: 'x' },
      options: { deadline: NOW + 30_000 },
      answer,
    });

    // Assess
    expect(outcome.result.status).toBe('succeeded');
    expect(outcome.saved).toBe(false);
    expect(outcome.saveError).toBeInstanceOf(JournalError);
    const record = (await inner.get('k'))!.record;
    expect(record.status).toBe('running');
    expect(record.steps.map((s) => [s.name, s.outcome])).toEqual([['a', 'succeeded']]);
  });
});
