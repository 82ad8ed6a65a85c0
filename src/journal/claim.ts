import type { RunJournal, Versioned } from './journal.js';
import { RUN_STATUS, withHistory, type RunRecord, type StepEntry } from './record.js';

export interface ClaimRequest {
  readonly key: string;
  /** Id for a new run (a taken-over run keeps its own). */
  readonly runId: string;
  readonly workflow: string;
  readonly provider: string;
  readonly messageId: string;
  readonly idempotencyToken?: string;
  readonly payloadHash: string;
  readonly payload: unknown;
  /** Who claims: unique per execution (e.g. the Fn call id). */
  readonly owner: string;
  readonly now: number;
  /** When the lease ends: the execution's deadline plus a margin. */
  readonly leaseExpiresAt: number;
  readonly traceId?: string;
  /** The execution's root span: a duplicate's span links to it. */
  readonly spanId?: string;
}

/**
 * - `run`: this caller owns the run now. `new`: first delivery; `resume`: the previous owner's
 *   lease expired, continue at the first unfinished step; `restart`: after a retryable failure
 *   or a redrive, start again from the first step that must be redone.
 * - `finished`: answer the stored result, run nothing.
 * - `busy`: another execution holds a live lease; retry after `retryAfterMs`.
 * - `mismatch`: same key, different payload.
 */
export type Claim =
  | { readonly kind: 'run'; readonly mode: 'new' | 'resume' | 'restart'; readonly claimed: Versioned }
  | { readonly kind: 'finished'; readonly record: RunRecord }
  | { readonly kind: 'busy'; readonly record: RunRecord; readonly retryAfterMs: number }
  | { readonly kind: 'mismatch'; readonly record: RunRecord };

/** Conditional writes lost to a concurrent writer are retried this many times. */
const MAX_ROUNDS = 8;

/**
 * Claims the run for `req.key` atomically, before any side effect: the claim is a create-only
 * write or a compare-and-set on the version read, never check-then-mark.
 */
export async function claimRun(journal: RunJournal, req: ClaimRequest): Promise<Claim> {
  let storeErrors = 0;
  // A claim whose outcome is unknown is read back: applied, it is ours (below); not, it is tried again, once.
  const unknownOutcome = (error: unknown): undefined => {
    if (++storeErrors > 1) throw error;
    return undefined;
  };
  // A new message is the common case: the create-only write answers "new" or "exists" in one
  // round trip, with no read before it (a read first would cost a round trip on every message).
  let tryCreate = true;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (tryCreate) {
      const created = await journal.create(newRecord(req)).catch(unknownOutcome);
      if (created !== undefined) return { kind: 'run', mode: 'new', claimed: created };
      // someone created it first, or we did unseen: read it
    }
    const current = await journal.get(req.key);
    tryCreate = current === undefined;
    if (current === undefined) continue;
    const { record } = current;
    if (record.payloadHash !== req.payloadHash) return { kind: 'mismatch', record };
    // Our own write whose answer was lost (a store-side retry then saw it as taken): it is ours.
    if (record.status === RUN_STATUS.running && record.lease?.owner === req.owner) {
      return { kind: 'run', mode: record.executions === 1 ? 'new' : 'resume', claimed: current };
    }

    const takeover = takeoverMode(record, req.now);
    if (takeover === 'busy') {
      const retryAfterMs = Math.max(0, (record.lease?.expiresAt ?? req.now) - req.now);
      await noteDuplicate(journal, current, req, 'busy');
      return { kind: 'busy', record, retryAfterMs };
    }
    if (takeover === 'finished') {
      await noteDuplicate(journal, current, req, 'duplicate');
      return { kind: 'finished', record };
    }
    const next = takeOver(record, req, takeover);
    const updated = await journal.update(next, current.version).catch(unknownOutcome);
    if (updated !== undefined) return { kind: 'run', mode: takeover, claimed: updated };
  }
  // Lost every round to concurrent writers: someone else is clearly on it.
  const latest = await journal.get(req.key);
  if (latest === undefined) throw new Error(`run ${req.key}: claim kept losing and the record vanished`);
  return { kind: 'busy', record: latest.record, retryAfterMs: 1_000 };
}

