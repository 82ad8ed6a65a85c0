import { describe, expect, it, vi } from 'vitest';
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

  it('has the store index the run it may have created when it gives up after a create failed', async () => {
    // Prepare: the create lands but answers 500; the journal then fails every read until the deadline
    const clock = new FakeClock();
    const journal = fakeJournal();
    const indexed: RunRecord[] = [];
    journal.indexRun = async (record) => void indexed.push(record);
    journal.faults.afterCreate = failing(1, lost);
    journal.faults.get = refused;

    // Act
    const claim = claimRun(journal, request(clock, { retry: { until: T0 + 2_000, clock } }));

    // Assess: beside the create, and once more after giving up
    await expect(claim).rejects.toThrow('503');
    expect(indexed).toHaveLength(2);
    for (const record of indexed) {
      expect(record).toMatchObject({ key: 'k', runId: 'run-k', startedAt: T0, lease: { owner: 'o1' } });
    }
  });

  it('after giving up with no create failed (the reads failed), indexes no run of its own', async () => {
    // Prepare: a take-over of a failed run, every read of it failing
    const clock = new FakeClock();
    const journal = fakeJournal();
    const indexed: string[] = [];
    await journal.create(sampleRecord('k', { runId: 'run-first', status: 'failed', lease: undefined }));
    journal.indexRun = async (record) => void indexed.push(record.runId);
    journal.faults.get = refused;

    // Act / Assess: only the entries written beside its create, in vain (it was refused)
    await expect(claimRun(journal, request(clock, { retry: { until: T0 + 2_000, clock } }))).rejects.toThrow('503');
    expect(indexed).toEqual(['run-k']);
  });

  it('has the store index again a run it finds busy (its owner may have given up on its own index writes)', async () => {
    // Prepare: another execution's live claim
    const clock = new FakeClock();
    const journal = fakeJournal();
    const indexed: string[] = [];
    journal.indexRun = async (record) => void indexed.push(record.runId);
    await journal.create(sampleRecord('k', { runId: 'run-owner', lease: { owner: 'o0', expiresAt: T0 + 9_000 } }));

    // Act
    const claim = await claimRun(journal, request(clock));

    // Assess: the owner's entries (and, in vain, the refused create's own)
    expect(claim).toMatchObject({ kind: 'busy', retryAfterMs: 9_000 });
    await vi.waitFor(() => expect(indexed).toContain('run-owner'));
    expect(indexed).toEqual(['run-k', 'run-owner']);
  });
});

