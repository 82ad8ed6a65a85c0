/**
 * The idempotency protocol: one run per message, claimed in the journal before any side effect;
 * every other delivery of the message is answered from the journal.
 */
export { IdempotentRuns, retryAfterSeconds, runKey } from './idempotent-runs.js';
export type { Delivery, IdempotentRunsParts, RunStart } from './idempotent-runs.js';
export type { IdempotencyOutcome, RanOutcome } from './outcome.js';
