/**
 * The step machine's public contract: how a workflow is declared, what a run returns,
 * and the hooks through which telemetry observes a run without living in it.
 *
 * The engine knows nothing of SMS or B2C Service: a workflow is a list of named steps
 * over a state object; each step returns a patch that is merged into that state.
 */

/** Retry policy of one step (or of its compensation). All durations in milliseconds. */
export interface RetryPolicy {
  /** Upper bound of the first back-off (before FULL jitter). @default 200 */
  readonly initialDelayMs: number;
  /** Growth of the back-off bound per failed attempt; ≥ 1. @default 2 */
  readonly multiplier: number;
  /** Cap on the back-off bound. @default 5000 */
  readonly maxDelayMs: number;
  /** Attempts in all, the first included; 1 disables retries. @default 3 */
  readonly maxAttempts: number;
}

/** What a step's run or compensation receives for one attempt. */
export interface AttemptContext {
  /** Aborted when the attempt times out or the run's deadline is reached. Pass it to every I/O call. */
  readonly signal: AbortSignal;
  /** 1-based attempt number. */
  readonly attempt: number;
  /** Epoch ms by which this attempt must be over (the smaller of its timeout and the run's budget). */
  readonly attemptDeadline: number;
  /** The run's id, for correlation. */
  readonly runId: string;
  /** The step's name. */
  readonly step: string;
  /**
   * Every earlier attempt of this step in this execution, oldest first: an outcome that one of
   * them left unknown stays unknown until the step has read what happened, however later
   * attempts failed.
   */
  readonly earlierAttempts: readonly EarlierAttempt[];
  /** What the run knows of its own history (as Temporal's `Context.current().info`): the same for every attempt of an execution. */
  readonly run: RunInfo;
}

/**
 * The run's recovery facts, given to every attempt through its context (never through the
 * business state): when the run began, and whether an earlier execution may have left writes behind.
 */
export interface RunInfo {
  /** Epoch ms the run's first execution started: anything the run created is at least this recent. */
  readonly startedAt: number;
  /** Epoch ms this execution started. */
  readonly executionStartedAt: number;
  /** An earlier execution of this run may have sent writes whose outcome is unknown (crash, take-over, restart). */
  readonly recovering: boolean;
  /** Epoch ms an earlier execution last abandoned a write in flight (a timeout, or a crash: its lease's end). */
  readonly abandonedAt?: number;
  /**
   * Epoch ms by which every earlier execution had ended (a failed run's final record), when known:
   * their writes that were answered had landed by then. Unknown: this execution's start bounds them.
   */
  readonly earlierExecutionsEndedAt?: number;
}

/**
 * Whether a failed operation may have taken effect (see `inDoubtOf`): `false` it did not;
 * `'settled'` it may have, and the other side is done with it; `'in-flight'` it may have, or may
 * still: we (or a gateway) stopped waiting for it.
 */
export type InDoubt = false | 'settled' | 'in-flight';

/** An earlier, failed attempt of the same step, as a later attempt sees it. */
export interface EarlierAttempt {
  readonly attempt: number;
  /** Epoch ms. */
  readonly startedAt: number;
  /** Epoch ms the attempt ended (for a timeout: when it was abandoned). */
  readonly endedAt: number;
  readonly error: unknown;
  /** Whether it may have taken effect, as the engine read it from the error. */
  readonly inDoubt: InDoubt;
}

