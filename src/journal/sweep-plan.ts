/**
 * Which runs a sweep finishes, and when: pure, so two sweepers reading the same journal decide the
 * same, and the claim (create-only / compare-and-set) settles which of them runs it.
 *
 * - A run that failed retryably, or was marked for a redrive (`queued`), or was cut off (`running`
 *   with an expired lease) is due once its back-off has passed: the initial wait doubled per
 *   execution, capped, counted from when its last execution ended.
 * - Never before the late-write window has passed since a write was abandoned (`abandonedAt`, or the
 *   end of a cut-off execution's lease): a write in flight may still land, and reading then proves nothing.
 * - A run still unfinished this long after it started is given up once: recorded, and paged.
 * - The back-off spares a site that does not answer. Once a run of a pass has completed (the site
 *   answers again), a run whose back-off grew during the outage waits only the initial one: it is
 *   `dueOnceUp`. The late-write window and leases still hold.
 */
import { isRetryableFailure } from './claim.js';
import { RUN_STATUS, withHistory, type HistoryEntry, type RunRecord } from './record.js';

export interface SweepPolicy {
  readonly giveUpAfterMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly lateWriteWindowMs: number;
}

export type SweepDecision =
  /** Nothing a sweep may do: succeeded, failed for good, or a compensation failed (a person cleans up first). */
  | { readonly kind: 'final' }
  /** Another execution holds a live lease. */
  | { readonly kind: 'busy'; readonly until: number }
  /**
   * Due later: its back-off, or the late-write window, has not passed. `dueOnceUp`: when it is due
   * if the site answers again (the initial back-off from its last execution, the window still held).
   */
  | { readonly kind: 'wait'; readonly dueAt: number; readonly dueOnceUp: number }
  /** Run it now through the service's `accept`: `restart` a failed or queued run, `resume` a cut-off one. */
  | { readonly kind: 'due'; readonly mode: 'restart' | 'resume'; readonly dueAt: number }
  /** Past the cap: record that the sweep gives up, and page. */
  | { readonly kind: 'give-up' }
  /** Past the cap and already given up (paged once): left to a person. */
  | { readonly kind: 'given-up' };

/** The detail of the history entry a give-up writes: how a later sweep knows it paged already. */
export const GAVE_UP = 'gave up';

/** The lease owner prefix of every sweep execution (`sweep/<uuid>` in the run's history). */
export const SWEEP_CALLER = 'sweep';

export function sweepDecision(record: RunRecord, now: number, policy: SweepPolicy): SweepDecision {
  const cutOff = record.status === RUN_STATUS.running;
  if (cutOff && record.lease !== undefined && record.lease.expiresAt > now)
    return { kind: 'busy', until: record.lease.expiresAt };
  const open = cutOff || record.status === RUN_STATUS.queued || isRetryableFailure(record);
  if (!open) return { kind: 'final' };
  if (now - record.startedAt >= policy.giveUpAfterMs)
    return gaveUp(record.history.at(-1)) ? { kind: 'given-up' } : { kind: 'give-up' };

  // When the last execution ended: a cut-off one at its lease's end at the latest.
  const ended = cutOff ? (record.lease?.expiresAt ?? record.updatedAt) : (record.finishedAt ?? record.updatedAt);
  const backoff = Math.min(policy.backoffMaxMs, policy.backoffInitialMs * 2 ** Math.max(0, record.executions - 1));
  const abandoned = [record.abandonedAt, cutOff ? ended : undefined].filter((t): t is number => t !== undefined);
  const settled = abandoned.length === 0 ? 0 : Math.max(...abandoned) + policy.lateWriteWindowMs;
  const dueAt = Math.max(ended + backoff, settled);
  if (dueAt > now)
    return { kind: 'wait', dueAt, dueOnceUp: Math.min(dueAt, Math.max(ended + policy.backoffInitialMs, settled)) };
  return { kind: 'due', mode: sweepMode(record), dueAt };
}

/** How a sweep runs a run: a cut-off one (`running`, lease expired) is resumed, any other restarted. */
export function sweepMode(record: RunRecord): 'restart' | 'resume' {
  return record.status === RUN_STATUS.running ? 'resume' : 'restart';
}

/** One pass's work, read from the journal's listing at its start. */
export interface SweepPlan {
  /** Due now, the longest-due first; runs to give up before all. */
  readonly due: readonly RunRecord[];
  /** Waiting only for a back-off longer than the initial one: due now if the site answers again, soonest first. */
  readonly dueOnceUp: readonly RunRecord[];
  /** Unfinished runs not due now (`dueOnceUp` included). */
  readonly waiting: number;
  /** Runs already given up (paged), left to a person. */
  readonly givenUp: number;
}

export function planSweep(records: readonly RunRecord[], now: number, policy: SweepPolicy): SweepPlan {
  const due: { record: RunRecord; at: number }[] = [];
  const onceUp: { record: RunRecord; at: number }[] = [];
  let waiting = 0;
  let givenUpBefore = 0;
  for (const record of records) {
    const decision = sweepDecision(record, now, policy);
    if (decision.kind === 'given-up') givenUpBefore++;
    else if (decision.kind === 'give-up') due.push({ record, at: Number.NEGATIVE_INFINITY });
    else if (decision.kind === 'due') due.push({ record, at: decision.dueAt });
    else if (decision.kind === 'wait') {
      waiting++;
      if (decision.dueOnceUp <= now) onceUp.push({ record, at: decision.dueOnceUp });
    }
  }
  const ordered = (list: { record: RunRecord; at: number }[]) => list.sort((a, b) => a.at - b.at).map((d) => d.record);
  return { due: ordered(due), dueOnceUp: ordered(onceUp), waiting, givenUp: givenUpBefore };
}

function gaveUp(last: HistoryEntry | undefined): boolean {
  return (
    last?.event === 'failed' &&
    last.owner?.startsWith(`${SWEEP_CALLER}/`) === true &&
    last.detail?.startsWith(GAVE_UP) === true
  );
}

/**
 * The record a give-up writes: failed (a cut-off run too), its lease dropped, the reason in the
 * history. Still retryable: a late delivery or `runs redrive` may finish it.
 */
export function givenUp(
  record: RunRecord,
  now: number,
  owner: string,
  policy: Pick<SweepPolicy, 'giveUpAfterMs'>,
): RunRecord {
  const { lease: _lease, ...rest } = record;
  const hours = Math.round((policy.giveUpAfterMs / 3_600_000) * 10) / 10;
  const why = record.error?.type ?? (record.status === RUN_STATUS.running ? 'cut off' : record.status);
  return {
    ...rest,
    status: RUN_STATUS.failed,
    error: record.error ?? {
      type: 'SweepGaveUp',
      message: `unfinished ${hours} h after it started (${why})`,
      retryable: true,
    },
    updatedAt: now,
    finishedAt: record.finishedAt ?? now,
    history: withHistory(record, { at: now, event: 'failed', owner, detail: `${GAVE_UP} after ${hours} h: ${why}` }),
  };
}
