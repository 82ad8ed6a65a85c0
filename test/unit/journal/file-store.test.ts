import { mkdirSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { fileJournal, JournalError } from '../../../src/journal/index.js';
import { sampleRecord } from './sample-record.js';

/** The file journal's own duties: modes, refusing what is not a record, locks, and what it lists. */

const fresh = () => join(mkdtempSync(join(tmpdir(), 'file-store-')), 'runs');
const mode = (path: string) => statSync(path).mode & 0o777;
const only = (dir: string, suffix: string) => readdirSync(dir).filter((n) => n.endsWith(suffix));

describe('fileJournal: modes, whatever the umask', () => {
  const umask = process.umask();
  afterEach(() => {
    process.umask(umask);
  });

  // A worker thread cannot set the umask (Stryker's test runner uses threads; `npm test` uses processes).
  it.skipIf(!isMainThread)(
    'makes the directory 0700 (an existing one too) and every record and fact 0600',
    async () => {
      // Prepare: a umask that would leave files read-only and the directory unsearchable, and a directory that exists
      const dir = fresh();
      mkdirSync(dir, { mode: 0o755 });
      process.umask(0o277);
      const journal = fileJournal(dir);

      // Act
      const created = await journal.create(sampleRecord('k'));
      await journal.update(sampleRecord('k', { executions: 2 }), created!.version);
      await journal.createMark('incident:1', 'run-1');

      // Assess
      expect(mode(dir)).toBe(0o700);
      expect(only(dir, '.json').map((n) => mode(join(dir, n)))).toEqual([0o600]);
      expect(only(dir, '.mark').map((n) => mode(join(dir, n)))).toEqual([0o600]);
    },
  );
});

describe('fileJournal: what is not a run record', () => {
  async function withFile(text: string) {
    const dir = fresh();
    const journal = fileJournal(dir);
    await journal.create(sampleRecord('k'));
    const [name] = only(dir, '.json');
    writeFileSync(join(dir, name!), text);
    return journal;
  }

  it.each([
    ['text that is not JSON', '{"version":1,"rec'],
    ['a file without its record', '{"version":1}'],
    ['a record missing a field', JSON.stringify({ version: 1, record: { ...sampleRecord('k'), key: undefined } })],
  ])('is refused on read: %s', async (_, text) => {
    // Prepare
    const journal = await withFile(text);

    // Act / Assess
    await expect(journal.get('k')).rejects.toThrow(/is not a run record/);
    await expect(journal.list()).rejects.toBeInstanceOf(JournalError);
  });

  it.each([
    ['no version', { record: sampleRecord('k') }],
    ['version 0', { version: 0, record: sampleRecord('k') }],
    ['a fractional version', { version: 1.5, record: sampleRecord('k') }],
    ['a version in a string', { version: '1', record: sampleRecord('k') }],
  ])('is refused on update: %s', async (_, document) => {
    // Prepare
    const journal = await withFile(JSON.stringify(document));

    // Act / Assess
    await expect(journal.update(sampleRecord('k'), '1')).rejects.toThrow(/is not a run record: no version/);
  });

  it('is refused on update when the file is not JSON', async () => {
    const journal = await withFile('not json');
    await expect(journal.update(sampleRecord('k'), '1')).rejects.toThrow(/no version/);
  });
});

describe('fileJournal: a directory that cannot be used', () => {
  it('fails with a JournalError, never as if the run were unknown, when the path is not a directory', async () => {
    // Prepare: the journal's directory is a file
    const dir = fresh();
    writeFileSync(dir, 'not a directory');
    const journal = fileJournal(dir);

    // Act / Assess
    await expect(journal.get('k')).rejects.toThrow(/cannot read/);
    await expect(journal.list()).rejects.toThrow(/cannot list/);
    await expect(journal.create(sampleRecord('k'))).rejects.toBeInstanceOf(Error);
  });

  it('lists nothing from a directory not made yet', async () => {
    expect(await fileJournal(fresh()).list()).toEqual([]);
  });
});

describe('fileJournal: updates', () => {
  it('answers the next version, and undefined for a stale one', async () => {
    // Prepare
    const journal = fileJournal(fresh());
    await journal.create(sampleRecord('k'));

    // Act
    const second = await journal.update(sampleRecord('k', { executions: 2 }), '1');
    const stale = await journal.update(sampleRecord('k', { executions: 3 }), '1');

    // Assess
    expect(second).toEqual({ record: sampleRecord('k', { executions: 2 }), version: '2' });
    expect(stale).toBeUndefined();
    expect(await journal.get('k')).toEqual({ record: sampleRecord('k', { executions: 2 }), version: '2' });
  });

  it('breaks a lock left by a dead process, and waits for a live one no longer than its limit', async () => {
    // Prepare
    const dir = fresh();
    const journal = fileJournal(dir);
    await journal.create(sampleRecord('k'));
    const [name] = only(dir, '.json');
    const lock = join(dir, `${name}.lock`);
    writeFileSync(lock, '');
    const old = (Date.now() - 11_000) / 1000;
    utimesSync(lock, old, old);

    // Act
    const updated = await journal.update(sampleRecord('k', { executions: 2 }), '1');

    // Assess
    expect(updated?.version).toBe('2');
    expect(only(dir, '.lock')).toEqual([]);

    // Prepare: a live lock
    writeFileSync(lock, '');
    const started = Date.now();

    // Act / Assess
    await expect(journal.update(sampleRecord('k', { executions: 3 }), '2')).rejects.toThrow(
      /held for more than 5000 ms/,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_000);
    expect((await journal.get('k'))?.version).toBe('2');
  }, 20_000);
});

describe('fileJournal: listing and facts', () => {
  it('lists the runs only: not facts, locks or temp files', async () => {
    // Prepare
    const dir = fresh();
    const journal = fileJournal(dir);
    await journal.create(sampleRecord('a'));
    await journal.createMark('incident:1', 'run-1');
    writeFileSync(join(dir, 'x.json.lock'), '');
    writeFileSync(join(dir, '.tmp-1'), '{}');

    // Act / Assess
    expect((await journal.list()).map((r) => r.key)).toEqual(['a']);
    expect(journal.description).toBe(`file:${dir}`);
  });

  it('keeps the first fact under a name', async () => {
    // Prepare
    const journal = fileJournal(fresh());

    // Act
    const first = await journal.createMark('contact-for:+1', '7');
    const second = await journal.createMark('contact-for:+1', '9');

    // Assess
    expect([first, second]).toEqual(['7', '7']);
    expect(await journal.getMark('contact-for:+1')).toBe('7');
    expect(await journal.getMark('contact-for:+2')).toBeUndefined();
  });
});