/** One step of a workflow over state `S`. */
export interface StepDefinition<S> {
  /** Low-cardinality, kebab-case name: shows up in results, spans, metrics and logs. */
  readonly name: string;
  /**
   * Skips the step when this returns false: it is recorded as `skipped`. A pure function of the state: the
   * engine may call it more than once (to tell a checkpoint whether any later step runs). @default always runs
   */
  readonly when?: (state: Readonly<S>) => boolean;
  /** Does the work; the returned patch is merged into the state. Throw to fail the attempt. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a step that changes no state returns nothing (`async () => {}`)
  readonly run: (state: Readonly<S>, ctx: AttemptContext) => Promise<Partial<S> | void>;
  /**
   * A look-up: its output is a fact about the outside world at one moment. When a later execution
   * of the run (resume, restart) finds it at the end of the finished steps, it reads again rather
   * than trust an answer that may have gone stale. @default false
   */
  readonly reads?: boolean;
  /**
   * Undoes the step after a later step failed for good. Receives the state as it was when the run
   * failed. Resolves to what it did, when that is not simply "undone" (kept on purpose, already gone).
   */
  readonly compensate?: (state: Readonly<S>, ctx: AttemptContext) => Promise<void> | Promise<UndoEffect>;
  /** @default DEFAULT_RETRY_POLICY */
  readonly retry?: RetryPolicy;
  /** Per-attempt timeout in ms (clamped to the run's remaining budget). @default 10000 */
  readonly timeoutMs?: number;
  /** Retry policy of the compensation. @default the step's `retry` */
  readonly compensationRetry?: RetryPolicy;
}

/** A named, ordered list of steps. */
export interface WorkflowDefinition<S> {
  readonly name: string;
  readonly steps: readonly StepDefinition<S>[];
}

/** Errors as recorded in results: plain data, safe to log and serialise. */
export interface ErrorInfo {
  /** Class name or code, low-cardinality (e.g. `B2cHttpError`, `AttemptTimeoutError`). */
  readonly type: string;
  readonly message: string;
  readonly retryable: boolean;
  /** Present when the error declared that the failed operation may have taken effect (see {@link InDoubt}); the journal reads `'in-flight'` back. */
  readonly inDoubt?: Exclude<InDoubt, false>;
}

export interface AttemptRecord {
  readonly attempt: number;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly outcome: 'succeeded' | 'failed';
  readonly error?: ErrorInfo;
  /** Back-off slept before the next attempt, when there was one. */
  readonly backoffMs?: number;
}

export type StepOutcome = 'succeeded' | 'failed' | 'skipped' | 'not-run';

export interface StepRecord {
  readonly name: string;
  readonly outcome: StepOutcome;
  readonly attempts: readonly AttemptRecord[];
  /** Wall time from the first attempt's start to the step's end, back-offs included. */
  readonly durationMs: number;
  /** The last error, for a failed step. */
  readonly error?: ErrorInfo;
  /** The patch a succeeded step returned (merged into the state), e.g. `{ incidentId }`. */
  readonly output?: Readonly<Record<string, unknown>>;
}

/**
 * What a compensation did with what its step had made: `deleted` it; `kept` it on purpose (`reason`
 * says why: someone else may rely on it); found it `already-gone`.
 */
export interface UndoEffect {
  readonly effect: 'deleted' | 'kept' | 'already-gone';
  readonly reason?: string;
}

export interface CompensationRecord {
  /** The step being undone. */
  readonly step: string;
  readonly outcome: 'succeeded' | 'failed';
  readonly attempts: readonly AttemptRecord[];
  readonly durationMs: number;
  readonly error?: ErrorInfo;
  /** What a succeeded compensation did, when it said (see {@link UndoEffect}). */
  readonly effect?: UndoEffect['effect'];
  readonly reason?: string;
}

/**
 * `none`: nothing needed undoing; `completed`: every compensation succeeded;
 * `failed`: at least one compensation failed for good and needs a human.
 */
export type CompensationStatus = 'none' | 'completed' | 'failed';

export interface RunResult<S> {
  readonly runId: string;
  readonly workflow: string;
  readonly status: 'succeeded' | 'failed';
  /** The state after the last successful step. */
  readonly state: S;
  /** One record per declared step, in declaration order. */
  readonly steps: readonly StepRecord[];
  /** In the order they ran (reverse step order). Empty when the run succeeded. */
  readonly compensations: readonly CompensationRecord[];
  readonly compensation: CompensationStatus;
  /** The step that failed for good, for a failed run. */
  readonly failedStep?: string;
  /** Its last error. */
  readonly error?: ErrorInfo;
  readonly startedAt: number;
  readonly durationMs: number;
}

