import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../src/journal/index.js';
import { JournalError, type RunJournal } from '../../../src/journal/journal.js';
import { objectStorageJournal } from '../../../src/journal/object-storage-store.js';
import { fakeObjectStorage, ociError } from '../../helpers/fake-object-storage.js';
import { sampleRecord } from './sample-record.js';

const hash = (key: string): string => createHash('sha256').update(key).digest('hex').slice(0, 40);
const runObject = (key: string): string => `p/runs/${hash(key)}.json`;

function open(options: Parameters<typeof fakeObjectStorage>[0] & { existenceByListing?: boolean } = {}) {
  const storage = fakeObjectStorage(options);
  const journal = objectStorageJournal({
    client: storage.client,
    namespace: storage.namespace,
    bucket: storage.bucket,
    prefix: 'p/',
    ...(options.existenceByListing === undefined ? {} : { existenceByListing: options.existenceByListing }),
  });
  return { storage, journal };
}

/** The bucket holds these objects. */
function expectObjects(storage: ReturnType<typeof fakeObjectStorage>, names: string[]): void {
  for (const name of names) expect(storage.objects.has(name), name).toBe(true);
}

/** A run created and indexed, as the claim does it (`claim.ts`). */
async function createIndexed(journal: RunJournal, record: RunRecord) {
  const [created] = await Promise.all([journal.create(record), journal.indexRun!(record)]);
  return created;
}

async function rejection(promise: Promise<unknown>): Promise<JournalError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(JournalError);
  return error as JournalError;
}

