import { describe, expect, it } from 'vitest';
import { CLAIM_MIN_ATTEMPT_MS } from '../../../src/journal/claim.js';
import { claimRun, JournalError, type ClaimRequest, type RunRecord } from '../../../src/journal/index.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';
import { fakeJournal } from '../../helpers/fake-journal.js';
import { sampleClaimRequest, sampleRecord } from './sample-record.js';

/**
 * The claim on a journal that hiccups: transient faults are tried again within the delivery's
 * time, a write that was applied though it failed is known as the claim's own, and anything
 * else fails at once.
 */

const refused = () => new JournalError('Object Storage put failed: 503 ServiceUnavailable', { transient: true });
const lost = () => new JournalError('Object Storage put failed: 500 InternalServerError', { inDoubt: true });

function request(clock: FakeClock, extra: Partial<ClaimRequest> = {}): ClaimRequest {
  return sampleClaimRequest('k', T0, { retry: { until: T0 + 12_500, clock }, ...extra });
}

/** Fails the first `n` calls with `error`, then lets them through. */
function failing(n: number, error: () => Error): () => Error | undefined {
  let left = n;
  return () => (left-- > 0 ? error() : undefined);
}

describe('claimRun on a journal with transient faults', () => {
  it('claims after its create is refused three times, reading back between tries, pausing longer each time', async () => {
    // Prepare
    const clock = new FakeClock();
    const journal = fakeJournal();
    journal.faults.create = failing(3, refused);

    // Act
    const claim = await claimRun(journal, request(clock));

    // Assess
    expect(claim).toMatchObject({ kind: 'run', mode: 'new' });
    expect(journal.calls).toEqual(['create k', 'get k', 'create k', 'get k', 'create k', 'get k', 'create k']);
    expect(clock.sleeps).toHaveLength(3);
    const [a, b, c] = clock.sleeps as [number, number, number];
    expect(a).toBeGreaterThanOrEqual(200);
    expect(a).toBeLessThanOrEqual(300);
    expect(b).toBeGreaterThanOrEqual(400);
    expect(b).toBeLessThanOrEqual(600);
    expect(c).toBeGreaterThanOrEqual(800);
    expect(c).toBeLessThanOrEqual(1_200);
  });

  it('takes its create, applied but answered with an error, as its own although the read-back fails twice', async () => {
    // Prepare
    const clock = new FakeClock();
    const journal = fakeJournal();
    journal.faults.afterCreate = failing(1, lost);
    journal.faults.get = failing(2, refused);

    // Act
    const claim = await claimRun(journal, request(clock));

    // Assess: ours (same owner, one execution), never busy nor a duplicate, and never created twice
    expect(claim).toMatchObject({ kind: 'run', mode: 'new', claimed: { record: { lease: { owner: 'o1' } } } });
    expect(journal.calls).toEqual(['create k', 'get k', 'get k', 'get k']);
    expect((await journal.get('k'))?.record).toMatchObject({ executions: 1, duplicates: 0 });
  });

  it('takes its take-over of a failed run, applied but answered with an error, as its own restart', async () => {
    // Prepare: a run that failed retryably; the take-over's write lands, its answer is lost
    const clock = new FakeClock();
    const journal = fakeJournal();
    await journal.create(
      sampleRecord('k', {
        status: 'failed',
        lease: undefined,
        error: { type: 'HTTP 503', message: 'x', retryable: true },
        compensation: 'none',
      }),
    );
    journal.calls.length = 0;
    journal.faults.afterUpdate = failing(1, lost);

    // Act
    const claim = await claimRun(journal, request(clock));

    // Assess
    expect(claim).toMatchObject({ kind: 'run', mode: 'restart', claimed: { record: { executions: 2 } } });
    expect(journal.calls).toEqual(['create k', 'get k', 'update k running', 'get k']);
  });

  it('fails at once on a refusal that will not pass by itself (no pause, no second try)', async () => {
    // Prepare
    const clock = new FakeClock();
    const journal = fakeJournal();
    const denied = new JournalError('Object Storage put failed: 401 NotAuthenticated');
    journal.faults.create = () => denied;

    // Act
    const claim = claimRun(journal, request(clock));

    // Assess
    await expect(claim).rejects.toBe(denied);
    expect(journal.calls).toEqual(['create k']);
    expect(clock.sleeps).toEqual([]);
  });

  it('gives up with the last fault once no try fits before the deadline, never waiting past it', async () => {
    // Prepare: the journal stays down; each try takes 250 ms; 4 s to go
    const clock = new FakeClock();
    const journal = fakeJournal();
    let last: Error | undefined;
    const down = (): Error => {
      clock.advance(250);
      last = refused();
      return last;
    };
    journal.faults.create = down;
    journal.faults.get = down;
    const until = T0 + 4_000;

    // Act
    const error = await claimRun(journal, request(clock, { retry: { until, clock } })).catch((e: unknown) => e);

    // Assess
    expect(error).toBe(last);
    expect(journal.calls.length).toBeGreaterThan(2);
    expect(clock.now()).toBeLessThanOrEqual(until);
    // it stopped because the shortest next pause and try would not fit, not before
    const nextPause = Math.min(2_000, 200 * 2 ** (journal.calls.length - 1));
    expect(clock.now() + nextPause + CLAIM_MIN_ATTEMPT_MS).toBeGreaterThan(until);
  });

  it('tries at most six times in all, however much time is left', async () => {
    // Prepare
    const clock = new FakeClock();
    const journal = fakeJournal();
    journal.faults.create = refused;
    journal.faults.get = refused;

    // Act
    await expect(claimRun(journal, request(clock, { retry: { until: T0 + 600_000, clock } }))).rejects.toThrow('503');

    // Assess
    expect(journal.calls).toHaveLength(6);
    expect(clock.sleeps).toHaveLength(5);
  });

  it('without a retry budget (a one-off claim), tolerates one fault, read back at once', async () => {
    // Prepare
    const clock = new FakeClock();
    const journal = fakeJournal();
    journal.faults.create = failing(1, refused);
    const { retry: _, ...oneOff } = request(clock);

    // Act
    const claim = await claimRun(journal, oneOff);

    // Assess
    expect(claim).toMatchObject({ kind: 'run', mode: 'new' });
    expect(journal.calls).toEqual(['create k', 'get k', 'create k']);
    expect(clock.sleeps).toEqual([]);
  });

  it('has the store index its create read back as its own (its answer lost), and not a create that answered', async () => {
    // Prepare
    const clock = new FakeClock();
    const journal = fakeJournal();
    const indexed: string[] = [];
    journal.indexRun = (record) => indexed.push(record.runId);
    journal.faults.afterCreate = failing(1, lost);

    // Act
    await claimRun(journal, request(clock, { key: 'lost', runId: 'run-lost' }));
    await claimRun(journal, request(clock, { key: 'answered', runId: 'run-answered' }));

    // Assess
    expect(indexed).toEqual(['run-lost']);
  });

  it('has the store index the run it may have created when it gives up after a create failed', async () => {
    // Prepare: the create lands but answers 500; the journal then fails every read until the deadline
    const clock = new FakeClock();
    const journal = fakeJournal();
    const indexed: RunRecord[] = [];
    journal.indexRun = (record) => indexed.push(record);
    journal.faults.afterCreate = failing(1, lost);
    journal.faults.get = refused;

    // Act
    const claim = claimRun(journal, request(clock, { retry: { until: T0 + 2_000, clock } }));

    // Assess
    await expect(claim).rejects.toThrow('503');
    expect(indexed).toHaveLength(1);
    expect(indexed[0]).toMatchObject({ key: 'k', runId: 'run-k', startedAt: T0, lease: { owner: 'o1' } });
  });

  it('indexes nothing when it gives up with no create failed (the reads failed)', async () => {
    // Prepare: a take-over of a failed run, every read of it failing
    const clock = new FakeClock();
    const journal = fakeJournal();
    const indexed: string[] = [];
    journal.indexRun = (record) => indexed.push(record.runId);
    await journal.create(sampleRecord('k', { status: 'failed', lease: undefined }));
    journal.faults.get = refused;

    // Act / Assess
    await expect(claimRun(journal, request(clock, { retry: { until: T0 + 2_000, clock } }))).rejects.toThrow('503');
    expect(indexed).toEqual([]);
  });

  it('has the store index again a run it finds busy (its owner may have died before its own index writes landed)', async () => {
    // Prepare: another execution's live claim
    const clock = new FakeClock();
    const journal = fakeJournal();
    const indexed: string[] = [];
    journal.indexRun = (record) => indexed.push(record.runId);
    await journal.create(sampleRecord('k', { runId: 'run-owner', lease: { owner: 'o0', expiresAt: T0 + 9_000 } }));

    // Act
    const claim = await claimRun(journal, request(clock));

    // Assess
    expect(claim).toMatchObject({ kind: 'busy', retryAfterMs: 9_000 });
    expect(indexed).toEqual(['run-owner']);
  });
});