/** Time and randomness, injectable for deterministic tests. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Lifecycle hooks. Each is optional, called synchronously, and a hook that throws is
 * ignored: observing a run can never change its outcome.
 */
export interface RunHooks {
  onRunStart?(e: { runId: string; workflow: string; deadline: number }): void;
  onRunEnd?(e: { result: RunResult<unknown> }): void;
  onStepStart?(e: { runId: string; step: string }): void;
  onStepEnd?(e: { runId: string; record: StepRecord }): void;
  onAttemptStart?(e: { runId: string; step: string; attempt: number; timeoutMs: number; compensation: boolean }): void;
  onAttemptEnd?(e: {
    runId: string;
    step: string;
    record: AttemptRecord;
    compensation: boolean;
    willRetry: boolean;
  }): void;
  onCompensationStart?(e: { runId: string; step: string }): void;
  onCompensationEnd?(e: { runId: string; record: CompensationRecord }): void;
  /**
   * Runs around each attempt (forward or compensation), e.g. to make a tracing span the active
   * context for the attempt's I/O. Must call `run` once and return its promise. The engine keeps
   * the outcome of `run` whatever the wrapper does: a throw, a rejection, a second call or no
   * call at all (then the engine calls `run` itself) cannot change it.
   */
  wrapAttempt?<T>(
    e: { runId: string; step: string; attempt: number; compensation: boolean },
    run: () => Promise<T>,
  ): Promise<T>;
}

export interface RunOptions {
  /** Run id; a random UUID when absent. */
  readonly runId?: string;
  /** Epoch ms at which the caller stops waiting (e.g. from `Fn-Deadline`). */
  readonly deadline: number;
  /**
   * Kept free at the end of the budget to write the answer. No attempt, forward or compensation,
   * may run past `deadline - finalMarginMs`. @default 500
   */
  readonly finalMarginMs?: number;
  /**
   * Reserved for compensations: forward steps stop at `deadline - finalMarginMs - compensationReserveMs`.
   * @default 3000
   */
  readonly compensationReserveMs?: number;
  /** Attempts shorter than this are not started: they could not do useful work. @default 100 */
  readonly minAttemptMs?: number;
  readonly clock?: Clock;
  /** Uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
  readonly hooks?: RunHooks;
  /**
   * Records of the leading steps that an earlier execution of this run already finished
   * (succeeded or skipped), in declaration order. They are kept in the result as they are and not
   * run again; their outputs must already be in the initial state.
   */
  readonly completedSteps?: readonly StepRecord[];
  /**
   * Awaited after each forward step ends, before the next one starts, so the caller can persist
   * progress. If it rejects, the run stops at once, without compensating: the caller no longer
   * owns the run, and whoever does resumes it from what was persisted.
   */
  readonly checkpoint?: (e: StepCheckpoint) => Promise<void>;
  /**
   * The run's recovery facts for {@link AttemptContext.run}, from whoever keeps its history (the
   * journal). @default a first execution: started now, not recovering
   */
  readonly info?: Partial<Pick<RunInfo, 'startedAt' | 'recovering' | 'abandonedAt' | 'earlierExecutionsEndedAt'>>;
  /**
   * The step an earlier execution failed for good, when it was cut off while compensating: no
   * forward step runs; the compensations are run again (they must be idempotent) and the run
   * fails with this step's error. It follows `completedSteps`.
   */
  readonly failedStep?: StepRecord;
}

/** A forward step's end, as given to {@link RunOptions.checkpoint}; its record carries its output. */
export interface StepCheckpoint {
  readonly runId: string;
  readonly record: StepRecord;
  /**
   * No later step will run: the step succeeded or was skipped, and every later step's `when` is false
   * on the state now. Exact, since a skipped step does not change the state (a `when` that throws
   * counts as running: it fails its step). Lets the caller send this entry with the run's result
   * rather than on its own.
   */
  readonly last: boolean;
}
