// Which round trips a webhook waited for: of the requests made between the call and its answer,
// the chain of non-overlapping ones that covers the most time (weighted interval scheduling).
// Requests overlapped with a longer one (an index write beside a B2C call, a flush beside the
// final record) are not on it; requests that ended after the answer are counted apart.
import type { Trip } from './latency-proxy.js';

export interface CriticalPath {
  /** The chain, in time order. */
  readonly chain: readonly Trip[];
  /** Chain length per kind (`journal`, `telemetry`, `b2c`, `vault`). */
  readonly byKind: Readonly<Record<string, number>>;
  /** Every request in the window per kind, on the chain or not. */
  readonly total: Readonly<Record<string, number>>;
  /** Requests still running when the answer came. */
  readonly afterAnswer: number;
}

/** `trips` of one webhook answered in [start, end]. Pure. */
export function criticalPath(trips: readonly Trip[], start: number, end: number): CriticalPath {
  const inside = trips.filter((t) => t.start >= start && t.end <= end).sort((a, b) => a.end - b.end);
  const afterAnswer = trips.filter((t) => t.start >= start && t.start <= end && t.end > end).length;
  // best[i]: the longest total duration of a chain among the first i trips (sorted by end).
  const best: number[] = [0];
  const take: boolean[] = [];
  const prev: number[] = [];
  for (let i = 0; i < inside.length; i++) {
    const t = inside[i]!;
    // The last trip that ended before this one started (binary search on end times).
    let lo = 0;
    let hi = i;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (inside[mid]!.end <= t.start) lo = mid + 1;
      else hi = mid;
    }
    prev.push(lo);
    const withIt = best[lo]! + (t.end - t.start);
    take.push(withIt > best[i]!);
    best.push(Math.max(withIt, best[i]!));
  }
  const chain: Trip[] = [];
  for (let i = inside.length; i > 0; ) {
    if (take[i - 1]) {
      chain.unshift(inside[i - 1]!);
      i = prev[i - 1]!;
    } else i--;
  }
  const count = (xs: readonly Trip[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const t of xs) out[t.kind] = (out[t.kind] ?? 0) + 1;
    return out;
  };
  return { chain, byKind: count(chain), total: count(inside), afterAnswer };
}