describe('objectStorageJournal: the run objects', () => {
  it('names itself by namespace, bucket and prefix', () => {
    expect(open().journal.description).toBe('oci-os://ns/bucket/p/');
  });

  it('claims create-only: one JSON object per run, a second create of the key answered 412 is refused', async () => {
    // Prepare
    const { storage, journal } = open();

    // Act
    const first = await journal.create(sampleRecord('k1'));
    const second = await journal.create(sampleRecord('k1', { payloadHash: 'other', runId: 'run-other' }));

    // Assess
    const stored = storage.objects.get(runObject('k1'));
    expect(first).toEqual({ record: sampleRecord('k1'), version: stored?.eTag });
    expect(JSON.parse(stored!.body)).toEqual(sampleRecord('k1'));
    expect(stored!.contentType).toBe('application/json');
    expect(second).toBeUndefined();
    expect((await journal.get('k1'))?.record.payloadHash).toBe('h1');
    const claims = storage.calls.filter((c) => c.op === 'put' && c.name === runObject('k1'));
    expect(claims.map((c) => c.request.ifNoneMatch)).toEqual(['*', '*']);
    expect(claims.map((c) => c.request.ifMatch)).toEqual([undefined, undefined]);
  });

  it('updates compare-and-set on the ETag: the current one wins, a stale one or a missing run is refused', async () => {
    // Prepare
    const { storage, journal } = open();
    const created = (await journal.create(sampleRecord('k2')))!;

    // Act
    const updated = await journal.update({ ...created.record, status: 'succeeded' }, created.version!);
    const stale = await journal.update({ ...created.record, status: 'failed' }, created.version!);
    const missing = await journal.update(sampleRecord('nobody'), 'etag-1');

    // Assess
    expect(updated?.record.status).toBe('succeeded');
    expect(updated?.version).toBe(storage.objects.get(runObject('k2'))?.eTag);
    expect(updated?.version).not.toBe(created.version);
    expect(stale).toBeUndefined();
    expect(missing).toBeUndefined();
    expect(storage.objects.has(runObject('nobody'))).toBe(false);
    expect((await journal.get('k2'))?.record.status).toBe('succeeded');
    const update = storage.calls.find((c) => c.op === 'put' && c.request.ifMatch === created.version);
    expect(update?.request.ifNoneMatch).toBeUndefined();
  });

  it('takes a 409 (a concurrent write) as a refusal, not an error', async () => {
    // Prepare
    const { storage, journal } = open();
    storage.faults.push({ op: 'put', name: 'p/runs/', error: ociError(409, 'ConcurrentObjectUpdate'), times: 1 });

    // Act
    const created = await journal.create(sampleRecord('k'));

    // Assess
    expect(created).toBeUndefined();
  });

  it('marks a put whose answer was lost (5xx, no answer at all) in doubt, and one refused for sure (4xx) not', async () => {
    // Prepare
    const { storage, journal } = open();
    storage.faults.push(
      { op: 'put', name: runObject('a'), error: ociError(503, 'ServiceUnavailable', 'try later'), applied: true },
      { op: 'put', name: runObject('b'), error: { code: 'ECONNRESET', message: 'socket hang up' } },
      { op: 'put', name: runObject('c'), error: ociError(400, 'InvalidParameter', 'bad') },
      { op: 'put', name: runObject('d'), error: ociError(500, 'InternalServerError', 'boom') },
      { op: 'put', name: runObject('e'), error: {} },
      { op: 'put', name: runObject('f'), error: ociError(499, 'ClientClosed', '') },
      { op: 'put', name: runObject('g'), error: undefined },
      { op: 'put', name: runObject('h'), error: { statusCode: '412', message: 'not a status' } },
    );

    // Act
    const a = await rejection(journal.create(sampleRecord('a')));
    const b = await rejection(journal.create(sampleRecord('b')));
    const c = await rejection(journal.create(sampleRecord('c')));
    const d = await rejection(journal.update(sampleRecord('d'), 'etag-9'));
    const e = await rejection(journal.create(sampleRecord('e')));
    const f = await rejection(journal.create(sampleRecord('f')));
    const g = await rejection(journal.create(sampleRecord('g')));
    const h = await rejection(journal.create(sampleRecord('h')));

    // Assess
    expect(a.inDoubt).toBe('settled');
    expect(a.message).toBe('Object Storage put failed: 503 ServiceUnavailable try later');
    expect(a.cause).toBe(storage.faults[0]!.error);
    expect((await journal.get('a'))?.record.key).toBe('a'); // it was applied: the caller reads it back
    expect(b.inDoubt).toBe('settled');
    expect(b.message).toBe('Object Storage put failed: ECONNRESET socket hang up');
    expect(c.inDoubt).toBe(false);
    expect(c.message).toBe('Object Storage put failed: 400 InvalidParameter bad');
    expect(d.inDoubt).toBe('settled');
    expect(d.message).toBe('Object Storage put failed: 500 InternalServerError boom');
    expect(e.inDoubt).toBe('settled');
    expect(e.message).toBe('Object Storage put failed: unknown error');
    expect(f.inDoubt).toBe(false);
    expect(f.message).toBe('Object Storage put failed: 499 ClientClosed');
    expect(g.inDoubt).toBe('settled'); // nothing thrown but `undefined`: no answer
    expect(g.message).toBe('Object Storage put failed: unknown error');
    expect(h.inDoubt).toBe('settled'); // a status that is not a number is no answer either
    expect(h.message).toBe('Object Storage put failed: 412 not a status');
  });

  it.each(['node', 'web'] as const)(
    'reads a run back (%s body) and answers undefined for a missing one',
    async (bodies) => {
      // Prepare
      const { storage, journal } = open({ bodies });
      const created = await journal.create(sampleRecord('k3', { payload: { text: 'héllo ✓' } }));

      // Act
      const found = await journal.get('k3');
      const missing = await journal.get('nope');

      // Assess
      expect(found).toEqual({
        record: sampleRecord('k3', { payload: { text: 'héllo ✓' } }),
        version: created?.version,
      });
      expect(missing).toBeUndefined();
      expect(storage.calls.filter((c) => c.op === 'list')).toEqual([]); // read directly: no listing by default
    },
  );

  it('refuses an object that is not JSON or not a run record, and a failed read (not in doubt)', async () => {
    // Prepare
    const { storage, journal } = open();
    storage.plant(runObject('junk'), '{not json');
    storage.plant(runObject('odd'), JSON.stringify({ schema: 1, key: 'odd' }));
    storage.faults.push({ op: 'get', name: runObject('down'), error: ociError(500, 'InternalServerError', 'boom') });

    // Act
    const junk = await rejection(journal.get('junk'));
    const odd = await rejection(journal.get('odd'));
    const down = await rejection(journal.get('down'));

    // Assess
    expect(junk.message).toBe(`object ${runObject('junk')} is not JSON`);
    expect(odd.message).toMatch(new RegExp(`^object ${runObject('odd')} is not a run record: \\S`));
    expect(odd.message).not.toContain('invalid');
    expect(down.message).toBe('Object Storage get failed: 500 InternalServerError boom');
    expect(down.inDoubt).toBe(false);
  });

  it('with existenceByListing, lists the exact name first and reads only a run that exists', async () => {
    // Prepare
    const { storage, journal } = open({ existenceByListing: true });
    await journal.create(sampleRecord('here'));
    storage.plant(`${runObject('gone')}.old`, 'x'); // a longer name under the same prefix is not the run

    // Act
    const here = await journal.get('here');
    const gone = await journal.get('gone');
    const none = await journal.get('none');

    // Assess
    expect(here?.record.key).toBe('here');
    expect(gone).toBeUndefined();
    expect(none).toBeUndefined();
    const lists = storage.calls.filter((c) => c.op === 'list' && c.name.startsWith('p/runs/'));
    expect(lists.map((c) => [c.name, c.request.limit])).toEqual([
      [runObject('here'), 1],
      [runObject('gone'), 1],
      [runObject('none'), 1],
    ]);
    expect(storage.calls.filter((c) => c.op === 'get').map((c) => c.name)).toEqual([runObject('here')]);
  });

  it('with existenceByListing, a failed listing is a list error', async () => {
    // Prepare
    const { storage, journal } = open({ existenceByListing: true });
    storage.faults.push({ op: 'list', error: ociError(503, 'ServiceUnavailable', 'busy') });

    // Act
    const error = await rejection(journal.get('k'));

    // Assess
    expect(error.message).toBe('Object Storage list failed: 503 ServiceUnavailable busy');
    expect(error.inDoubt).toBe(false);
  });

  it('lists every run object under its prefix, skipping other names and other prefixes, page by page', async () => {
    // Prepare
    const { storage, journal } = open({ pageSize: 2 });
    for (const key of ['a', 'b', 'c', 'd', 'e']) await journal.create(sampleRecord(key));
    storage.plant(`p/runs/${hash('a')}.json.tmp`, '{not json');
    storage.plant(`q/runs/${hash('x')}.json`, JSON.stringify(sampleRecord('x')));
    storage.plant(runObject('deleted'), JSON.stringify(sampleRecord('deleted')));
    storage.faults.push({ op: 'get', name: runObject('deleted'), error: ociError(404, 'ObjectNotFound') }); // gone since listed

    // Act
    const all = await journal.list();

    // Assess
    expect(all.map((r) => r.key).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    const lists = storage.calls.filter((c) => c.op === 'list');
    expect(lists).toHaveLength(4); // 7 names under p/runs/ in pages of 2
    expect('start' in lists[0]!.request).toBe(false);
    expect(lists[1]!.request.start).toBeDefined();
  });

  it('fails a listing whose LIST keeps failing (after retries)', async () => {
    // Prepare
    const { storage, journal } = open();
    storage.faults.push({ op: 'list', error: ociError(500, 'InternalServerError', 'boom') });

    // Act
    const error = await rejection(journal.list());

    // Assess
    expect(error.message).toBe('Object Storage list failed: 500 InternalServerError boom');
    expect(storage.calls.filter((c) => c.op === 'list')).toHaveLength(3);
  });

  it('retries a LIST that fails once', async () => {
    // Prepare
    const { storage, journal } = open();
    await journal.create(sampleRecord('a'));
    storage.faults.push({ op: 'list', error: ociError(500, 'InternalServerError'), times: 1 });

    // Act
    const all = await journal.list();

    // Assess
    expect(all.map((r) => r.key)).toEqual(['a']);
  });
});

describe('objectStorageJournal: the index objects', () => {
  it('indexRun writes by-time/<13-digit ms>_<hash> (empty) and by-run/<runId> (the record name)', async () => {
    // Prepare
    const { storage, journal } = open();

    // Act
    await createIndexed(journal, sampleRecord('k1', { runId: 'run/1 ü', startedAt: 1_234.9 }));
    await createIndexed(journal, sampleRecord('k2', { runId: 'r2', startedAt: -5 }));

    // Assess
    const time1 = `p/by-time/0000000001234_${hash('k1')}`;
    const run1 = `p/by-run/${encodeURIComponent('run/1 ü')}`;
    const time2 = `p/by-time/0000000000000_${hash('k2')}`;
    expect(storage.objects.get(time1)).toMatchObject({ body: '', contentType: 'text/plain' });
    expect(storage.objects.get(run1)).toMatchObject({ body: runObject('k1'), contentType: 'text/plain' });
    expect(storage.objects.get('p/by-run/r2')?.body).toBe(runObject('k2'));
    expect([...storage.objects.keys()].sort()).toEqual(
      [runObject('k1'), runObject('k2'), time1, time2, run1, 'p/by-run/r2'].sort(),
    );
  });

  it('a create writes no index of its own (the claim has it written beside)', async () => {
    // Prepare
    const { storage, journal } = open();

    // Act
    const created = await journal.create(sampleRecord('k', { runId: 'first' }));

    // Assess
    expect(created?.record.runId).toBe('first');
    expect([...storage.objects.keys()]).toEqual([runObject('k')]);
  });

  it('indexRun fails with a transient store error when an entry could not be written, having written the other; writing again is harmless', async () => {
    // Prepare
    const { storage, journal } = open();
    const record = sampleRecord('k1', { runId: 'r1' });
    const time = `p/by-time/0000000001000_${hash('k1')}`;
    storage.faults.push({ op: 'put', name: 'p/by-time/', error: ociError(503, 'ServiceUnavailable'), times: 1 });

    // Act
    const failed = await rejection(journal.indexRun!(record));
    const leftAfterTheFault = storage.objects.has(time);
    await journal.indexRun!(record);
    await journal.indexRun!(record);

    // Assess
    expect(failed.message).toBe('Object Storage index failed: 503 ServiceUnavailable ServiceUnavailable (fake)');
    expect(failed.transient).toBe(true);
    expect(failed.inDoubt).toBe(false);
    expect(leftAfterTheFault).toBe(false);
    expectObjects(storage, [time, 'p/by-run/r1']);
    expect(storage.calls.filter((c) => c.name === 'p/by-run/r1')).toHaveLength(3);
  });

  it('indexRun fails with a lasting store error on a refusal that will not pass (403)', async () => {
    // Prepare
    const { storage, journal } = open();
    storage.faults.push({ op: 'put', name: 'p/by-run/', error: ociError(403, 'NotAuthorizedOrNotFound'), times: 1 });

    // Act
    const failed = await rejection(journal.indexRun!(sampleRecord('k1')));

    // Assess
    expect(failed.transient).toBe(false);
  });

  it('listSince reads the window from the time index, newest first, from `since` on', async () => {
    // Prepare
    const { storage, journal } = open({ pageSize: 2 });
    for (const [key, startedAt] of [
      ['old', 500],
      ['edge', 1_000],
      ['mid', 2_000.5],
      ['new', 3_000],
    ] as const)
      await createIndexed(journal, sampleRecord(key, { startedAt }));
    storage.plant('p/by-time/junk', '');
    storage.plant(`q/by-time/0000000009000_${hash('x')}`, '');

    // Act
    const listing = await journal.listSince!(1_000.7);
    const newest = await journal.listSince!(0, { newest: 2, concurrency: 1 });

    // Assess
    expect(listing.records.map((r) => r.key)).toEqual(['new', 'mid']); // 'edge' (1000) is listed, then filtered
    expect(listing.inWindow).toBe(3);
    expect(listing.unreadable).toEqual([]);
    expect(newest.records.map((r) => r.key)).toEqual(['new', 'mid']);
    expect(newest.inWindow).toBe(4);
    const ranged = storage.calls.find((c) => c.op === 'list' && c.name === 'p/by-time/');
    expect(ranged?.request.start).toBe('p/by-time/0000000001000');
  });

  it('listSince counts an entry whose run is gone, drops a run older than the window, reports an unreadable one', async () => {
    // Prepare
    const { storage, journal } = open();
    storage.plant(`p/by-time/0000000002000_${hash('gone')}`, '');
    storage.plant(`p/by-time/0000000003000_${hash('late')}`, '');
    storage.plant(runObject('late'), JSON.stringify(sampleRecord('late', { startedAt: 10 })));
    storage.plant(`p/by-time/0000000004000_${hash('bad')}`, '');
    storage.plant(runObject('bad'), 'not json');
    storage.plant(`p/by-time/0000000005000_${hash('ok')}`, '');
    storage.plant(`p/by-time/0000000005000_${hash('ok')}.tmp`, ''); // not an index entry
    storage.plant(`p/by-time/0000000001500_${hash('exact')}`, '');
    storage.plant(runObject('exact'), JSON.stringify(sampleRecord('exact', { startedAt: 1_500 })));
    storage.plant(runObject('ok'), JSON.stringify(sampleRecord('ok', { startedAt: 5_000 })));
    storage.faults.push({ op: 'get', name: runObject('down'), error: { code: 'ETIMEDOUT' } });
    storage.plant(`p/by-time/0000000006000_${hash('down')}`, '');

    // Act
    const listing = await journal.listSince!(1_500);

    // Assess
    expect(listing.records.map((r) => r.key)).toEqual(['ok', 'exact']);
    expect(listing.inWindow).toBe(6);
    expect(listing.unreadable).toEqual([
      { name: runObject('down'), error: 'Object Storage get failed: ETIMEDOUT' },
      { name: runObject('bad'), error: `object ${runObject('bad')} is not JSON` },
    ]);
    expect(storage.calls.filter((c) => c.name === runObject('bad'))).toHaveLength(3); // retried
  });

  it("getByRunId follows by-run to the record; a missing, foreign, failing or other run's index answers so", async () => {
    // Prepare
    const { storage, journal } = open({ bodies: 'web' });
    const created = await createIndexed(journal, sampleRecord('k1', { runId: 'run/1' }));
    await journal.create(sampleRecord('k2', { runId: 'padded' }));
    storage.plant('p/by-run/padded', `  ${runObject('k2')}\n`);
    // written for a claim whose create never landed: the key's record is another run's
    storage.plant('p/by-run/phantom', runObject('k1'));
    storage.plant('p/by-run/foreign', `q/runs/${hash('k1')}.json`);
    storage.plant('p/by-run/dangling', runObject('nothing'));
    storage.faults.push({ op: 'get', name: 'p/by-run/down', error: ociError(500, 'InternalServerError', 'boom') });

    // Act
    const found = await journal.getByRunId!('run/1');
    const padded = await journal.getByRunId!('padded');
    const phantom = await journal.getByRunId!('phantom');
    const foreign = await journal.getByRunId!('foreign');
    const dangling = await journal.getByRunId!('dangling');
    const missing = await journal.getByRunId!('nobody');
    const down = await rejection(journal.getByRunId!('down'));

    // Assess
    expect(found).toEqual({ record: sampleRecord('k1', { runId: 'run/1' }), version: created?.version });
    expect(padded?.record.key).toBe('k2');
    expect(phantom).toBeUndefined();
    expect(foreign).toBeUndefined();
    expect(dangling).toBeUndefined();
    expect(missing).toBeUndefined();
    expect(down.message).toBe('Object Storage get failed: 500 InternalServerError boom');
    expect(storage.calls.some((c) => c.op === 'get' && c.name.startsWith('q/'))).toBe(false);
  });

  it('indexRun writes the two index entries of a run whose create answered an error although it landed', async () => {
    // Prepare: the claim is stored, its answer lost
    const { storage, journal } = open();
    storage.faults.push({
      op: 'put',
      name: runObject('k1'),
      error: ociError(500, 'InternalServerError', 'boom'),
      applied: true,
    });
    const record = sampleRecord('k1', { startedAt: 4_000 });
    await rejection(journal.create(record));

    // Act
    await journal.indexRun!(record);

    // Assess
    expectObjects(storage, [`p/by-time/0000000004000_${hash('k1')}`, 'p/by-run/run-k1']);
    expect((await journal.getByRunId!('run-k1'))?.record.key).toBe('k1');
    expect((await journal.listSince!(0)).records.map((r) => r.key)).toEqual(['k1']);
  });

  it("listSince reads a run indexed twice (a duplicate's claim writes entries beside its refused create) once", async () => {
    // Prepare
    const { storage, journal } = open();
    await createIndexed(journal, sampleRecord('k1', { startedAt: 1_000 }));
    const duplicate = sampleRecord('k1', { runId: 'run-dup', startedAt: 2_000 });
    await createIndexed(journal, duplicate);
    expectObjects(storage, [`p/by-time/0000000002000_${hash('k1')}`]);

    // Act
    const listing = await journal.listSince!(0);

    // Assess
    expect(listing.records.map((r) => r.key)).toEqual(['k1']);
    expect(listing.inWindow).toBe(1);
  });

  it('tells a transient failure (5xx, 429, no answer) from one that will not pass by itself (another 4xx)', async () => {
    // Prepare
    const { storage, journal } = open();
    storage.faults.push(
      { op: 'get', name: runObject('a'), error: ociError(503, 'ServiceUnavailable', 'later') },
      { op: 'get', name: runObject('b'), error: ociError(429, 'TooManyRequests', 'slow down') },
      { op: 'get', name: runObject('c'), error: { code: 'ETIMEDOUT', message: 'Timed out after 1500ms' } },
      { op: 'get', name: runObject('d'), error: ociError(401, 'NotAuthenticated', 'who') },
      { op: 'put', name: runObject('e'), error: ociError(404, 'BucketNotFound', 'no bucket') },
    );

    // Act
    const errors = [
      ...(await Promise.all(['a', 'b', 'c', 'd'].map((k) => rejection(journal.get(k))))),
      await rejection(journal.create(sampleRecord('e'))),
    ];

    // Assess
    expect(errors.map((e) => e.transient)).toEqual([true, true, true, false, false]);
  });

  it('runIdsStartingWith lists run ids (decoded) by prefix, at most `limit`', async () => {
    // Prepare
    const { storage, journal } = open();
    for (const runId of ['ab/1', 'ab-2', 'ab-3', 'b-1']) storage.plant(`p/by-run/${encodeURIComponent(runId)}`, 'x');
    storage.plant('q/by-run/ab-9', 'x');

    // Act
    const two = await journal.runIdsStartingWith!('ab', 2);
    const all = await journal.runIdsStartingWith!('', 10);

    // Assess
    expect(two).toEqual(['ab/1', 'ab-2']); // names sort encoded: 'ab%2F1' first
    expect(all).toEqual(['ab/1', 'ab-2', 'ab-3', 'b-1']);
  });

  it('runIdsStartingWith retries a failing LIST, then fails with a list error', async () => {
    // Prepare
    const { storage, journal } = open();
    storage.plant('p/by-run/r1', 'x');
    storage.faults.push({ op: 'list', error: ociError(503, 'ServiceUnavailable', 'busy'), times: 1 });

    // Act
    const once = await journal.runIdsStartingWith!('r', 5);
    storage.faults.push({ op: 'list', error: ociError(503, 'ServiceUnavailable', 'busy') });
    const error = await rejection(journal.runIdsStartingWith!('r', 5));

    // Assess
    expect(once).toEqual(['r1']);
    expect(error.message).toBe('Object Storage list failed: 503 ServiceUnavailable busy');
  });
});

describe('objectStorageJournal: marks', () => {
  const markObject = (name: string): string => `p/marks/${hash(name)}`;

  it('creates a mark once and reads it back: a second create answers the value held', async () => {
    // Prepare
    const { storage, journal } = open();

    // Act
    const first = await journal.createMark('m1', 'ours');
    const second = await journal.createMark('m1', 'theirs');
    const read = await journal.getMark('m1');
    const missing = await journal.getMark('m2');

    // Assess
    expect(first).toBe('ours');
    expect(second).toBe('ours');
    expect(read).toBe('ours');
    expect(missing).toBeUndefined();
    expect(storage.objects.get(markObject('m1'))).toMatchObject({ body: 'ours', contentType: 'text/plain' });
    expect(storage.calls.filter((c) => c.op === 'put').map((c) => c.request.ifNoneMatch)).toEqual(['*', '*']);
    expect(await journal.list()).toEqual([]); // marks are not runs
  });

  it('reads the mark back after a 409, and fails when refused as existing but then not found', async () => {
    // Prepare
    const { storage, journal } = open();
    storage.faults.push(
      { op: 'put', name: markObject('m1'), error: ociError(409, 'Conflict'), applied: true, times: 1 },
      { op: 'put', name: markObject('m2'), error: ociError(412, 'IfNoneMatchFailed'), times: 1 },
    );

    // Act
    const held = await journal.createMark('m1', 'ours');
    const error = await rejection(journal.createMark('m2', 'ours'));

    // Assess
    expect(held).toBe('ours');
    expect(error.message).toBe(`mark ${markObject('m2')} refused as existing, then not found`);
  });

  it('fails a mark write in doubt on a 5xx and for sure on a 4xx, and a failing mark read', async () => {
    // Prepare
    const { storage, journal } = open();
    storage.faults.push(
      { op: 'put', name: markObject('m1'), error: ociError(503, 'ServiceUnavailable', 'busy'), applied: true },
      { op: 'put', name: markObject('m2'), error: ociError(403, 'NotAuthorized', 'no') },
      { op: 'get', name: markObject('m3'), error: ociError(500, 'InternalServerError', 'boom') },
    );

    // Act
    const lost = await rejection(journal.createMark('m1', 'ours'));
    const refused = await rejection(journal.createMark('m2', 'ours'));
    const unread = await rejection(journal.getMark('m3'));

    // Assess
    expect(lost.inDoubt).toBe('settled');
    expect(lost.message).toBe('Object Storage put failed: 503 ServiceUnavailable busy');
    expect(await journal.getMark('m1')).toBe('ours');
    expect(refused.inDoubt).toBe(false);
    expect(await journal.getMark('m2')).toBeUndefined();
    expect(unread.message).toBe('Object Storage get failed: 500 InternalServerError boom');
    expect(unread.inDoubt).toBe(false);
  });
});
