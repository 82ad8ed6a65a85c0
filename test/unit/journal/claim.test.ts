import { describe, expect, it } from 'vitest';
import {
  claimRun,
  memoryJournal,
  standingSteps,
  type ClaimRequest,
  type RunJournal,
  type StepEntry,
} from '../../../src/journal/index.js';

const NOW = 10_000;
function request(extra: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    key: 'twilio:SM1',
    runId: 'run-new',
    workflow: 'wf',
    provider: 'twilio',
    messageId: 'SM1',
    payloadHash: 'h1',
    payload: { text: 'x' },
    owner: 'call-1',
    now: NOW,
    leaseExpiresAt: NOW + 5_000,
    ...extra,
  };
}
const step = (name: string, outcome: StepEntry['outcome'], extra: Partial<StepEntry> = {}): StepEntry => ({
  name,
  outcome,
  attempts: [],
  durationMs: 1,
  ...extra,
});

async function finishRun(journal: RunJournal, patch: object): Promise<void> {
  const current = (await journal.get('twilio:SM1'))!;
  await journal.update({ ...current.record, lease: undefined, ...patch }, current.version);
}

describe('claimRun', () => {
  it('claims a new key with a lease and one execution', async () => {
    // Prepare
    const journal = memoryJournal();

    // Act
    const claim = await claimRun(journal, request());

    // Assess
    expect(claim.kind).toBe('run');
    if (claim.kind !== 'run') return;
    expect(claim.mode).toBe('new');
    expect(claim.claimed.record).toMatchObject({
      runId: 'run-new',
      status: 'running',
      lease: { owner: 'call-1', expiresAt: NOW + 5_000 },
      executions: 1,
    });
  });

  it('claims a new key with one create-only write and no read before it; a known key costs the refused create and one read', async () => {
    // Prepare
    const inner = memoryJournal();
    const calls: string[] = [];
    const journal: RunJournal = {
      ...inner,
      get: (key) => {
        calls.push('get');
        return inner.get(key);
      },
      create: (record) => {
        calls.push('create');
        return inner.create(record);
      },
      update: (record, version) => {
        calls.push('update');
        return inner.update(record, version);
      },
    };

    // Act
    const first = await claimRun(journal, request());
    const firstCalls = calls.splice(0);
    const again = await claimRun(journal, request({ owner: 'call-2', runId: 'other' }));

    // Assess
    expect(first.kind).toBe('run');
    expect(firstCalls).toEqual(['create']);
    expect(again.kind).toBe('busy');
    expect(calls).toEqual(['create', 'get', 'update']); // the update counts the duplicate
  });

  it('answers busy with the time left on a live lease, and counts the duplicate', async () => {
    // Prepare
    const journal = memoryJournal();
    await claimRun(journal, request());

    // Act
    const claim = await claimRun(journal, request({ owner: 'call-2', now: NOW + 1_200, runId: 'other' }));

    // Assess
    expect(claim).toMatchObject({ kind: 'busy', retryAfterMs: 3_800 });
    expect((await journal.get('twilio:SM1'))!.record.duplicates).toBe(1);
  });

  it('lets one of many concurrent claims run; the others are busy', async () => {
    // Prepare
    const journal = memoryJournal();

    // Act
    const claims = await Promise.all(
      Array.from({ length: 5 }, (_, i) => claimRun(journal, request({ owner: `call-${i}` }))),
    );

    // Assess
    expect(claims.filter((c) => c.kind === 'run')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'busy')).toHaveLength(4);
  });

  it('takes over a run whose lease expired, keeping its steps and run id', async () => {
    // Prepare
    const journal = memoryJournal();
    await claimRun(journal, request());
    const current = (await journal.get('twilio:SM1'))!;
    await journal.update(
      { ...current.record, steps: [step('a', 'succeeded', { output: { id: 7 } })] },
      current.version,
    );

    // Act
    const claim = await claimRun(
      journal,
      request({ owner: 'call-2', now: NOW + 5_001, runId: 'ignored', leaseExpiresAt: NOW + 20_000 }),
    );

    // Assess
    expect(claim.kind).toBe('run');
    if (claim.kind !== 'run') return;
    expect(claim.mode).toBe('resume');
    expect(claim.claimed.record).toMatchObject({
      runId: 'run-new',
      executions: 2,
      lease: { owner: 'call-2' },
      steps: [{ name: 'a', output: { id: 7 } }],
    });
    expect(claim.claimed.record.history.at(-1)).toMatchObject({ event: 'resumed', owner: 'call-2' });
  });

  it('refuses the same key with another payload', async () => {
    // Prepare
    const journal = memoryJournal();
    await claimRun(journal, request());

    // Act
    const claim = await claimRun(journal, request({ payloadHash: 'h2', now: NOW + 60_000 }));

    // Assess
    expect(claim.kind).toBe('mismatch');
  });

  it('answers a finished run from the journal', async () => {
    // Prepare
    const journal = memoryJournal();
    await claimRun(journal, request());
    await finishRun(journal, { status: 'succeeded', answer: { status: 200, body: { incidentId: 1 } } });

    // Act
    const claim = await claimRun(journal, request({ owner: 'call-2' }));

    // Assess
    expect(claim).toMatchObject({ kind: 'finished', record: { answer: { status: 200, body: { incidentId: 1 } } } });
  });

  it('restarts a run that failed with a retryable error and was compensated, from the first undone step', async () => {
    // Prepare
    const journal = memoryJournal();
    await claimRun(journal, request());
    await finishRun(journal, {
      status: 'failed',
      compensation: 'completed',
      error: { type: 'DeadlineExceededError', message: 'late', retryable: true },
      failedStep: 'c',
      steps: [step('a', 'succeeded'), step('b', 'succeeded', { compensated: 'succeeded' }), step('c', 'failed')],
      answer: { status: 504, body: {} },
    });

    // Act
    const claim = await claimRun(journal, request({ owner: 'call-2' }));

    // Assess
    expect(claim.kind).toBe('run');
    if (claim.kind !== 'run') return;
    expect(claim.mode).toBe('restart');
    expect(claim.claimed.record.steps.map((s) => s.name)).toEqual(['a']);
    expect(claim.claimed.record).not.toHaveProperty('answer');
    expect(claim.claimed.record).not.toHaveProperty('error');
  });

  it('does not rerun a permanent failure, nor one whose compensation failed', async () => {
    // Prepare
    const permanent = memoryJournal();
    await claimRun(permanent, request());
    await finishRun(permanent, {
      status: 'failed',
      compensation: 'completed',
      error: { type: 'HTTP 400', message: 'bad', retryable: false },
    });
    const halfUndone = memoryJournal();
    await claimRun(halfUndone, request());
    await finishRun(halfUndone, {
      status: 'failed',
      compensation: 'failed',
      error: { type: 'network', message: 'x', retryable: true },
    });

    // Act
    const a = await claimRun(permanent, request({ owner: 'call-2' }));
    const b = await claimRun(halfUndone, request({ owner: 'call-2' }));

    // Assess
    expect(a.kind).toBe('finished');
    expect(b.kind).toBe('finished');
  });
});

describe('standingSteps', () => {
  it('keeps the succeeded or skipped prefix that was not compensated', () => {
    expect(
      standingSteps([
        step('a', 'succeeded'),
        step('b', 'skipped'),
        step('c', 'succeeded', { compensated: 'succeeded' }),
        step('d', 'succeeded'),
      ]).map((s) => s.name),
    ).toEqual(['a', 'b']);
    expect(standingSteps([step('a', 'failed'), step('b', 'succeeded')])).toEqual([]);
  });
});
