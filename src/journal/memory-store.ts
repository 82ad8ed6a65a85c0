import type { RunJournal, Versioned } from './journal.js';
import type { RunRecord } from './record.js';

/**
 * How long a container remembers a run: the longest provider redelivery window. Vonage retries an
 * inbound message for 24 hours; Twilio's connection-override retries end within the call.
 */
export const MEMORY_RETAIN_MS = 24 * 3_600_000;
/**
 * What a container keeps of its runs, in characters of their JSON (bytes, for the ASCII a record
 * mostly is): 8 MiB holds the last ~4,500 runs of new senders (a succeeded one is ~1.8 KB once its
 * payload is dropped), and a warm container's RSS stays flat below `memory: 256` (docs/performance.md).
 */
export const MEMORY_BUDGET_BYTES = 8 * 1024 * 1024;

export interface MemoryJournalOptions {
  /** @default {@link MEMORY_BUDGET_BYTES} */
  readonly maxBytes?: number;
  /** @default {@link MEMORY_RETAIN_MS} */
  readonly retainMs?: number;
  readonly now?: () => number;
}

interface Row {
  readonly text: string;
  readonly version: number;
  readonly createdAt: number;
  readonly leaseUntil: number;
}

/**
 * In-process journal: protects one container only, and only for its recent runs: those created
 * within `retainMs` whose JSON fits in `maxBytes` (oldest forgotten first; a run under a live
 * lease is never forgotten). A succeeded run is kept without its payload (the message itself):
 * a duplicate is answered from its status and answer, and nothing resumes or redrives it here.
 * Records are stored as JSON text so callers never share objects with the store; they are not
 * re-validated on read: only typed records are ever written. The ledger's facts are kept within the
 * same window and an eighth of the budget (1 MiB by default, ~20,000 facts), oldest forgotten first.
 */
export function memoryJournal(
  options: MemoryJournalOptions = {},
): RunJournal & { readonly bytes: () => number; readonly markCount: () => number } {
  const maxBytes = options.maxBytes ?? MEMORY_BUDGET_BYTES;
  const retainMs = options.retainMs ?? MEMORY_RETAIN_MS;
  const now = options.now ?? Date.now;
  // Insertion order is creation order: the oldest runs come first.
  const rows = new Map<string, Row>();
  let bytes = 0;
  const row = (record: RunRecord, version: number, createdAt: number): Row => ({
    text: JSON.stringify(compact(record)),
    version,
    createdAt,
    leaseUntil: record.status === 'running' ? (record.lease?.expiresAt ?? Number.POSITIVE_INFINITY) : 0,
  });
  const put = (key: string, next: Row): void => {
    bytes += next.text.length - (rows.get(key)?.text.length ?? 0);
    rows.set(key, next);
  };

  /** Forgets the oldest runs beyond the budget, and those older than the window. */
  function prune(room: number): void {
    const t = now();
    for (const [key, r] of rows) {
      if (bytes + room <= maxBytes && r.createdAt >= t - retainMs) break;
      if (r.leaseUntil > t) continue;
      rows.delete(key);
      bytes -= r.text.length;
    }
  }

  // Facts (one or two per run, ~60 characters each) are kept within the same window, and within a
  // budget of their own: a fact forgotten here is one this container can no longer vouch for, as a
  // forgotten run is (the ledger only narrows races that B2C Service's own searches settle later).
  const marks = new Map<string, { readonly value: string; readonly at: number }>();
  const maxMarkChars = Math.max(1, Math.floor(maxBytes / 8));
  let markChars = 0;
  function forgetMarks(room: number): void {
    const t = now();
    for (const [name, m] of marks) {
      if (markChars + room <= maxMarkChars && m.at >= t - retainMs) break;
      marks.delete(name);
      markChars -= name.length + m.value.length;
    }
  }

  return {
    description: 'memory',
    bytes: () => bytes,
    markCount: () => marks.size,
    async createMark(name, value) {
      const held = marks.get(name);
      if (held !== undefined) return held.value;
      forgetMarks(name.length + value.length);
      marks.set(name, { value, at: now() });
      markChars += name.length + value.length;
      return value;
    },
    getMark: async (name) => marks.get(name)?.value,
    async get(key) {
      const r = rows.get(key);
      return r === undefined ? undefined : { record: JSON.parse(r.text) as RunRecord, version: String(r.version) };
    },
    async create(record): Promise<Versioned | undefined> {
      if (rows.has(record.key)) return undefined;
      const next = row(record, 1, now());
      prune(next.text.length);
      put(record.key, next);
      return { record, version: '1' };
    },
    async update(record, version) {
      const current = rows.get(record.key);
      if (current === undefined || String(current.version) !== version) return undefined;
      const next = row(record, current.version + 1, current.createdAt);
      put(record.key, next);
      if (bytes > maxBytes) prune(0);
      return { record, version: String(next.version) };
    },
    async list() {
      return [...rows.values()].map((r) => JSON.parse(r.text) as RunRecord);
    },
  };
}

/** A succeeded run without its payload: what answering its duplicates needs. */
function compact(record: RunRecord): RunRecord {
  if (record.status !== 'succeeded') return record;
  const { payload: _payload, ...rest } = record;
  return { ...rest, payload: null };
}
