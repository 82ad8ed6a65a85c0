/**
 * The run journal: one durable record per inbound message, claimed atomically before any side
 * effect, so a redelivered, concurrent or crashed delivery never runs the workflow twice.
 */
export { JournalError } from './journal.js';
export type { RunJournal, Versioned } from './journal.js';
export { memoryJournal } from './memory-store.js';
export { fileJournal } from './file-store.js';
export { claimRun, isRetryableFailure, standingSteps } from './claim.js';
export type { Claim, ClaimRequest } from './claim.js';
export { HISTORY_LIMIT, RUN_STATUS, RunRecordSchema, RunStatusSchema, parseRunRecord, withHistory } from './record.js';
export type { HistoryEntry, Lease, RunRecord, RunStatus, StepEntry, StoredAnswer } from './record.js';
export { LeaseLostError, runJournaled } from './run-journaled.js';
export type { JournaledOutcome, JournaledRun } from './run-journaled.js';
export { journalConfigShape, parseJournalLocation } from './config.js';
export type { JournalLocation } from './config.js';
export { journalFor, locationId, openJournal } from './open.js';
export type { ObjectStorageOpener } from './open.js';
export { canonicalJson, payloadHash } from './payload-hash.js';
export { objectStorageOpener } from './open-object-storage.js';
export type { ObjectStorageAccess } from './open-object-storage.js';
export { objectStorageJournal } from './object-storage-store.js';
export type { ObjectStorageJournalOptions } from './object-storage-store.js';
export { listingOf, mapBounded, withRetries } from './listing.js';
export type { Listing, ListOptions } from './listing.js';