describe("claimRun hands a run over only once it is in the store's indexes", () => {
  /** A promise and its settlers. */
  function deferred() {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }
  const tick = () => new Promise((r) => setTimeout(r, 0));

  it('writes the index beside its create (no round trip after it) and answers once both landed', async () => {
    // Prepare: the create's answer and the index writes are held back
    const clock = new FakeClock();
    const journal = fakeJournal();
    const createAnswered = deferred();
    const indexWritten = deferred();
    const create = journal.create.bind(journal);
    journal.create = async (record) => {
      const created = await create(record);
      await createAnswered.promise;
      return created;
    };
    journal.indexRun = (record) => {
      journal.calls.push(`index ${record.runId}`);
      return indexWritten.promise;
    };
    let answered = false;

    // Act
    const claim = claimRun(journal, request(clock)).finally(() => {
      answered = true;
    });
    await tick();
    const beforeTheCreateAnswered = [...journal.calls];
    createAnswered.resolve();
    await tick();
    const answeredWithoutIndex = answered;
    indexWritten.resolve();

    // Assess
    expect(beforeTheCreateAnswered).toEqual(['create k', 'index run-k']);
    expect(answeredWithoutIndex).toBe(false);
    expect(await claim).toMatchObject({ kind: 'run', mode: 'new' });
    expect(journal.calls).toEqual(['create k', 'index run-k']);
    expect(clock.sleeps).toEqual([]);
  });

  it("tries failed index writes again on the claim's budget, pausing as for the claim, then hands the run over", async () => {
    // Prepare
    const clock = new FakeClock();
    const journal = fakeJournal();
    const fault = failing(2, refused);
    journal.indexRun = async (record) => {
      journal.calls.push(`index ${record.runId}`);
      const error = fault();
      if (error) throw error;
    };

    // Act
    const claim = await claimRun(journal, request(clock));

    // Assess
    expect(claim).toMatchObject({ kind: 'run', mode: 'new' });
    expect(journal.calls).toEqual(['create k', 'index run-k', 'index run-k', 'index run-k']);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('fails as a journal fault does when the index cannot be written (the run goes no further), then tries once more in the background', async () => {
    // Prepare: the claim lands, its index writes keep failing
    const clock = new FakeClock();
    const journal = fakeJournal();
    let tries = 0;
    journal.indexRun = async () => {
      tries += 1;
      throw refused();
    };

    // Act
    const error = await claimRun(journal, request(clock)).catch((e: unknown) => e);

    // Assess: the claim's six tries (five pauses), then two in the background
    expect(error).toBeInstanceOf(JournalError);
    expect((error as JournalError).transient).toBe(true);
    expect(clock.sleeps).toHaveLength(5);
    await vi.waitFor(() => expect(tries).toBe(8));
    // the claim stands (a later delivery meets it busy and writes its index again)
    expect((await journal.get('k'))?.record).toMatchObject({ status: 'running', lease: { owner: 'o1' } });
  });

  it('fails at once on an index write refused for good (no pause)', async () => {
    // Prepare
    const clock = new FakeClock();
    const journal = fakeJournal();
    const denied = new JournalError('Object Storage index failed: 403 NotAuthorizedOrNotFound');
    journal.indexRun = async () => {
      throw denied;
    };

    // Act / Assess
    await expect(claimRun(journal, request(clock))).rejects.toBe(denied);
    expect(clock.sleeps).toEqual([]);
  });

  it("answers a duplicate whatever its create's entries (written in vain) met", async () => {
    // Prepare: the run is finished; index writes fail
    const clock = new FakeClock();
    const journal = fakeJournal();
    await journal.create(sampleRecord('k', { status: 'succeeded', lease: undefined }));
    journal.indexRun = async () => {
      throw refused();
    };

    // Act
    const claim = await claimRun(journal, request(clock));

    // Assess
    expect(claim).toMatchObject({ kind: 'finished' });
    expect(clock.sleeps).toEqual([]);
  });

  it('indexes a run it takes over, under its own run id and start, before handing it over; its own create read back too', async () => {
    // Prepare: a run whose lease lapsed (its owner died), and a create whose answer is lost
    const clock = new FakeClock();
    const journal = fakeJournal();
    await journal.create(
      sampleRecord('old', { runId: 'run-first', startedAt: 5, lease: { owner: 'o0', expiresAt: T0 - 1 } }),
    );
    const indexed: string[] = [];
    journal.indexRun = async (record) => void indexed.push(`${record.runId}@${record.startedAt}`);

    // Act
    const resumed = await claimRun(journal, request(clock, { key: 'old' }));
    journal.faults.afterCreate = failing(1, lost);
    const readBack = await claimRun(journal, request(clock, { key: 'lost', runId: 'run-lost' }));

    // Assess: the take-over's entries name the run taken over (the create's, beside it, in vain)
    expect(resumed).toMatchObject({ kind: 'run', mode: 'resume' });
    expect(readBack).toMatchObject({ kind: 'run', mode: 'new' });
    expect(indexed).toEqual(['run-k@1000000', 'run-first@5', `run-lost@${T0}`]);
  });

  it('costs nothing on a journal without a separate index (file, memory)', async () => {
    // Prepare
    const clock = new FakeClock();
    const journal = fakeJournal();

    // Act
    const claim = await claimRun(journal, request(clock));

    // Assess
    expect(claim).toMatchObject({ kind: 'run', mode: 'new' });
    expect(journal.calls).toEqual(['create k']);
  });
});
