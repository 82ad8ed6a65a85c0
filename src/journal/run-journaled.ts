import {
  runWorkflow,
  type RunOptions,
  type RunResult,
  type StepCheckpoint,
  type StepRecord,
  type WorkflowDefinition,
} from '../engine/index.js';
import { JournalError, type RunJournal, type Versioned } from './journal.js';
import { standingSteps } from './claim.js';
import { canonicalJson } from './payload-hash.js';
import { RUN_STATUS, withHistory, type RunRecord, type StepEntry, type StoredAnswer } from './record.js';

/** The claim was taken over or the journal kept refusing our writes: someone else owns the run. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  /** Not worth retrying here: the new owner carries on. */
  readonly retryable = false;
}

export interface JournaledRun<S extends object> {
  readonly journal: RunJournal;
  /** What {@link claimRun} returned for this execution. */
  readonly claimed: Versioned;
  /** The execution's lease owner, as claimed. */
  readonly owner: string;
  readonly workflow: WorkflowDefinition<S>;
  /** The run's input, before any step output: journaled outputs are merged over it. */
  readonly initialState: S;
  readonly options: Omit<RunOptions, 'runId' | 'completedSteps' | 'checkpoint' | 'info' | 'failedStep'>;
  /** The answer to give now and to replay to duplicates. */
  readonly answer: (result: RunResult<S>) => StoredAnswer;
  readonly now?: () => number;
}

export interface JournaledOutcome<S> {
  readonly result: RunResult<S>;
  readonly answer: StoredAnswer;
  /** False when the final record could not be written (lease lost, store down). */
  readonly saved: boolean;
  /** Why the final write failed, when it was not a lost lease. */
  readonly saveError?: unknown;
}

/**
 * Runs a claimed run: the steps the journal says are done are not run again (their outputs are
 * merged into the state), each step's outcome and output is persisted before the next one
 * starts, and the result, answer and release of the lease are written at the end. Every write
 * checks that this execution still owns the run.
 */
export async function runJournaled<S extends object>(run: JournaledRun<S>): Promise<JournaledOutcome<S>> {
  const now = run.now ?? Date.now;
  const { record } = run.claimed;
  const standing = standingSteps(record.steps);
  // Cut off while undoing a failure (its final record lost): finish the undo, never go forward on what it undid.
  const failedStep = record.status === RUN_STATUS.running ? record.steps[standing.length] : undefined;
  const undoing = failedStep?.outcome === 'failed' && failedStep.error !== undefined;
  const completed = undoing ? standing : withoutStaleReads(standing, run.workflow);
  const state: S = Object.assign({}, run.initialState, ...completed.map((step) => step.output));

  const writer = new RecordWriter(run.journal, run.claimed, run.owner);
  const checkpoints = new Checkpoints(writer, run.workflow, now, run.options.deadline - FINAL_WRITE_RESERVE_MS);
  const result = await runWorkflow(run.workflow, state, {
    ...run.options,
    runId: record.runId,
    // A journaled step is the engine's step record (its output included), and when it ended.
    completedSteps: completed,
    ...(undoing ? { failedStep } : {}),
    checkpoint: (e) => checkpoints.add(e),
    // What the run knows of its own past, for every attempt (`ctx.run`), not in the business state.
    info: {
      startedAt: record.startedAt,
      recovering: record.executions > 1,
      ...(record.abandonedAt === undefined ? {} : { abandonedAt: record.abandonedAt }),
      ...earlierExecutionsEnded(record),
    },
  });
  const answer = run.answer(result);
  // The final record carries every step: it waits only for the checkpoint still in flight, and not
  // past the deadline (a slow journal must not make the answer late: the run stays `running`, and a
  // redelivery after its lease resumes it and reconciles).
  const settled = await checkpoints.settled(run.options.deadline - now() - FINAL_WRITE_RESERVE_MS);
  if (settled === 'lost') return { result, answer, saved: false };
  if (settled === 'late') {
    return {
      result,
      answer,
      saved: false,
      saveError: new JournalError('a checkpoint was still being written at the deadline'),
    };
  }

  const undone = new Map(result.compensations.map((c) => [c.step, c]));
  const at = now();
  try {
    await writer.commit((r) => {
      const { lease: _lease, ...rest } = r;
      const finished: RunRecord = {
        ...rest,
        status: result.status === 'succeeded' ? RUN_STATUS.succeeded : RUN_STATUS.failed,
        steps: result.steps.map((s) => {
          const finishedAt = checkpoints.finishedAt(s.name) ?? r.steps.find((x) => x.name === s.name)?.finishedAt ?? at;
          const entry: StepEntry = { ...s, finishedAt };
          const undo = undone.get(s.name);
          if (undo === undefined) return entry;
          return {
            ...entry,
            compensated: undo.outcome,
            undo: {
              attempts: undo.attempts,
              durationMs: undo.durationMs,
              ...(undo.error ? { error: undo.error } : {}),
              ...(undo.effect ? { effect: undo.effect } : {}),
              ...(undo.reason ? { reason: undo.reason } : {}),
            },
          };
        }),
        compensation: result.compensation,
        ...(result.failedStep === undefined ? {} : { failedStep: result.failedStep }),
        ...(result.error === undefined ? {} : { error: { ...result.error } }),
        answer,
        ...abandonedIn(r, result.steps, run.workflow),
        updatedAt: at,
        finishedAt: at,
        history: withHistory(r, {
          at,
          event: result.status,
          owner: run.owner,
          ...(result.error ? { detail: `${result.failedStep ?? ''}: ${result.error.type}` } : {}),
        }),
      };
      return finished;
    });
    return { result, answer, saved: true };
  } catch (error) {
    // The work is done and its outcome is in the answer: a failed final write must not hide it.
    // The record stays `running` with every step journaled; after the lease, a redelivery finishes it.
    return { result, answer, saved: false, ...(error instanceof LeaseLostError ? {} : { saveError: error }) };
  }
}

