import type { Listing, ListOptions } from './listing.js';
import type { RunRecord } from './record.js';

/** A record with the opaque version a conditional update must name (a counter, an ETag). */
export interface Versioned {
  readonly record: RunRecord;
  readonly version: string;
}

/**
 * Where runs are kept. Every write is conditional, so two containers can never both own a run:
 * `create` succeeds for one caller only, `update` only for the holder of the current version.
 */
export interface RunJournal {
  /** Short description for logs and the CLI (`file:/var/runs`, never a credential). */
  readonly description: string;
  get(key: string): Promise<Versioned | undefined>;
  /** Create-only: undefined when a record with this key already exists. */
  create(record: RunRecord): Promise<Versioned | undefined>;
  /** Compare-and-set: undefined when the stored version is not `version` any more. */
  update(record: RunRecord, version: string): Promise<Versioned | undefined>;
  /** Every record (the CLI filters); order unspecified. Reads the whole store: small stores only. */
  list(): Promise<RunRecord[]>;
  /**
   * Runs started at or after `since`, newest first, reading only that window (a store with a
   * time index); what could not be read is reported, not thrown. Absent: the CLI filters `list()`.
   */
  listSince?(since: number, options?: ListOptions): Promise<Listing>;
  /**
   * Create-only facts beside the runs (`ledger.ts`: who owns an incident, which contact a number
   * was given): writes `value` under `name` unless something is there; answers what is there now.
   * A write whose outcome is unknown throws a {@link JournalError} with `inDoubt`: read it back.
   */
  createMark(name: string, value: string): Promise<string>;
  /** The value under `name`, undefined when none. */
  getMark(name: string): Promise<string | undefined>;
  /** The run with this run id, without a scan (a store with a run-id index); undefined when unknown. */
  getByRunId?(runId: string): Promise<Versioned | undefined>;
  /**
   * Writes the run's entries in the store's indexes (time, run id; the same names for the same run,
   * so writing them again is harmless). The sweeper finds runs by them: the claim has them land
   * before the run goes on, and rejects with a {@link JournalError} (`transient` when it may pass)
   * when one could not be written. Absent: the store has no separate index (it lists everything).
   */
  indexRun?(record: RunRecord): Promise<void>;
  /** Up to `limit` run ids that start with `prefix`, from the run-id index (the CLI takes unique starts of ids). */
  runIdsStartingWith?(prefix: string, limit: number): Promise<string[]>;
}

/**
 * The store could not be read or written: callers fail closed (no claim, no side effect). Retryable
 * across deliveries: the next delivery finds the store back and the run where it was left.
 */
export class JournalError extends Error {
  override readonly name = 'JournalError';
  readonly retryable = true;
  /** A write that may have been applied although it failed (a 5xx, timeout, dropped connection): read it back. The engine's structural flag. */
  readonly inDoubt: false | 'settled';
  /**
   * A fault that may pass if tried again soon (a 5xx or 429, a dropped connection, a timeout), as
   * the store tells it: the claim tries it again within its delivery's time (`retries.ts`).
   */
  readonly transient: boolean;

  constructor(message: string, options?: ErrorOptions & { inDoubt?: boolean; transient?: boolean }) {
    super(message, options);
    this.inDoubt = options?.inDoubt === true ? 'settled' : false;
    this.transient = options?.transient === true;
  }
}
