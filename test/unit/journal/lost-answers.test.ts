import { describe, expect, it } from 'vitest';
import type { WorkflowDefinition } from '../../../src/engine/index.js';
import { isRetryableFailure } from '../../../src/journal/claim.js';
import { type ClaimRequest, claimRun, JournalError, type RunRecord, runJournaled } from '../../../src/journal/index.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';
import { fakeJournal } from '../../helpers/fake-journal.js';
import { sampleRecord } from './sample-record.js';

const request = (extra: Partial<ClaimRequest> = {}): ClaimRequest => ({
  key: 'k',
  runId: 'run-1',
  workflow: 'ab',
  provider: 'p',
  messageId: 'm',
  payloadHash: 'h1',
  payload: {},
  owner: 'o1',
  now: T0,
  leaseExpiresAt: T0 + 10_000,
  ...extra,
});

interface S {
  readonly a?: number;
  readonly b?: number;
}
const workflow: WorkflowDefinition<S> = {
  name: 'ab',
  steps: [
    { name: 'a', run: async () => ({ a: 1 }) },
    { name: 'b', run: async () => ({ b: 2 }) },
  ],
};

async function run(refused: (record: RunRecord) => boolean) {
  const journal = fakeJournal();
  const claim = await claimRun(journal, request());
  if (claim.kind !== 'run') throw new Error(`expected a run claim, got ${claim.kind}`);
  journal.faults.refusedAfterApply = refused;
  journal.calls.length = 0;
  const outcome = await runJournaled({
    journal,
    claimed: claim.claimed,
    owner: 'o1',
    workflow,
    initialState: {},
    options: { deadline: T0 + 30_000, clock: new FakeClock() },
    answer: () => ({ status: 200, body: {} }),
  });
  return { journal, outcome };
}

describe('Lost answers from the journal are read back', () => {
  it('takes a claim whose create was applied but answered with an error as its own (one create, mode new)', async () => {
    // Prepare
    const journal = fakeJournal();
    journal.faults.afterCreate = () => new JournalError('connection reset', { outcomeUnknown: true });

    // Act
    const claim = await claimRun(journal, request());

    // Assess
    expect(claim).toMatchObject({ kind: 'run', mode: 'new' });
    expect(journal.calls.filter((c) => c.startsWith('create'))).toHaveLength(1);
  });

  it('recognises its own final record after a 412 on the write that applied it: saved, not a lost lease', async () => {
    // Act
    const { journal, outcome } = await run((record) => record.status === 'succeeded');

    // Assess
    expect(outcome.saved).toBe(true);
    expect(outcome).not.toHaveProperty('saveError');
    const stored = (await journal.get('k'))!.record;
    expect(stored.status).toBe('succeeded');
    expect(stored.answer).toEqual({ status: 200, body: {} });
  });

  it('recognises its own checkpoint after a 412 on the write that applied it, and does not write it again', async () => {
    // Act
    const { journal, outcome } = await run((record) => record.status === 'running' && record.steps.length === 1);

    // Assess
    expect(outcome.saved).toBe(true);
    // Step b's checkpoint is folded into the final record (one write).
    expect(journal.calls).toEqual(['update k running', 'get k', 'update k succeeded']);
  });
});

describe('Function: isRetryableFailure (a redelivery runs the run again)', () => {
  it.each([
    [
      'a retryable failure, nothing left half-undone',
      { error: { type: 'HTTP 503', message: 'x', retryable: true }, compensation: 'none' },
      true,
    ],
    [
      'a retryable failure whose undo completed',
      { error: { type: 'network', message: 'x', retryable: true }, compensation: 'completed' },
      true,
    ],
    [
      'a retryable failure whose undo failed',
      { error: { type: 'network', message: 'x', retryable: true }, compensation: 'failed' },
      false,
    ],
    [
      'a permanent failure',
      { error: { type: 'HTTP 400', message: 'x', retryable: false }, compensation: 'none' },
      false,
    ],
    ['a failure with no error kept', { compensation: 'none' }, false],
  ] as const)('%s: %s', async (_, patch, retryable) => {
    // Prepare
    const record = sampleRecord('k', { status: 'failed', lease: undefined, ...patch } as Partial<RunRecord>);
    const journal = fakeJournal();
    await journal.create(record);

    // Act
    const claim = await claimRun(journal, request({ payloadHash: record.payloadHash }));

    // Assess
    expect(isRetryableFailure(record)).toBe(retryable);
    expect(claim.kind === 'run' ? claim.mode : claim.kind).toBe(retryable ? 'restart' : 'finished');
  });

  it('is false for a run that succeeded or is still running, whatever its error says', () => {
    const error = { type: 'HTTP 503', message: 'x', retryable: true };
    expect(isRetryableFailure(sampleRecord('k', { status: 'succeeded', error }))).toBe(false);
    expect(isRetryableFailure(sampleRecord('k', { status: 'running', error }))).toBe(false);
  });
});
