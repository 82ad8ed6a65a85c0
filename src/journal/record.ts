import { z } from 'zod';
import type { AttemptRecord, CompensationRecord, ErrorInfo, StepRecord } from '../engine/index.js';

/**
 * One run of a workflow for one inbound message, as the journal keeps it. Plain JSON: the same
 * document lives in memory, in a file or in an Object Storage object, and the SRE CLI reads it.
 */

export const RUN_STATUS = {
  /** Owned by the holder of `lease` until `lease.expiresAt`. */
  running: 'running',
  succeeded: 'succeeded',
  /** Failed for good (compensated, or compensation failed). */
  failed: 'failed',
  /** Marked for a redrive: the next claim starts it again from the first step that must be redone. */
  queued: 'queued',
} as const;

export const RunStatusSchema = z.enum([RUN_STATUS.running, RUN_STATUS.succeeded, RUN_STATUS.failed, RUN_STATUS.queued]);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const ErrorInfoSchema = z.object({
  type: z.string(),
  message: z.string(),
  retryable: z.boolean(),
}) satisfies z.ZodType<ErrorInfo>;

export const AttemptEntrySchema = z.object({
  attempt: z.number().int(),
  startedAt: z.number(),
  durationMs: z.number(),
  outcome: z.enum(['succeeded', 'failed']),
  error: ErrorInfoSchema.optional(),
  backoffMs: z.number().optional(),
}) satisfies z.ZodType<AttemptRecord>;

/** A step as the engine recorded it (its output included), plus when it ended and whether it was undone. */
export interface StepEntry extends StepRecord {
  readonly finishedAt?: number;
  /** Set when its compensation ran: `succeeded`, its output no longer exists; `failed`, it is left behind. */
  readonly compensated?: 'succeeded' | 'failed';
  /** The compensation's own attempts and last error, for whoever cleans up by hand. */
  readonly undo?: Pick<CompensationRecord, 'attempts' | 'durationMs' | 'error' | 'effect' | 'reason'>;
}

/** The journal's form of {@link StepEntry}: checked against the engine's record, so the two cannot drift. */
export const StepEntrySchema = z.object({
  name: z.string(),
  outcome: z.enum(['succeeded', 'failed', 'skipped', 'not-run']),
  attempts: z.array(AttemptEntrySchema).readonly(),
  durationMs: z.number(),
  error: ErrorInfoSchema.optional(),
  /** The patch the step merged into the run's state (e.g. `{ incidentId }`). */
  output: z.record(z.string(), z.unknown()).optional(),
  finishedAt: z.number().optional(),
  /** Set when its compensation ran: `succeeded`, its output no longer exists; `failed`, it is left behind. */
  compensated: z.enum(['succeeded', 'failed']).optional(),
  /** The compensation's own attempts and last error, for whoever cleans up by hand. */
  undo: z
    .object({
      attempts: z.array(AttemptEntrySchema).readonly(),
      durationMs: z.number(),
      error: ErrorInfoSchema.optional(),
      /** What a succeeded undo did: `deleted`, `kept` (`reason` says why), `already-gone`; absent in records made before it was kept. */
      effect: z.enum(['deleted', 'kept', 'already-gone']).optional(),
      reason: z.string().optional(),
    })
    .optional(),
}) satisfies z.ZodType<StepEntry>;

export const LeaseSchema = z.object({ owner: z.string(), expiresAt: z.number() });

export const HistoryEntrySchema = z.object({
  at: z.number(),
  event: z.enum(['claimed', 'resumed', 'restarted', 'succeeded', 'failed', 'duplicate', 'busy', 'redrive']),
  owner: z.string().optional(),
  detail: z.string().optional(),
  /** The trace of the execution this entry starts (claimed, resumed, restarted), and its root span. */
  traceId: z.string().optional(),
  spanId: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** The answer given for the run, replayed to duplicates. */
export const StoredAnswerSchema = z.object({ status: z.number().int(), body: z.record(z.string(), z.unknown()) });
export type StoredAnswer = z.infer<typeof StoredAnswerSchema>;

export const RunRecordSchema = z.object({
  schema: z.literal(1),
  /** Idempotency key: `<provider>:<provider message id>`. */
  key: z.string().min(1),
  runId: z.string().min(1),
  workflow: z.string(),
  provider: z.string(),
  messageId: z.string(),
  /** `I-Twilio-Idempotency-Token` of the first delivery, when there was one. */
  idempotencyToken: z.string().optional(),
  /** sha256 of the canonical payload: the same key with another payload is refused. */
  payloadHash: z.string(),
  /** The run's input, kept for resume and redrive. */
  payload: z.unknown(),
  status: RunStatusSchema,
  lease: LeaseSchema.optional(),
  /** Executions of the run (first one, take-overs, retries, redrives). */
  executions: z.number().int().min(0),
  /** Deliveries answered from the journal without running anything. */
  duplicates: z.number().int().min(0),
  /** Latest entry per step, in workflow order. */
  steps: z.array(StepEntrySchema),
  compensation: z.enum(['none', 'completed', 'failed']).optional(),
  failedStep: z.string().optional(),
  error: ErrorInfoSchema.optional(),
  answer: StoredAnswerSchema.optional(),
  /** Trace id of the execution that last wrote the record, when tracing is on. */
  traceId: z.string().optional(),
  /**
   * Latest epoch ms at which an execution abandoned a B2C write in flight (a timeout, or a crash:
   * then its lease's end). Such a write may still be applied a little later: a later execution does
   * not send it again before that window has passed.
   */
  abandonedAt: z.number().optional(),
  /** Start of the first execution: reconciliation looks for objects created since. */
  startedAt: z.number(),
  updatedAt: z.number(),
  finishedAt: z.number().optional(),
  /** Newest last, capped. */
  history: z.array(HistoryEntrySchema),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

export const HISTORY_LIMIT = 50;

export function withHistory(record: RunRecord, entry: HistoryEntry): RunRecord['history'] {
  return [...record.history, entry].slice(-HISTORY_LIMIT);
}

/** Parses a stored document; throws {@link z.ZodError} when it is not a run record. */
export function parseRunRecord(json: unknown): RunRecord {
  return RunRecordSchema.parse(json);
}
