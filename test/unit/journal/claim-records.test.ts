import { describe, expect, it } from 'vitest';
import { type ClaimRequest, claimRun, JournalError, type RunRecord } from '../../../src/journal/index.js';
import { fakeJournal } from '../../helpers/fake-journal.js';
import { sampleRecord } from './sample-record.js';

/** What a claim writes in the run record (new, taken over, duplicate), and how it reads back what it lost. */

const NOW = 10_000;
const request = (extra: Partial<ClaimRequest> = {}): ClaimRequest => ({
  key: 'k',
  runId: 'run-new',
  workflow: 'wf',
  provider: 'twilio',
  messageId: 'SM1',
  payloadHash: 'h1',
  payload: { n: 1 },
  owner: 'call-2',
  now: NOW,
  leaseExpiresAt: NOW + 5_000,
  ...extra,
});
const traced = { traceId: 'trace-2', spanId: 'span-2' };
const failedRetryably = {
  status: 'failed',
  lease: undefined,
  error: { type: 'HTTP 503', message: 'busy', retryable: true },
  compensation: 'completed',
  failedStep: 'b',
  finishedAt: 1_500,
  answer: { status: 502, body: {} },
  steps: [
    { name: 'a', outcome: 'succeeded', attempts: [], durationMs: 1 },
    { name: 'b', outcome: 'failed', attempts: [], durationMs: 1 },
  ],
} as Partial<RunRecord>;

async function seeded(record: RunRecord) {
  const journal = fakeJournal();
  await journal.create(record);
  journal.calls.length = 0;
  return journal;
}

