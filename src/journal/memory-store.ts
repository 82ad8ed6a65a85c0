import type { RunJournal, Versioned } from './journal.js';
import { parseRunRecord, type RunRecord } from './record.js';

/**
 * In-process journal: protects one container only. Records are stored as JSON text so callers
 * never share objects with the store, as with the durable stores.
 */
export function memoryJournal(): RunJournal {
  const rows = new Map<string, { text: string; version: number }>();
  const read = (row: { text: string; version: number }): Versioned => ({ record: parseRunRecord(JSON.parse(row.text)), version: String(row.version) });
  return {
    description: 'memory',
    async get(key) {
      const row = rows.get(key);
      return row === undefined ? undefined : read(row);
    },
    async create(record) {
      if (rows.has(record.key)) return undefined;
      const row = { text: JSON.stringify(record), version: 1 };
      rows.set(record.key, row);
      return read(row);
    },
    async update(record: RunRecord, version) {
      const row = rows.get(record.key);
      if (row === undefined || String(row.version) !== version) return undefined;
      const next = { text: JSON.stringify(record), version: row.version + 1 };
      rows.set(record.key, next);
      return read(next);
    },
    async list() {
      return [...rows.values()].map((row) => read(row).record);
    },
  };
}
