import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileJournal, memoryJournal, type RunJournal } from '../../../src/journal/index.js';
import { sampleRecord } from './sample-record.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'journal-'));
  dirs.push(dir);
  return dir;
}

const stores: [string, () => Promise<RunJournal>][] = [
  ['memory', async () => memoryJournal()],
  ['file', async () => fileJournal(join(await tempDir(), 'runs'))],
];

describe.each(stores)('%s journal', (_, open) => {
  it('creates once: a second create of the same key is refused and changes nothing', async () => {
    // Prepare
    const journal = await open();

    // Act
    const first = await journal.create(sampleRecord('k1'));
    const second = await journal.create(sampleRecord('k1', { payloadHash: 'other' }));

    // Assess
    expect(first?.record.key).toBe('k1');
    expect(second).toBeUndefined();
    expect((await journal.get('k1'))?.record.payloadHash).toBe('h1');
  });

  it('updates only from the current version (compare-and-set)', async () => {
    // Prepare
    const journal = await open();
    const created = await journal.create(sampleRecord('k2'));

    // Act
    const updated = await journal.update({ ...created!.record, status: 'succeeded' }, created!.version);
    const stale = await journal.update({ ...created!.record, status: 'failed' }, created!.version);

    // Assess
    expect(updated).toBeDefined();
    expect(updated!.version).not.toBe(created!.version);
    expect(stale).toBeUndefined();
    expect((await journal.get('k2'))?.record.status).toBe('succeeded');
  });

  it('lets exactly one of many concurrent creators and updaters win', async () => {
    // Prepare
    const journal = await open();

    // Act
    const creates = await Promise.all(
      Array.from({ length: 10 }, (_, i) => journal.create(sampleRecord('k3', { runId: `r${i}` }))),
    );
    const base = (await journal.get('k3'))!;
    const updates = await Promise.all(
      Array.from({ length: 10 }, (_, i) => journal.update({ ...base.record, executions: i + 2 }, base.version)),
    );

    // Assess
    expect(creates.filter((c) => c !== undefined)).toHaveLength(1);
    expect(updates.filter((u) => u !== undefined)).toHaveLength(1);
  });

  it('answers undefined for an unknown key and lists what it holds', async () => {
    // Prepare
    const journal = await open();
    await journal.create(sampleRecord('a'));
    await journal.create(sampleRecord('b'));

    // Act
    const missing = await journal.get('nope');
    const all = await journal.list();

    // Assess
    expect(missing).toBeUndefined();
    expect(all.map((r) => r.key).sort()).toEqual(['a', 'b']);
  });
});

describe('file journal on disk', () => {
  it('leaves no temp or lock files behind and keeps one JSON file per run', async () => {
    // Prepare
    const dir = join(await tempDir(), 'runs');
    const journal = fileJournal(dir);
    const created = await journal.create(sampleRecord('x'));

    // Act
    await journal.update({ ...created!.record, status: 'succeeded' }, created!.version);
    await journal.create(sampleRecord('x'));

    // Assess
    const names = await readdir(dir);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^[0-9a-f]{40}\.json$/);
  });

  it('is shared by two journals on the same directory (two processes)', async () => {
    // Prepare
    const dir = join(await tempDir(), 'runs');
    const one = fileJournal(dir);
    const two = fileJournal(dir);

    // Act
    const a = await one.create(sampleRecord('shared'));
    const b = await two.create(sampleRecord('shared'));
    const seen = await two.get('shared');

    // Assess
    expect(a).toBeDefined();
    expect(b).toBeUndefined();
    expect(seen?.version).toBe(a!.version);
  });
});