function takeoverMode(record: RunRecord, now: number): 'busy' | 'finished' | 'resume' | 'restart' {
  switch (record.status) {
    case RUN_STATUS.running:
      return record.lease !== undefined && record.lease.expiresAt > now ? 'busy' : 'resume';
    case RUN_STATUS.queued:
      return 'restart';
    case RUN_STATUS.failed:
      return isRetryableFailure(record) ? 'restart' : 'finished';
    case RUN_STATUS.succeeded:
      return 'finished';
  }
}

/** A failure worth running again on redelivery: the last error may pass, and nothing is left half-undone. */
export function isRetryableFailure(record: RunRecord): boolean {
  return record.status === RUN_STATUS.failed && record.error?.retryable === true && record.compensation !== 'failed';
}

/**
 * The leading steps whose outputs still stand: succeeded or skipped, and not undone by a
 * compensation. A restart keeps them and redoes everything after.
 */
export function standingSteps(steps: readonly StepEntry[]): StepEntry[] {
  const kept: StepEntry[] = [];
  for (const step of steps) {
    if ((step.outcome !== 'succeeded' && step.outcome !== 'skipped') || step.compensated !== undefined) break;
    kept.push(step);
  }
  return kept;
}

function newRecord(req: ClaimRequest): RunRecord {
  return {
    schema: 1,
    key: req.key,
    runId: req.runId,
    workflow: req.workflow,
    provider: req.provider,
    messageId: req.messageId,
    ...(req.idempotencyToken === undefined ? {} : { idempotencyToken: req.idempotencyToken }),
    payloadHash: req.payloadHash,
    payload: req.payload,
    status: RUN_STATUS.running,
    lease: { owner: req.owner, expiresAt: req.leaseExpiresAt },
    executions: 1,
    duplicates: 0,
    steps: [],
    ...(req.traceId === undefined ? {} : { traceId: req.traceId }),
    startedAt: req.now,
    updatedAt: req.now,
    history: [{ at: req.now, event: 'claimed', owner: req.owner, ...traceOf(req) }],
  };
}

/**
 * A crashed execution may have had a write in flight until its lease ended: that is when it
 * abandoned it, at the latest.
 */
function abandonedBy(record: RunRecord, mode: 'resume' | 'restart'): { abandonedAt?: number } {
  const times = [record.abandonedAt, mode === 'resume' ? record.lease?.expiresAt : undefined].filter(
    (t): t is number => t !== undefined,
  );
  return times.length === 0 ? {} : { abandonedAt: Math.max(...times) };
}

function takeOver(record: RunRecord, req: ClaimRequest, mode: 'resume' | 'restart'): RunRecord {
  const detail =
    mode === 'resume'
      ? `lease of ${record.lease?.owner ?? 'nobody'} expired`
      : record.status === RUN_STATUS.queued
        ? 'redrive'
        : `after ${record.error?.type ?? 'failure'}`;
  const {
    answer: _answer,
    error: _error,
    failedStep: _failedStep,
    compensation: _compensation,
    finishedAt: _finishedAt,
    ...rest
  } = record;
  return {
    ...(mode === 'resume' ? record : rest),
    status: RUN_STATUS.running,
    lease: { owner: req.owner, expiresAt: req.leaseExpiresAt },
    executions: record.executions + 1,
    steps: mode === 'resume' ? record.steps : standingSteps(record.steps),
    ...abandonedBy(record, mode),
    ...(req.traceId === undefined ? {} : { traceId: req.traceId }),
    updatedAt: req.now,
    // Each execution's trace stays on its history entry: `traceId` above is only the latest.
    history: withHistory(record, {
      at: req.now,
      event: mode === 'resume' ? 'resumed' : 'restarted',
      owner: req.owner,
      detail,
      ...traceOf(req),
    }),
  };
}

/** Best effort: a lost race on the counter is not worth a retry. */
async function noteDuplicate(
  journal: RunJournal,
  current: Versioned,
  req: ClaimRequest,
  event: 'duplicate' | 'busy',
): Promise<void> {
  const { record } = current;
  try {
    await journal.update(
      {
        ...record,
        duplicates: record.duplicates + 1,
        updatedAt: req.now,
        history: withHistory(record, { at: req.now, event, owner: req.owner }),
      },
      current.version,
    );
  } catch {
    // The answer does not depend on the counter.
  }
}

function traceOf(req: ClaimRequest): { traceId?: string; spanId?: string } {
  return {
    ...(req.traceId === undefined ? {} : { traceId: req.traceId }),
    ...(req.spanId === undefined ? {} : { spanId: req.spanId }),
  };
}
