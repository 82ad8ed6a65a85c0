/**
 * The sweep: finishes the runs nobody will redeliver (Twilio retries nothing; a run cut off by a
 * crash waits for a delivery that may never come), through the service's own `accept`, exactly as a
 * delivery would: the same claim and lease, the same workflow and reconciliation, the same answer
 * journaled. Which runs are due, and when a run is given up, is `src/journal/sweep-plan.ts`.
 *
 * Safe with two sweepers at once (two timers, two scheduled invocations): each run is claimed in
 * the journal before anything is sent (create-only / compare-and-set), the loser sees the winner's
 * lease and passes; a give-up is one compare-and-set, so it pages once.
 */
import { randomUUID } from 'node:crypto';
import { InboundSmsSchema } from '../inbound/index.js';
import { listingOf, type RunJournal, type RunRecord } from '../journal/index.js';
import {
  GAVE_UP,
  SWEEP_CALLER,
  givenUp,
  planSweep,
  sweepDecision,
  sweepMode,
  type SweepPolicy,
} from '../journal/sweep-plan.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { SmsService } from './sms-service.js';

export interface SweepOptions {
  readonly policy: SweepPolicy;
  /** Runs one sweep runs at most, the longest-due first. */
  readonly maxRuns: number;
  /**
   * Runs under way at once, once a run of this pass has completed. Until then one at a time: a
   * site still down costs one run at a time, and {@link SITE_DOWN_AFTER} failures in a row end the pass.
   */
  readonly concurrency: number;
  /** Each run's budget: its deadline, as a delivery's `Fn-Deadline`. */
  readonly runBudgetMs: number;
  /** Epoch ms by which the sweep must have answered: no run is started that could not end by then. */
  readonly deadline: number;
  /** Say what would be done, change nothing. */
  readonly dryRun?: boolean;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default JSON lines on stdout */
  readonly log?: Logger;
}

/**
 * What a sweep did with one run. `completed`: it has its incident now; `failed`: it failed again
 * (retried at a later sweep); `busy`: another execution held it; `done`: finished meanwhile by
 * someone else; `gave_up`: past the cap, recorded and paged; `skipped`: its payload is unreadable;
 * `due`: what a dry run would run.
 */
export type SweepOutcome = 'completed' | 'failed' | 'busy' | 'done' | 'gave_up' | 'skipped' | 'due';

export interface SweptRun {
  readonly runId: string;
  readonly key: string;
  readonly provider: string;
  readonly mode: 'restart' | 'resume' | 'give-up';
  readonly outcome: SweepOutcome;
  readonly detail?: string;
}

export interface SweepReport {
  /** Runs read in the window. */
  readonly considered: number;
  /** What was done, in the order the runs ended. */
  readonly runs: readonly SweptRun[];
  /** Unfinished runs whose back-off (or late-write window) has not passed. */
  readonly waiting: number;
  /** Due runs left for the next sweep (`maxRuns`, the deadline, or the site still down). */
  readonly deferred: number;
  /** The pass stopped taking runs: {@link SITE_DOWN_AFTER} failed in a row, none completed since. */
  readonly siteDown: boolean;
  /** Runs already given up (paged), left to a person. */
  readonly givenUp: number;
  /** Records in the window the listing could not read. */
  readonly unreadable: number;
}

/** A run past the cap is still seen by a sweep this long after the cap (a sweeper that was down for a while). */
const LOOK_BACK_SLACK_MS = 24 * 3_600_000;

/**
 * Runs failed again in a row, none completed in between, after which a pass takes no more: the site
 * is down (an outage fails every run alike), and the rest wait for the next pass rather than
 * failing one by one, each costing its retries and a longer back-off.
 */
export const SITE_DOWN_AFTER = 3;

/**
 * A pass whose runs took at least this long reads the journal again while its time lasts: the runs
 * that became due meanwhile (a run failed at the end of an outage, due once the site answers) are
 * taken in the same invocation rather than a schedule period later. Shorter batches leave them to
 * the next pass: each new batch costs a listing of the journal's window.
 */
export const REPLAN_AFTER_MS = 20_000;