describe('memory journal bounds (a warm container must not grow without end)', () => {
  it('forgets the oldest finished runs beyond its byte budget, never one under a live lease', async () => {
    // Prepare: room for about three records
    const one = JSON.stringify(sampleRecord('a', { status: 'succeeded', lease: undefined, payload: null })).length;
    const journal = memoryJournal({ maxBytes: Math.floor(one * 3.5), now: () => 1_500 });
    await journal.create(sampleRecord('leased', { lease: { owner: 'o', expiresAt: 9_000 } }));
    for (const key of ['a', 'b']) await journal.create(sampleRecord(key, { status: 'succeeded', lease: undefined }));

    // Act
    await journal.create(sampleRecord('c', { status: 'succeeded', lease: undefined }));
    await journal.create(sampleRecord('d', { status: 'succeeded', lease: undefined }));

    // Assess
    const keys = (await journal.list()).map((r) => r.key).sort();
    expect(keys).toContain('leased');
    expect(keys).toContain('d');
    expect(await journal.get('a')).toBeUndefined();
    expect(journal.bytes()).toBeLessThanOrEqual(Math.floor(one * 3.5) + one);
  });

  it('stays within its byte budget over many runs, each kept without its payload once it succeeded', async () => {
    // Prepare
    const journal = memoryJournal({ maxBytes: 200_000 });

    // Act
    for (let i = 0; i < 2_000; i++) {
      const created = await journal.create(sampleRecord(`k${i}`, { payload: { text: 'x'.repeat(500) } }));
      await journal.update({ ...created!.record, status: 'succeeded', lease: undefined }, created!.version);
    }

    // Assess
    expect(journal.bytes()).toBeLessThanOrEqual(200_000);
    const kept = await journal.list();
    expect(kept.length).toBeGreaterThan(50);
    expect(kept.every((r) => r.payload === null)).toBe(true);
    expect((await journal.get('k1999'))?.record.status).toBe('succeeded');
  });

  it('forgets runs started before the redelivery window, and keeps those within it', async () => {
    // Prepare
    let now = 0;
    const journal = memoryJournal({ retainMs: 1_000, now: () => now });
    await journal.create(sampleRecord('old', { status: 'failed', lease: undefined }));
    now = 900;
    await journal.create(sampleRecord('recent', { status: 'succeeded', lease: undefined }));
    now = 1_500;

    // Act
    await journal.create(sampleRecord('new', { lease: { owner: 'o', expiresAt: 5_000 } }));

    // Assess
    expect(await journal.get('old')).toBeUndefined();
    expect((await journal.get('recent'))?.record.status).toBe('succeeded');
    expect(await journal.get('new')).toBeDefined();
  });

  it("keeps the ledger's facts within a budget of their own and the redelivery window, oldest forgotten first", async () => {
    // Prepare: a budget of 8,000 characters of records, so 1,000 of facts
    let now = 0;
    const journal = memoryJournal({ maxBytes: 8_000, retainMs: 60_000, now: () => now });

    // Act: 2,000 new numbers, each fact ~30 characters
    for (let i = 0; i < 2_000; i++)
      await journal.createMark(`contact-for:+1415555${String(i).padStart(4, '0')}`, `${i}`);
    const afterMany = journal.markCount();
    const newest = await journal.getMark('contact-for:+14155551999');
    const oldest = await journal.getMark('contact-for:+14155550000');
    now = 61_000;
    await journal.createMark('incident:1', 'run-a');

    // Assess: bounded, the newest kept, the oldest gone, and all of them once out of the window
    expect(afterMany).toBeGreaterThan(10);
    expect(afterMany).toBeLessThanOrEqual(40);
    expect(newest).toBe('1999');
    expect(oldest).toBeUndefined();
    expect(journal.markCount()).toBe(1);
    expect(await journal.createMark('incident:1', 'run-b')).toBe('run-a');
  });

  it('hands out copies: changing a record read or written does not change the stored one', async () => {
    // Prepare
    const journal = memoryJournal();
    const record = sampleRecord('copy');
    await journal.create(record);

    // Act
    record.steps.push({ name: 'x', outcome: 'succeeded', attempts: [], durationMs: 1 });
    (await journal.get('copy'))!.record.history.push({ at: 1, event: 'duplicate' });

    // Assess
    const stored = (await journal.get('copy'))!.record;
    expect(stored.steps).toEqual([]);
    expect(stored.history).toEqual([]);
  });
});
