/**
 * The run journal: one durable record per inbound message, claimed atomically before any side
 * effect, so a redelivered, concurrent or crashed delivery never runs the workflow twice.
 */
export { JournalError } from './journal.js';
export type { RunJournal } from './journal.js';
export { memoryJournal } from './memory-store.js';
export { fileJournal } from './file-store.js';
export { claimRun, standingSteps } from './claim.js';
export type { Claim, ClaimRequest } from './claim.js';
export { RUN_STATUS, RunStatusSchema, parseRunRecord, withHistory } from './record.js';
export type { RunRecord, RunStatus, StepEntry } from './record.js';
export { LeaseLostError, runJournaled } from './run-journaled.js';
export { journalConfigShape, parseJournalLocation } from './config.js';
export { journalFor, openJournal } from './open.js';
export { canonicalJson, payloadHash } from './payload-hash.js';
export { objectStorageOpener } from './open-object-storage.js';
export { objectStorageJournal } from './object-storage-store.js';
export { listingOf } from './listing.js';
export type { Listing } from './listing.js';
export { journalLedger } from './ledger.js';
export type { JournalLedger } from './ledger.js';