describe('claimRun: the record it writes', () => {
  it('a new run: the token, the trace, and the history entry with the trace and span', async () => {
    // Act
    const claim = await claimRun(fakeJournal(), request({ idempotencyToken: 'tok', ...traced }));

    // Assess
    if (claim.kind !== 'run') throw new Error(claim.kind);
    expect(claim.claimed.record).toEqual({
      schema: 1,
      key: 'k',
      runId: 'run-new',
      workflow: 'wf',
      provider: 'twilio',
      messageId: 'SM1',
      idempotencyToken: 'tok',
      payloadHash: 'h1',
      payload: { n: 1 },
      status: 'running',
      lease: { owner: 'call-2', expiresAt: NOW + 5_000 },
      executions: 1,
      duplicates: 0,
      steps: [],
      traceId: 'trace-2',
      startedAt: NOW,
      updatedAt: NOW,
      history: [{ at: NOW, event: 'claimed', owner: 'call-2', traceId: 'trace-2', spanId: 'span-2' }],
    });
    const bare = await claimRun(fakeJournal(), request());
    if (bare.kind !== 'run') throw new Error(bare.kind);
    expect(bare.claimed.record).not.toHaveProperty('idempotencyToken');
    expect(bare.claimed.record).not.toHaveProperty('traceId');
    expect(bare.claimed.record.history).toEqual([{ at: NOW, event: 'claimed', owner: 'call-2' }]);
  });

  it('a resume: everything kept, the lease, the trace, abandonedAt at the old lease end, a resumed entry naming the old owner', async () => {
    // Prepare: the lease ended exactly now (not live any more)
    const journal = await seeded(
      sampleRecord('k', {
        lease: { owner: 'call-1', expiresAt: NOW },
        abandonedAt: 9_000,
        steps: [{ name: 'a', outcome: 'succeeded', attempts: [], durationMs: 1 }],
      }),
    );

    // Act
    const claim = await claimRun(journal, request(traced));

    // Assess
    expect(claim).toMatchObject({ kind: 'run', mode: 'resume' });
    if (claim.kind !== 'run') return;
    const record = claim.claimed.record;
    expect(record).toMatchObject({
      runId: 'run-k',
      status: 'running',
      lease: { owner: 'call-2', expiresAt: NOW + 5_000 },
      executions: 2,
      steps: [{ name: 'a' }],
      abandonedAt: NOW,
      traceId: 'trace-2',
      updatedAt: NOW,
    });
    expect(record.history.at(-1)).toEqual({
      at: NOW,
      event: 'resumed',
      owner: 'call-2',
      detail: 'lease of call-1 expired',
      traceId: 'trace-2',
      spanId: 'span-2',
    });
    expect(await journal.get('k')).toMatchObject({ record });
  });

  it('a resume keeps an abandonedAt later than the old lease end', async () => {
    // Prepare
    const journal = await seeded(
      sampleRecord('k', { lease: { owner: 'call-1', expiresAt: 2_000 }, abandonedAt: 3_000 }),
    );

    // Act
    const claim = await claimRun(journal, request());

    // Assess
    expect(claim).toMatchObject({ kind: 'run', mode: 'resume', claimed: { record: { abandonedAt: 3_000 } } });
  });

  it('a resume of a run with no lease names nobody', async () => {
    // Prepare
    const journal = await seeded(sampleRecord('k', { lease: undefined }));

    // Act
    const claim = await claimRun(journal, request());

    // Assess
    if (claim.kind !== 'run') throw new Error(claim.kind);
    expect(claim.mode).toBe('resume');
    expect(claim.claimed.record).not.toHaveProperty('abandonedAt');
    expect(claim.claimed.record.history.at(-1)?.detail).toBe('lease of nobody expired');
  });

  it('a restart after a retryable failure: the outcome fields dropped, the standing steps kept, a restarted entry naming the error', async () => {
    // Prepare
    const journal = await seeded(sampleRecord('k', { ...failedRetryably, abandonedAt: 1_200 }));

    // Act
    const claim = await claimRun(journal, request(traced));

    // Assess
    if (claim.kind !== 'run') throw new Error(claim.kind);
    expect(claim.mode).toBe('restart');
    const record = claim.claimed.record;
    for (const dropped of ['answer', 'error', 'failedStep', 'compensation', 'finishedAt'])
      expect(record).not.toHaveProperty(dropped);
    expect(record).toMatchObject({
      status: 'running',
      executions: 2,
      abandonedAt: 1_200,
      traceId: 'trace-2',
      lease: { owner: 'call-2', expiresAt: NOW + 5_000 },
    });
    expect(record.steps.map((s) => s.name)).toEqual(['a']);
    expect(record.history.at(-1)).toEqual({
      at: NOW,
      event: 'restarted',
      owner: 'call-2',
      detail: 'after HTTP 503',
      traceId: 'trace-2',
      spanId: 'span-2',
    });
  });

  it('a restart does not count its old lease as abandoned; a redrive says so', async () => {
    // Prepare
    const journal = await seeded(
      sampleRecord('k', { status: 'queued', lease: { owner: 'call-1', expiresAt: 2_000 }, steps: [] }),
    );

    // Act
    const claim = await claimRun(journal, request());

    // Assess
    if (claim.kind !== 'run') throw new Error(claim.kind);
    expect(claim.mode).toBe('restart');
    expect(claim.claimed.record).not.toHaveProperty('abandonedAt');
    expect(claim.claimed.record).not.toHaveProperty('traceId');
    expect(claim.claimed.record.history.at(-1)).toEqual({
      at: NOW,
      event: 'restarted',
      owner: 'call-2',
      detail: 'redrive',
    });
  });

  it('names what it restarts after: a redrive, or the failure by its type', async () => {
    // Prepare: a hand-edited record may lack the error, not its retryable flag
    const journal = await seeded(
      sampleRecord('k', { status: 'queued', lease: undefined, error: { type: '', message: '', retryable: true } }),
    );
    const failed = await seeded(
      sampleRecord('k', { ...failedRetryably, error: { type: 'Timeout', message: '', retryable: true } }),
    );

    // Act / Assess
    const a = await claimRun(journal, request());
    const b = await claimRun(failed, request());
    if (a.kind !== 'run' || b.kind !== 'run') throw new Error('expected runs');
    expect(a.claimed.record.history.at(-1)?.detail).toBe('redrive');
    expect(b.claimed.record.history.at(-1)?.detail).toBe('after Timeout');
  });

  it('a duplicate of a finished run: counted, with a duplicate entry, the record otherwise unchanged', async () => {
    // Prepare
    const finished = sampleRecord('k', { status: 'succeeded', lease: undefined, duplicates: 2 });
    const journal = await seeded(finished);

    // Act
    const claim = await claimRun(journal, request());

    // Assess
    expect(claim).toEqual({ kind: 'finished', record: finished });
    expect((await journal.get('k'))?.record).toEqual({
      ...finished,
      duplicates: 3,
      updatedAt: NOW,
      history: [{ at: NOW, event: 'duplicate', owner: 'call-2' }],
    });
  });

  it('a duplicate whose count cannot be written is still answered finished', async () => {
    // Prepare
    const finished = sampleRecord('k', { status: 'succeeded', lease: undefined });
    const journal = await seeded(finished);
    journal.faults.update = () => new JournalError('down');

    // Act / Assess
    expect(await claimRun(journal, request())).toEqual({ kind: 'finished', record: finished });
  });

  it('busy: the time left on the lease, the record not written', async () => {
    // Prepare
    const journal = await seeded(sampleRecord('k', { lease: { owner: 'call-1', expiresAt: NOW + 1 } }));

    // Act
    const claim = await claimRun(journal, request());

    // Assess
    expect(claim).toMatchObject({ kind: 'busy', retryAfterMs: 1 });
    expect(journal.calls.filter((c) => c.startsWith('update'))).toEqual([]);
  });
});