/**
 * Step checkpoints, written in the background one at a time: the next step's B2C call does not
 * wait for the previous step's write (a crash before it lands loses at most that step's entry,
 * and every write step finds its own earlier effect by reconciliation on the next delivery:
 * docs/exactly-once.md, "Which write protects against which crash"). Entries that arrive while a
 * write is in flight go out together in the next one. Nothing is written on its own once no later
 * step will run (the engine's `last`): that entry, and any still waiting, go with the final record,
 * which follows at once. A look-up's or a skipped step's entry is never written on its own either:
 * it goes with the next write step's, or the final record. A failed step's entry is awaited, before
 * any undo runs. A write that failed stops the run at the next checkpoint.
 */
class Checkpoints<S> {
  readonly #pending: StepEntry[] = [];
  readonly #reads: ReadonlySet<string>;
  /** No later step runs: what is pending waits for the final record. */
  #closing = false;
  #inFlight: Promise<void> | undefined;
  #failure: { error: unknown } | undefined;

  constructor(
    readonly writer: RecordWriter,
    readonly workflow: WorkflowDefinition<S>,
    readonly now: () => number,
    /** The last moment a failed step's entry may be waited for (the answer must not be late). */
    readonly waitUntil: number,
  ) {
    this.#reads = new Set(workflow.steps.filter((s) => s.reads === true).map((s) => s.name));
  }

  /** The engine's checkpoint: queues the entry; throws the failure of an earlier write. */
  async add(e: StepCheckpoint): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure.error;
    this.#pending.push({ ...e.record, finishedAt: this.now() });
    if (e.record.outcome === 'failed') {
      // Written before the compensations run, last step or not: a run cut off while undoing is
      // taken over as such, and never goes forward on what its undo deleted.
      while (this.#inFlight !== undefined) {
        if ((await this.settled(this.waitUntil - this.now())) === 'late') {
          // No undo without the entry: the run stops as it stands, and a redelivery after its lease resumes it.
          throw new JournalError("a failed step's checkpoint was still being written at the deadline");
        }
      }
      this.#inFlight = this.#drain();
      if ((await this.settled(this.waitUntil - this.now())) === 'late') {
        throw new JournalError("a failed step's checkpoint was still being written at the deadline");
      }
      // (Set by the drain meanwhile: TypeScript's narrowing above does not know.)
      const failure = this.#failure as { error: unknown } | undefined;
      if (failure !== undefined) throw failure.error;
      return;
    }
    if (e.last) this.#closing = true;
    if (this.#inFlight === undefined && this.#due()) this.#inFlight = this.#drain();
  }

  /** When the step that ended at `name` was journaled as finished, if its entry waits for the final record. */
  finishedAt(name: string): number | undefined {
    return this.#pending.find((p) => p.name === name)?.finishedAt;
  }

  /**
   * Whether the pending entries are worth a write of their own: a failed step's, or a write step's
   * while a later step will still run. A look-up or a skipped step at the end of the journaled steps
   * is read again on a resume (`withoutStaleReads`), so on its own its entry would buy nothing.
   */
  #due(): boolean {
    return this.#pending.some(
      (p) => p.outcome === 'failed' || (!this.#closing && p.outcome === 'succeeded' && !this.#reads.has(p.name)),
    );
  }

  async #drain(): Promise<void> {
    try {
      while (this.#due() && this.#failure === undefined) {
        const entries = this.#pending.splice(0);
        await this.writer.commit((r) => ({
          ...r,
          steps: entries.reduce((steps, entry) => upsert(steps, entry, this.workflow), r.steps),
          updatedAt: this.now(),
        }));
      }
    } catch (error) {
      this.#failure = { error };
    } finally {
      this.#inFlight = undefined;
    }
  }

  /**
   * Waits for the write in flight, at most `waitMs`: `lost` when the run was lost to another
   * execution meanwhile, `late` when the write is still going.
   */
  async settled(waitMs: number): Promise<'ok' | 'lost' | 'late'> {
    if (this.#inFlight !== undefined) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), Math.max(0, waitMs));
      });
      const outcome = await Promise.race([this.#inFlight.then(() => 'done' as const), late]);
      clearTimeout(timer);
      if (outcome === 'late') return 'late';
    }
    return this.#failure?.error instanceof LeaseLostError ? 'lost' : 'ok';
  }
}

