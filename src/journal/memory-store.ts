import type { RunJournal, Versioned } from './journal.js';
import type { RunRecord } from './record.js';

/**
 * How long a container remembers a run: the longest provider redelivery window. Vonage retries an
 * inbound message for 24 hours; Twilio's connection-override retries end within the call.
 */
export const MEMORY_RETAIN_MS = 24 * 3_600_000;
/** At most this many runs (~2 KB each): a busy warm container stays within `memory: 128`. */
export const MEMORY_MAX_RECORDS = 5_000;

export interface MemoryJournalOptions {
  /** @default {@link MEMORY_MAX_RECORDS} */
  readonly maxRecords?: number;
  /** @default {@link MEMORY_RETAIN_MS} */
  readonly retainMs?: number;
  readonly now?: () => number;
}

/**
 * In-process journal: protects one container only, and only for the last `maxRecords` runs
 * created within `retainMs` (oldest forgotten first; a run under a live lease is never forgotten).
 * Records are stored as JSON text so callers never share objects with the store; they are not
 * re-validated on read: only typed records are ever written.
 */
export function memoryJournal(options: MemoryJournalOptions = {}): RunJournal {
  const maxRecords = options.maxRecords ?? MEMORY_MAX_RECORDS;
  const retainMs = options.retainMs ?? MEMORY_RETAIN_MS;
  const now = options.now ?? Date.now;
  // Insertion order is creation order: the oldest runs come first.
  const rows = new Map<string, { text: string; version: number; createdAt: number; leaseUntil: number }>();
  const row = (record: RunRecord, version: number, createdAt: number) => ({
    text: JSON.stringify(record),
    version,
    createdAt,
    leaseUntil: record.status === 'running' ? (record.lease?.expiresAt ?? Number.POSITIVE_INFINITY) : 0,
  });

  /** Forgets the oldest runs beyond the count, and those older than the window. */
  function prune(): void {
    const t = now();
    for (const [key, r] of rows) {
      if (rows.size < maxRecords && r.createdAt >= t - retainMs) break;
      if (r.leaseUntil > t) continue;
      rows.delete(key);
    }
  }

  return {
    description: 'memory',
    async get(key) {
      const r = rows.get(key);
      return r === undefined ? undefined : { record: JSON.parse(r.text) as RunRecord, version: String(r.version) };
    },
    async create(record): Promise<Versioned | undefined> {
      if (rows.has(record.key)) return undefined;
      prune();
      rows.set(record.key, row(record, 1, now()));
      return { record, version: '1' };
    },
    async update(record, version) {
      const current = rows.get(record.key);
      if (current === undefined || String(current.version) !== version) return undefined;
      const next = row(record, current.version + 1, current.createdAt);
      rows.set(record.key, next);
      return { record, version: String(next.version) };
    },
    async list() {
      return [...rows.values()].map((r) => JSON.parse(r.text) as RunRecord);
    },
  };
}