describe('claimRun: the same message under an older hashing rule', () => {
  it('is compared by what it holds: a stored payload that hashes the same today is this message', async () => {
    // Prepare
    const journal = await seeded(sampleRecord('k', { status: 'succeeded', lease: undefined, payloadHash: 'old' }));

    // Act / Assess
    expect((await claimRun(journal, request({ hashOf: () => 'h1' }))).kind).toBe('finished');
    expect((await claimRun(journal, request({ hashOf: () => 'other' }))).kind).toBe('mismatch');
    expect((await claimRun(journal, request())).kind).toBe('mismatch');
  });
});

describe('claimRun: answers lost on the way back', () => {
  it('reads back its own running record after a lost create: new on a first execution', async () => {
    // Prepare
    const journal = fakeJournal();
    journal.faults.afterCreate = () => new JournalError('reset', { inDoubt: true });

    // Act
    const claim = await claimRun(journal, request());

    // Assess
    expect(claim).toMatchObject({ kind: 'run', mode: 'new', claimed: { record: { lease: { owner: 'call-2' } } } });
    expect(journal.calls).toEqual(['create k', 'get k']);
  });

  it('reads back its own take-over after a lost update: resume, one update only', async () => {
    // Prepare
    const journal = await seeded(sampleRecord('k', { lease: { owner: 'call-1', expiresAt: 0 } }));
    journal.faults.afterUpdate = () => new JournalError('reset', { inDoubt: true });

    // Act
    const claim = await claimRun(journal, request());

    // Assess
    expect(claim).toMatchObject({ kind: 'run', mode: 'resume', claimed: { record: { executions: 2 } } });
    expect(journal.calls.filter((c) => c.startsWith('update'))).toHaveLength(1);
  });

  it('tries a create whose outcome is unknown and not applied once more, then gives up on a second store error', async () => {
    // Prepare
    const once = fakeJournal();
    let failures = 0;
    once.faults.create = () => (failures++ === 0 ? new JournalError('reset', { inDoubt: true }) : undefined);
    const down = fakeJournal();
    down.faults.create = () => new JournalError('down', { inDoubt: true });

    // Act / Assess
    expect(await claimRun(once, request())).toMatchObject({ kind: 'run', mode: 'new' });
    expect(once.calls).toEqual(['create k', 'get k', 'create k']);
    await expect(claimRun(down, request())).rejects.toThrow('down');
    expect(down.calls).toEqual(['create k', 'get k', 'create k']);
  });

  it('answers busy, retry in a second, after losing every round to other writers', async () => {
    // Prepare: every take-over loses its compare-and-set
    const journal = await seeded(sampleRecord('k', { lease: { owner: 'call-1', expiresAt: 0 } }));
    journal.faults.refusedAfterApply = () => false;
    const update = journal.update.bind(journal);
    const lose: typeof journal.update = async (record, _version) => update(record, 'stale');

    // Act
    const claim = await claimRun({ ...journal, update: lose }, request());

    // Assess
    expect(claim).toMatchObject({ kind: 'busy', retryAfterMs: 1_000 });
    expect(journal.calls.filter((c) => c.startsWith('get'))).toHaveLength(9);
  });

  it('fails when the record vanished while it lost every round', async () => {
    // Prepare
    const journal = await seeded(sampleRecord('k', { lease: { owner: 'call-1', expiresAt: 0 } }));
    let gets = 0;
    const get: typeof journal.get = async (key) => (++gets > 8 ? undefined : journal.get(key));
    const lose: typeof journal.update = async () => undefined;

    // Act / Assess
    await expect(claimRun({ ...journal, get, update: lose }, request())).rejects.toThrow(
      'run k: claim kept losing and the record vanished',
    );
  });
});
