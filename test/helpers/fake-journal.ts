/**
 * A run journal for unit tests: the real in-memory store, with a fault hook per operation and a
 * log of the calls made. A hook returns the error to throw instead of calling the store (or
 * undefined to let the call through); `afterCreate`/`afterUpdate` throw after the store applied
 * the write (an answer lost on the way back); `refusedAfterApply` answers 412 to an applied update.
 */
import { memoryJournal, type RunJournal, type RunRecord } from '../../src/journal/index.js';

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

export function fakeJournal(options: { description?: string; now?: () => number } = {}): FakeJournal {
  const store = memoryJournal(options.now ? { now: options.now } : {});
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
  };
}
