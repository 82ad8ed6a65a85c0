/**
 * A run journal for unit tests: a store that keeps exactly what was written (as JSON, like Object
 * Storage; the in-memory journal compacts finished runs), with a fault hook per operation and a
 * log of the calls made. A hook returns the error to throw instead of calling the store (or
 * undefined to let the call through); `afterCreate`/`afterUpdate` throw after the store applied
 * the write (an answer lost on the way back); `refusedAfterApply` answers 412 to an applied update.
 */
import type { RunJournal, RunRecord } from '../../src/journal/index.js';

export interface JournalFaults {
  get?: (key: string) => Error | undefined;
  create?: (record: RunRecord) => Error | undefined;
  update?: (record: RunRecord) => Error | undefined;
  afterUpdate?: (record: RunRecord) => Error | undefined;
  /** After the store applied the create: throw this (a claim whose answer was lost). */
  afterCreate?: (record: RunRecord) => Error | undefined;
  /** The store applied the update, then answered "precondition failed" (the SDK re-sent it and met our own write). */
  refusedAfterApply?: (record: RunRecord) => boolean;
}

export interface FakeJournal extends RunJournal {
  /** Set or clear at any time. */
  readonly faults: JournalFaults;
  /** `get k`, `create k`, `update k status` in call order (faulted calls included). */
  readonly calls: string[];
}

/** Create-only and compare-and-set over a map of JSON texts, versions counted per key. */
function exactStore(): Pick<RunJournal, 'get' | 'create' | 'update' | 'list' | 'createMark' | 'getMark'> {
  const rows = new Map<string, { text: string; version: number }>();
  const marks = new Map<string, string>();
  const versioned = (record: RunRecord, version: number) => ({ record, version: String(version) });
  return {
    get: async (key) => {
      const row = rows.get(key);
      return row === undefined ? undefined : versioned(JSON.parse(row.text) as RunRecord, row.version);
    },
    create: async (record) => {
      if (rows.has(record.key)) return undefined;
      rows.set(record.key, { text: JSON.stringify(record), version: 1 });
      return versioned(record, 1);
    },
    update: async (record, version) => {
      const row = rows.get(record.key);
      if (row === undefined || String(row.version) !== version) return undefined;
      rows.set(record.key, { text: JSON.stringify(record), version: row.version + 1 });
      return versioned(record, row.version + 1);
    },
    list: async () => [...rows.values()].map((row) => JSON.parse(row.text) as RunRecord),
    createMark: async (name, value) => {
      const held = marks.get(name);
      if (held !== undefined) return held;
      marks.set(name, value);
      return value;
    },
    getMark: async (name) => marks.get(name),
  };
}

export function fakeJournal(options: { description?: string } = {}): FakeJournal {
  const store = exactStore();
  const faults: JournalFaults = {};
  const calls: string[] = [];
  return {
    description: options.description ?? 'fake',
    faults,
    calls,
    async get(key) {
      calls.push(`get ${key}`);
      const error = faults.get?.(key);
      if (error) throw error;
      return store.get(key);
    },
    async create(record) {
      calls.push(`create ${record.key}`);
      const error = faults.create?.(record);
      if (error) throw error;
      const created = await store.create(record);
      const late = faults.afterCreate?.(record);
      if (late) throw late;
      return created;
    },
    async update(record, version) {
      calls.push(`update ${record.key} ${record.status}`);
      const error = faults.update?.(record);
      if (error) throw error;
      const updated = await store.update(record, version);
      const late = faults.afterUpdate?.(record);
      if (late) throw late;
      if (updated !== undefined && faults.refusedAfterApply?.(record) === true) return undefined;
      return updated;
    },
    list: () => store.list(),
    createMark: (name, value) => store.createMark(name, value),
    getMark: (name) => store.getMark(name),
  };
}
