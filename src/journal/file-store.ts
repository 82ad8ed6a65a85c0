import { createHash, randomUUID } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fchmodSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { JournalError, type RunJournal, type Versioned } from './journal.js';
import { RunRecordSchema, type RunRecord } from './record.js';

/** What one file holds: the record and its version counter. */
const FileSchema = z.object({ version: z.number().int().positive(), record: RunRecordSchema });

/**
 * Records hold the sender's full number and the text: only the function's user may read them,
 * whatever the umask (which only narrows a mode at creation, so the modes are also set explicitly).
 */
const DIR_MODE = 0o700;
const FILE_MODE = 0o600;

/** An update holds the lock for a read and a rename: milliseconds. A lock this old was left by a dead process. */
const STALE_LOCK_MS = 10_000;
const LOCK_WAIT_MS = 5_000;

/**
 * One JSON file per run under `dir`, safe for several processes on one machine:
 * - create: the document is written to a temp file, then hard-linked to its name (`link` fails
 *   if the name exists), so exactly one creator wins and nobody ever reads a half-written file;
 * - update: under an exclusive lock file (`O_EXCL`), the version is compared, then the new
 *   document is written to a temp file and renamed over the old one (atomic on POSIX);
 * - the directory is 0700 and every file in it (records, locks, temp files) 0600.
 * The file system calls are synchronous: on a local disk each takes microseconds, while an async
 * call costs a thread-pool round trip per open, read, write and close (a run makes ~50 of them),
 * and a function container serves one invocation at a time.
 */
export function fileJournal(dir: string): RunJournal {
  const pathOf = (key: string): string =>
    join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  let ready = false;
  const ensureDir = (): void => {
    if (ready) return;
    mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    chmodSync(dir, DIR_MODE);
    ready = true;
  };

  function textAt(path: string): string | undefined {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw new JournalError(`cannot read ${path}: ${describe(error)}`, { cause: error });
    }
  }

  /** A record read from disk is validated: the file may have been edited or cut short. */
  function readAt(path: string): Versioned | undefined {
    const text = textAt(path);
    if (text === undefined) return undefined;
    const parsed = FileSchema.safeParse(safeJson(text));
    if (!parsed.success)
      throw new JournalError(`${path} is not a run record: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return { record: parsed.data.record, version: String(parsed.data.version) };
  }

  /** Compare-and-set needs the version only: a matching version means the record is the one the caller read. */
  function versionAt(path: string): string | undefined {
    const text = textAt(path);
    if (text === undefined) return undefined;
    const version = (safeJson(text) as { version?: unknown } | undefined)?.version;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
      throw new JournalError(`${path} is not a run record: no version`);
    return String(version);
  }

  function writeTemp(record: RunRecord, version: number): string {
    ensureDir();
    const tmp = join(dir, `.tmp-${randomUUID()}`);
    const fd = openSync(tmp, 'wx', FILE_MODE);
    try {
      fchmodSync(fd, FILE_MODE);
      writeFileSync(fd, JSON.stringify({ version, record }));
    } finally {
      closeSync(fd);
    }
    return tmp;
  }

  async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
    const lock = `${path}.lock`;
    const until = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        closeSync(openSync(lock, 'wx', FILE_MODE));
        break;
      } catch (error) {
        if (!isCode(error, 'EEXIST'))
          throw new JournalError(`cannot lock ${path}: ${describe(error)}`, { cause: error });
        breakIfStale(lock);
        if (Date.now() > until)
          throw new JournalError(`lock on ${path} held for more than ${LOCK_WAIT_MS} ms`, { transient: true });
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      }
    }
    try {
      return await fn();
    } finally {
      unlinkQuietly(lock);
    }
  }

  /** A fact's file: its own suffix, so listing runs (`*.json`) never reads it. */
  const markPath = (name: string): string =>
    join(dir, `${createHash('sha256').update(name).digest('hex').slice(0, 40)}.mark`);

  return {
    description: `file:${dir}`,
    get: async (key) => readAt(pathOf(key)),
    async createMark(name, value) {
      ensureDir();
      const path = markPath(name);
      const tmp = join(dir, `.tmp-${randomUUID()}`);
      const fd = openSync(tmp, 'wx', FILE_MODE);
      try {
        fchmodSync(fd, FILE_MODE);
        writeFileSync(fd, value);
      } finally {
        closeSync(fd);
      }
      try {
        // As a record's claim: the hard link fails if the name exists, so one writer wins.
        linkSync(tmp, path);
        return value;
      } catch (error) {
        if (!isCode(error, 'EEXIST'))
          throw new JournalError(`cannot create ${path}: ${describe(error)}`, { cause: error });
      } finally {
        unlinkQuietly(tmp);
      }
      const held = textAt(path);
      if (held === undefined) throw new JournalError(`${path} vanished`);
      return held;
    },
    getMark: async (name) => textAt(markPath(name)),
    async create(record) {
      const path = pathOf(record.key);
      const tmp = writeTemp(record, 1);
      try {
        linkSync(tmp, path);
      } catch (error) {
        if (isCode(error, 'EEXIST')) return undefined;
        throw new JournalError(`cannot create ${path}: ${describe(error)}`, { cause: error });
      } finally {
        unlinkQuietly(tmp);
      }
      return { record, version: '1' };
    },
    async update(record, version) {
      const path = pathOf(record.key);
      return withLock(path, async () => {
        if (versionAt(path) !== version) return undefined;
        const next = Number(version) + 1;
        const tmp = writeTemp(record, next);
        try {
          renameSync(tmp, path);
        } catch (error) {
          unlinkQuietly(tmp);
          throw new JournalError(`cannot write ${path}: ${describe(error)}`, { cause: error });
        }
        return { record, version: String(next) };
      });
    },
    async list() {
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch (error) {
        if (isCode(error, 'ENOENT')) return [];
        throw new JournalError(`cannot list ${dir}: ${describe(error)}`, { cause: error });
      }
      const found = names.filter((n) => n.endsWith('.json')).map((n) => readAt(join(dir, n)));
      return found.filter((v): v is Versioned => v !== undefined).map((v) => v.record);
    },
  };
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function breakIfStale(lock: string): void {
  try {
    const info = statSync(lock);
    // Renaming first makes breaking the lock atomic: of two breakers, one rename fails.
    if (Date.now() - info.mtimeMs > STALE_LOCK_MS) {
      const aside = `${lock}.stale-${randomUUID()}`;
      renameSync(lock, aside);
      unlinkSync(aside);
    }
  } catch {
    // Gone in the meantime, or broken by someone else: try again.
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
