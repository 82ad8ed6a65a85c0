/**
 * Reading many runs without reading the world: bounded concurrency, a retry per record, and a
 * partial result with what could not be read rather than nothing at all.
 */
import type { RunRecord } from './record.js';

export interface ListOptions {
  /** Records read at once. @default 16 */
  readonly concurrency?: number;
  /** Read at most this many of the newest in the window (the caller filters nothing else). */
  readonly newest?: number;
}

export interface Listing {
  /** Newest first. */
  readonly records: RunRecord[];
  /** Records that could not be read after retries: the listing is partial. */
  readonly unreadable: readonly { readonly name: string; readonly error: string }[];
  /** How many index entries the window held (before `newest`). */
  readonly inWindow: number;
}

/** Maps `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** The generic window over a store that can only list everything (memory, file). */
export function listingOf(records: readonly RunRecord[], since: number, options: ListOptions = {}): Listing {
  const inWindow = records.filter((r) => r.startedAt >= since).sort((a, b) => b.startedAt - a.startedAt);
  return {
    records: options.newest === undefined ? inWindow : inWindow.slice(0, options.newest),
    unreadable: [],
    inWindow: inWindow.length,
  };
}