export async function sweepRuns(journal: RunJournal, service: SmsService, options: SweepOptions): Promise<SweepReport> {
  const now = options.now ?? Date.now;
  const log = options.log ?? createLogger();
  const { policy } = options;
  const runs: SweptRun[] = [];
  let taken = 0;
  let siteUp = false;
  let failedInARow = 0;
  const siteDown = (): boolean => failedInARow >= SITE_DOWN_AFTER;
  const hasTime = (): boolean => taken < options.maxRuns && now() + options.runBudgetMs <= options.deadline;

  /** One batch: the runs a listing shows due, `concurrency` at a time once one has completed. */
  const batch = async (): Promise<{
    considered: number;
    unreadable: number;
    waiting: number;
    deferred: number;
    givenUp: number;
    took: number;
  }> => {
    const since = now() - policy.giveUpAfterMs - LOOK_BACK_SLACK_MS;
    const listing =
      journal.listSince === undefined ? listingOf(await journal.list(), since) : await journal.listSince(since);
    const plan = planSweep(listing.records, now(), policy);
    const queue = [...plan.due];
    // Due only once the site answers: all of them when it has (this pass), else one, to find out, when nothing else is due.
    const onceUp = [...plan.dueOnceUp];
    let waiting = plan.waiting;
    let deferred = 0;
    let took = 0;
    let failure: { error: unknown } | undefined;
    const inFlight = new Set<Promise<void>>();

    const ended = (swept: SweptRun | undefined): void => {
      if (swept === undefined) return;
      runs.push(swept);
      if (swept.outcome === 'failed') failedInARow++;
      if (swept.outcome !== 'completed') return;
      failedInARow = 0;
      siteUp = true;
    };
    const next = (): { record: RunRecord; waived: boolean } | undefined => {
      if (siteUp && onceUp.length > 0) {
        // The site answers again: a back-off grown while it did not is waived (each run's own re-read decides).
        waiting -= onceUp.length;
        queue.push(...onceUp.splice(0));
      }
      const record = queue.shift();
      if (record !== undefined) return { record, waived: siteUp };
      const probe = siteUp || inFlight.size > 0 ? undefined : onceUp.shift();
      if (probe === undefined) return undefined;
      waiting--;
      return { record: probe, waived: true };
    };

    for (;;) {
      while (failure === undefined && !siteDown() && inFlight.size < (siteUp ? options.concurrency : 1)) {
        if (!hasTime()) {
          deferred += queue.length;
          queue.length = 0;
          break;
        }
        const picked = next();
        if (picked === undefined) break;
        taken++;
        took++;
        const run: Promise<void> = sweepOne(journal, service, picked.record.key, picked.waived, options, now, log)
          .then(ended, (error: unknown) => {
            failure ??= { error };
          })
          .finally(() => inFlight.delete(run));
        inFlight.add(run);
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight);
    }
    // A journal that failed mid-pass: the pass answers that (the runs under way have ended).
    if (failure !== undefined) throw failure.error;
    deferred += queue.length;
    return {
      considered: listing.records.length,
      unreadable: listing.unreadable.length,
      waiting,
      deferred,
      givenUp: plan.givenUp,
      took,
    };
  };

  let batchStarted = now();
  const first = await batch();
  let last = first;
  // Again while the site answers, the last batch took runs and long enough for others to fall due, and time is left.
  while (siteUp && !siteDown() && last.took > 0 && hasTime() && now() - batchStarted >= REPLAN_AFTER_MS) {
    batchStarted = now();
    last = await batch();
  }
  return {
    considered: first.considered,
    runs,
    waiting: last.waiting,
    deferred: last.deferred,
    siteDown: siteDown(),
    givenUp: last.givenUp,
    unreadable: first.unreadable,
  };
}

/** Reads the run again (another sweeper or a delivery may have moved it) and does what is due now. */
async function sweepOne(
  journal: RunJournal,
  service: SmsService,
  key: string,
  waiveBackoff: boolean,
  options: SweepOptions,
  now: () => number,
  log: Logger,
): Promise<SweptRun | undefined> {
  const current = await journal.get(key);
  if (current === undefined) return undefined;
  const { record } = current;
  const decided = sweepDecision(record, now(), options.policy);
  // Waiting only for a back-off grown while the site was down, and the site answers again (or this run finds out): due.
  const decision =
    decided.kind === 'wait' && waiveBackoff && decided.dueOnceUp <= now()
      ? { kind: 'due' as const, mode: sweepMode(record), dueAt: decided.dueOnceUp }
      : decided;
  const base = { runId: record.runId, key: record.key, provider: record.provider };
  const runLog = log.child({ runId: record.runId, provider: record.provider, messageId: record.messageId });

  if (decision.kind === 'give-up') {
    if (options.dryRun) return { ...base, mode: 'give-up', outcome: 'due', detail: GAVE_UP };
    const owner = `${SWEEP_CALLER}/${randomUUID()}`;
    const updated = await journal.update(givenUp(record, now(), owner, options.policy), current.version);
    // Lost to another writer: that one gave up (and paged), or a delivery took the run.
    if (updated === undefined)
      return { ...base, mode: 'give-up', outcome: 'busy', detail: 'the run changed meanwhile' };
    runLog.error('run given up: unfinished at the sweep cap', {
      metric: 'IncidentCreationFailed',
      giveUpAfterMs: options.policy.giveUpAfterMs,
      error: record.error?.type,
      next: `sms-incident runs show ${record.runId}`,
    });
    return { ...base, mode: 'give-up', outcome: 'gave_up', detail: updated.record.history.at(-1)?.detail ?? GAVE_UP };
  }
  if (decision.kind === 'busy') return { ...base, mode: 'resume', outcome: 'busy' };
  if (decision.kind !== 'due')
    return decision.kind === 'final' ? { ...base, mode: 'restart', outcome: 'done' } : undefined;

  const sms = InboundSmsSchema.safeParse(record.payload);
  if (!sms.success)
    return {
      ...base,
      mode: decision.mode,
      outcome: 'skipped',
      detail: `stored payload is not an SMS: ${sms.error.issues[0]?.message ?? 'invalid'}`,
    };
  if (options.dryRun)
    return {
      ...base,
      mode: decision.mode,
      outcome: 'due',
      detail: record.error?.type ?? (decision.mode === 'resume' ? 'cut off' : record.status),
    };

  const answer = await service.accept(sms.data, {
    deadline: Math.min(now() + options.runBudgetMs, options.deadline),
    caller: SWEEP_CALLER,
    log: runLog,
  });
  const said = answer.outcome ?? (answer.status === 200 ? 'created' : 'run_failed');
  const outcome: SweepOutcome =
    said === 'created' ? 'completed' : said === 'replayed' ? 'done' : said === 'in_progress' ? 'busy' : 'failed';
  const error = (answer.body.error as { type?: unknown } | undefined)?.type;
  runLog.info('run swept', {
    mode: decision.mode,
    outcome,
    status: answer.status,
    ...(typeof error === 'string' ? { error } : {}),
  });
  return { ...base, mode: decision.mode, outcome, ...(typeof error === 'string' ? { detail: error } : {}) };
}
