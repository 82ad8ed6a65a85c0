import type { RunResult } from '../engine/index.js';
import type { RunRecord } from '../journal/index.js';

/**
 * Where one delivery of one message ends up, as the protocol decides it. The states, in the order
 * {@link IdempotentRuns.handle} can reach them:
 *
 * - `journal-unavailable`: the claim could not be made; nothing ran (fail closed, retry later).
 * - `mismatch`: the key was already used with another payload; nothing ran.
 * - `busy`: another execution holds a live lease on the run; nothing ran.
 * - `duplicate`: the run is finished; its stored answer is replayed, nothing ran.
 * - `ran`: this execution owned the run (`new`, or taken over: `resume` after a lapsed lease,
 *   `restart` after a retryable failure or a redrive) and ran it; `saved` says whether the result
 *   reached the journal (`lease-lost`: another execution owns the run now; `save-failed`: the store
 *   refused the final write, `saveError` says why).
 */
export type IdempotencyOutcome<S> =
  | { readonly state: 'journal-unavailable'; readonly error: unknown }
  | { readonly state: 'mismatch'; readonly record: RunRecord }
  | { readonly state: 'busy'; readonly record: RunRecord; readonly retryAfterMs: number }
  | { readonly state: 'duplicate'; readonly record: RunRecord }
  | RanOutcome<S>;

/** This execution owned the run and ran it. */
export interface RanOutcome<S> {
  readonly state: 'ran';
  readonly mode: 'new' | 'resume' | 'restart';
  readonly runId: string;
  readonly result: RunResult<S>;
  readonly saved: 'saved' | 'lease-lost' | 'save-failed';
  readonly saveError?: unknown;
}