/** Time kept for the final record after the last checkpoint, before the deadline. */
const FINAL_WRITE_RESERVE_MS = 1_000;

/** Conditional writes by the lease owner; a concurrent counter bump is merged, a new owner is not. */
class RecordWriter {
  #latest: Versioned;

  constructor(
    readonly journal: RunJournal,
    claimed: Versioned,
    readonly owner: string,
  ) {
    this.#latest = claimed;
  }

  /**
   * Writes `mutate(latest)` conditionally. A write whose outcome is unknown (the store failed or
   * timed out after it may have applied it) is read back, like a B2C write: found as written, it
   * is done; not applied, it is sent again (once). A refusal (412) of our own write, re-sent by the
   * SDK after its first copy was applied, is recognised by reading back too.
   */
  async commit(mutate: (record: RunRecord) => RunRecord): Promise<Versioned> {
    let storeErrors = 0;
    for (let round = 0; round < 8; round++) {
      const { record, version } = this.#latest;
      if (record.status !== RUN_STATUS.running || record.lease?.owner !== this.owner) {
        throw new LeaseLostError(
          `run ${record.runId} is now ${record.status}${record.lease ? ` under ${record.lease.owner}` : ''}`,
        );
      }
      const next = mutate(record);
      let updated: Versioned | undefined;
      try {
        updated = await this.journal.update(next, version);
      } catch (error) {
        if (++storeErrors > 1) throw error;
      }
      if (updated !== undefined) {
        this.#latest = updated;
        return updated;
      }
      const fresh = await this.journal.get(record.key);
      if (fresh === undefined) throw new LeaseLostError(`run ${record.runId} vanished from the journal`);
      if (sameRecord(fresh.record, next)) {
        // Ours: applied although the answer said otherwise.
        this.#latest = fresh;
        return fresh;
      }
      this.#latest = fresh;
    }
    throw new LeaseLostError(`run ${this.#latest.record.runId}: the journal kept changing under us`);
  }
}

/** The stored document is the one we wrote (as JSON keeps it: undefined fields dropped). */
function sameRecord(stored: RunRecord, written: RunRecord): boolean {
  return canonicalJson(stored) === canonicalJson(JSON.parse(JSON.stringify(written)));
}

/** Keeps one entry per step, in workflow order. */
function upsert<S>(steps: readonly StepEntry[], entry: StepEntry, workflow: WorkflowDefinition<S>): StepEntry[] {
  const byName = new Map(steps.map((s) => [s.name, s]));
  byName.set(entry.name, entry);
  const order = workflow.steps.map((s) => s.name);
  return [...byName.values()].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

/**
 * A look-up at the end of the finished steps is read again: what it saw (e.g. "no contact has
 * this number") may have changed since, and the steps that acted on it have not run yet.
 */
function withoutStaleReads<S>(steps: StepEntry[], workflow: WorkflowDefinition<S>): StepEntry[] {
  const reads = new Set(workflow.steps.filter((s) => s.reads === true).map((s) => s.name));
  let end = steps.length;
  for (let last = steps[end - 1]; last && (reads.has(last.name) || last.outcome === 'skipped'); last = steps[end - 1])
    end--;
  // Keep skipped steps only when something after them stands.
  return steps.slice(0, end);
}

/**
 * When this execution restarts a failed run: the moment the previous execution wrote its final
 * record (executions never overlap, so every earlier one had ended by then too). A resumed run was
 * cut off: its `abandonedAt` (its lease's end) says when, and nothing is given here.
 */
function earlierExecutionsEnded(record: RunRecord): { earlierExecutionsEndedAt?: number } {
  const starts = new Set(['claimed', 'resumed', 'restarted']);
  const last = record.history.findLastIndex((h) => starts.has(h.event));
  if (last < 0 || record.history[last]?.event !== 'restarted') return {};
  for (let i = last - 1; i >= 0; i--) {
    const entry = record.history[i];
    if (entry === undefined || starts.has(entry.event)) return {};
    if (entry.event === 'failed') return { earlierExecutionsEndedAt: entry.at };
  }
  return {};
}

/** The latest moment this execution abandoned a write in flight, kept on the record for the next execution. */
function abandonedIn<S>(
  record: RunRecord,
  steps: readonly StepRecord[],
  workflow: WorkflowDefinition<S>,
): { abandonedAt?: number } {
  const reads = new Set(workflow.steps.filter((s) => s.reads === true).map((s) => s.name));
  const times = steps
    .filter((s) => !reads.has(s.name))
    .flatMap((s) => s.attempts)
    .filter((a) => a.outcome === 'failed' && a.error?.inDoubt === 'in-flight')
    .map((a) => a.startedAt + a.durationMs);
  if (record.abandonedAt !== undefined) times.push(record.abandonedAt);
  return times.length === 0 ? {} : { abandonedAt: Math.max(...times) };
}
