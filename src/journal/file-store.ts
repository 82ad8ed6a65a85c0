import { createHash, randomUUID } from 'node:crypto';
import { chmod, link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
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
 */
export function fileJournal(dir: string): RunJournal {
  const pathOf = (key: string): string => join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  let ready: Promise<unknown> | undefined;
  const ensureDir = (): Promise<unknown> => (ready ??= mkdir(dir, { recursive: true, mode: DIR_MODE }).then(() => chmod(dir, DIR_MODE)));

  async function readAt(path: string): Promise<Versioned | undefined> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw new JournalError(`cannot read ${path}: ${describe(error)}`, { cause: error });
    }
    const parsed = FileSchema.safeParse(safeJson(text));
    if (!parsed.success) throw new JournalError(`${path} is not a run record: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    return { record: parsed.data.record, version: String(parsed.data.version) };
  }

  async function writeTemp(record: RunRecord, version: number): Promise<string> {
    await ensureDir();
    const tmp = join(dir, `.tmp-${randomUUID()}`);
    const handle = await open(tmp, 'wx', FILE_MODE);
    try {
      await handle.chmod(FILE_MODE);
      await handle.writeFile(JSON.stringify({ version, record }));
    } finally {
      await handle.close();
    }
    return tmp;
  }

  async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
    const lock = `${path}.lock`;
    const until = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const handle = await open(lock, 'wx', FILE_MODE);
        await handle.close();
        break;
      } catch (error) {
        if (!isCode(error, 'EEXIST')) throw new JournalError(`cannot lock ${path}: ${describe(error)}`, { cause: error });
        await breakIfStale(lock);
        if (Date.now() > until) throw new JournalError(`lock on ${path} held for more than ${LOCK_WAIT_MS} ms`);
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      }
    }
    try {
      return await fn();
    } finally {
      await unlink(lock).catch(() => undefined);
    }
  }

  return {
    description: `file:${dir}`,
    get: (key) => readAt(pathOf(key)),
    async create(record) {
      const path = pathOf(record.key);
      const tmp = await writeTemp(record, 1);
      try {
        await link(tmp, path);
      } catch (error) {
        if (isCode(error, 'EEXIST')) return undefined;
        throw new JournalError(`cannot create ${path}: ${describe(error)}`, { cause: error });
      } finally {
        await unlink(tmp).catch(() => undefined);
      }
      return { record, version: '1' };
    },
    async update(record, version) {
      const path = pathOf(record.key);
      return withLock(path, async () => {
        const current = await readAt(path);
        if (current === undefined || current.version !== version) return undefined;
        const next = Number(version) + 1;
        const tmp = await writeTemp(record, next);
        try {
          await rename(tmp, path);
        } catch (error) {
          await unlink(tmp).catch(() => undefined);
          throw new JournalError(`cannot write ${path}: ${describe(error)}`, { cause: error });
        }
        return { record, version: String(next) };
      });
    },
    async list() {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (error) {
        if (isCode(error, 'ENOENT')) return [];
        throw new JournalError(`cannot list ${dir}: ${describe(error)}`, { cause: error });
      }
      const found = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) => readAt(join(dir, n))));
      return found.filter((v): v is Versioned => v !== undefined).map((v) => v.record);
    },
  };
}

async function breakIfStale(lock: string): Promise<void> {
  try {
    const info = await stat(lock);
    // Renaming first makes breaking the lock atomic: of two breakers, one rename fails.
    if (Date.now() - info.mtimeMs > STALE_LOCK_MS) {
      const aside = `${lock}.stale-${randomUUID()}`;
      await rename(lock, aside);
      await unlink(aside);
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
