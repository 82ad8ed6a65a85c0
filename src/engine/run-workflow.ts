/**
 * Runs a workflow: steps in order, each retried within the run's budget; when one fails
 * for good, the steps that succeeded are compensated in reverse order.
 */
import { randomUUID } from 'node:crypto';
import { toErrorInfo } from './classify.js';
import { systemClock } from './clock.js';
import { DEFAULT_STEP_TIMEOUT_MS, runBudget } from './deadline.js';
import type { RunBudget } from './deadline.js';
import { emitHook } from './emit-hook.js';
import { retryPolicy } from './retry-policy.js';
import { runWithRetries } from './run-with-retries.js';
import type {
  Clock,
  CompensationRecord,
  CompensationStatus,
  ErrorInfo,
  RetryPolicy,
  RunHooks,
  RunOptions,
  RunInfo,
  RunResult,
  StepDefinition,
  StepRecord,
  UndoEffect,
  WorkflowDefinition,
} from './types.js';

/** A step's validated settings. */
interface StepSettings {
  readonly policy: RetryPolicy;
  readonly compensationPolicy: RetryPolicy;
  readonly timeoutMs: number;
}

/** What a run accumulates; kept outside the happy path so a last-resort failure can still report it. */
interface RunProgress<S> {
  state: S;
  failedStep?: string;
  readonly steps: StepRecord[];
  readonly compensations: CompensationRecord[];
}

interface RunEnv<S> {
  readonly workflow: WorkflowDefinition<S>;
  readonly runId: string;
  readonly clock: Clock;
  readonly random: () => number;
  readonly hooks: RunHooks;
  readonly startedAt: number;
  readonly progress: RunProgress<S>;
  readonly info: RunInfo;
}

/**
 * Runs `workflow` from `initialState` within `options.deadline`.
 *
 * - Steps run in order; a step whose `when(state)` is false is recorded `skipped`.
 * - Each attempt gets its own `AbortSignal` and timeout (`min(timeoutMs, budget left)`);
 *   a step that ignores its signal still ends with an `AttemptTimeoutError`.
 * - A success merges the returned patch into the state; a retryable failure is retried
 *   (jittered back-off, `retryAfterMs` as a lower bound) while attempts and budget last;
 *   a terminal failure, exhausted attempts or a spent budget (`DeadlineExceededError`)
 *   fail the step for good.
 * - Then the later steps are `not-run`, and the compensations of the succeeded steps run
 *   in reverse order, each with its own retries, within the compensation budget, on the
 *   state as it was when the run failed. A failed compensation is recorded and the next
 *   ones still run.
 * - Hooks observe every step (skipped ones included: start, then end), attempt and
 *   compensation; a throwing hook is ignored.
 *
 * Never rejects: an invalid configuration or an unexpected internal error yields a failed result.
 *
 * @example
 * ```ts
 * const result = await runWorkflow(
 *   { name: 'sms-to-incident', steps: [lookupContact, createContact, addPhone, createIncident, addThread] },
 *   { sms },
 *   { deadline: Date.now() + 25_000, hooks: telemetryHooks },
 * );
 * if (result.status === 'failed') logger.error('run failed', { step: result.failedStep, error: result.error });
 * ```
 */
export async function runWorkflow<S>(
  workflow: WorkflowDefinition<S>,
  initialState: S,
  options: RunOptions,
): Promise<RunResult<S>> {
  const clock = options.clock ?? systemClock;
  const hooks = options.hooks ?? {};
  const progress: RunProgress<S> = { state: initialState, steps: [], compensations: [] };
  let env: RunEnv<S> | undefined;
  try {
    const startedAt = clock.now();
    env = {
      workflow,
      runId: options.runId ?? randomUUID(),
      clock,
      random: options.random ?? Math.random,
      hooks,
      startedAt,
      progress,
      info: Object.freeze({
        startedAt: options.info?.startedAt ?? startedAt,
        executionStartedAt: startedAt,
        recovering: options.info?.recovering ?? false,
        ...(options.info?.abandonedAt === undefined ? {} : { abandonedAt: options.info.abandonedAt }),
        ...(options.info?.earlierExecutionsEndedAt === undefined
          ? {}
          : { earlierExecutionsEndedAt: options.info.earlierExecutionsEndedAt }),
      }),
    };
    emitHook(hooks, 'onRunStart', { runId: env.runId, workflow: workflow.name, deadline: options.deadline });
    return await execute(env, options);
  } catch (error) {
    // Last resort: report what is known rather than reject.
    return lastResort(workflow, options, env, progress, error);
  }
}

async function execute<S>(env: RunEnv<S>, options: RunOptions): Promise<RunResult<S>> {
  const { workflow, progress } = env;
  let budget: RunBudget;
  let settings: StepSettings[];
  try {
    budget = runBudget(options);
    settings = workflow.steps.map(stepSettings);
  } catch (error) {
    // A configuration error: nothing ran, so nothing needs undoing.
    progress.steps.push(...workflow.steps.map(notRun));
    return finish(env, { error: toErrorInfo(error) });
  }

  const completed = options.completedSteps ?? [];
  try {
    checkCompleted(workflow, completed);
  } catch (error) {
    progress.steps.push(...workflow.steps.map(notRun));
    return finish(env, { error: toErrorInfo(error) });
  }
  if (options.failedStep !== undefined) return resumeCompensation(env, settings, budget, completed, options.failedStep);
  for (const [index, step] of workflow.steps.entries()) {
    const done = completed[index];
    if (done !== undefined) {
      // Finished by an earlier execution: its output is already in the state.
      progress.steps.push(Object.freeze({ ...done, attempts: Object.freeze([...done.attempts]) }));
      continue;
    }
    const failure = await runStep(env, step, settingsAt(settings, index), budget);
    if (options.checkpoint !== undefined) {
      const stepRecord = progress.steps[index];
      try {
        if (stepRecord !== undefined) {
          const last = failure === undefined && nothingFollows(workflow.steps.slice(index + 1), progress.state);
          await options.checkpoint({ runId: env.runId, record: stepRecord, last });
        }
      } catch (error) {
        // The progress could not be saved: stop without undoing anything (see RunOptions.checkpoint).
        progress.steps.push(...workflow.steps.slice(index + 1).map(notRun));
        return finish(env, { failedStep: step.name, error: toErrorInfo(error) });
      }
    }
    if (failure === undefined) continue;

    progress.failedStep = step.name;
    progress.steps.push(...workflow.steps.slice(index + 1).map(notRun));
    await compensate(env, settings, budget, index);
    return finish(env, { failedStep: step.name, error: failure });
  }
  return finish(env, {});
}

/**
 * An earlier execution failed `failed` for good and was cut off while undoing: nothing runs
 * forward (its failure stands); every compensation runs again, each idempotent, and the run fails as it did.
 */
async function resumeCompensation<S>(
  env: RunEnv<S>,
  settings: readonly StepSettings[],
  budget: RunBudget,
  completed: readonly StepRecord[],
  failed: StepRecord,
): Promise<RunResult<S>> {
  const { workflow, progress } = env;
  const index = completed.length;
  const error = failed.error;
  if (workflow.steps[index]?.name !== failed.name || failed.outcome !== 'failed' || error === undefined) {
    progress.steps.push(...workflow.steps.map(notRun));
    return finish(env, {
      error: toErrorInfo(
        new RangeError(`failedStep "${failed.name}" is not a failed step ${index} of "${workflow.name}"`),
      ),
    });
  }
  progress.steps.push(
    ...completed.map((done) => Object.freeze({ ...done, attempts: Object.freeze([...done.attempts]) })),
  );
  progress.steps.push(Object.freeze({ ...failed, attempts: Object.freeze([...failed.attempts]) }));
  progress.steps.push(...workflow.steps.slice(index + 1).map(notRun));
  progress.failedStep = failed.name;
  await compensate(env, settings, budget, index);
  return finish(env, { failedStep: failed.name, error });
}

/** Runs one forward step and records it; returns its final error when it failed for good. */
async function runStep<S>(
  env: RunEnv<S>,
  step: StepDefinition<S>,
  settings: StepSettings,
  budget: RunBudget,
): Promise<ErrorInfo | undefined> {
  const { runId, clock, hooks, progress } = env;
  emitHook(hooks, 'onStepStart', { runId, step: step.name });
  const state = progress.state;

  let runs: boolean;
  try {
    runs = step.when === undefined || step.when(state);
  } catch (error) {
    // A broken predicate fails its step like a broken `run` would, without an attempt.
    const failed = record(env, {
      name: step.name,
      outcome: 'failed',
      attempts: [],
      durationMs: 0,
      error: toErrorInfo(error),
    });
    return failed.error;
  }
  if (!runs) {
    record(env, { name: step.name, outcome: 'skipped', attempts: [], durationMs: 0 });
    return undefined;
  }

  const outcome = await runWithRetries({
    runId,
    step: step.name,
    compensation: false,
    fn: (ctx) => step.run(state, ctx),
    policy: settings.policy,
    timeoutMs: settings.timeoutMs,
    window: budget.forward,
    clock,
    random: env.random,
    hooks,
    info: env.info,
  });
  if (!outcome.ok) {
    const failed = record(env, {
      name: step.name,
      outcome: 'failed',
      attempts: outcome.attempts,
      durationMs: outcome.durationMs,
      error: toErrorInfo(outcome.error),
    });
    return failed.error;
  }
  progress.state = merge(state, outcome.value);
  record(env, {
    name: step.name,
    outcome: 'succeeded',
    attempts: outcome.attempts,
    durationMs: outcome.durationMs,
    ...(isPatch(outcome.value) ? { output: outcome.value } : {}),
  });
  return undefined;
}

/**
 * Whether none of `later` will run on `state`: each has a `when` that is false on it. Skipped
 * steps do not change the state, so evaluating them all on the state now is what running them
 * would see. A `when` that throws would fail its step: that counts as running.
 */
function nothingFollows<S>(later: readonly StepDefinition<S>[], state: S): boolean {
  return later.every((step) => {
    try {
      return step.when !== undefined && !step.when(state);
    } catch {
      return false;
    }
  });
}

/** Undoes the succeeded steps before `failedIndex`, last first. */
async function compensate<S>(
  env: RunEnv<S>,
  settings: readonly StepSettings[],
  budget: RunBudget,
  failedIndex: number,
): Promise<void> {
  const { runId, clock, hooks, progress, workflow } = env;
  const failedState = progress.state;
  for (let index = failedIndex - 1; index >= 0; index--) {
    const step = workflow.steps[index];
    if (step?.compensate === undefined || progress.steps[index]?.outcome !== 'succeeded') continue;

    emitHook(hooks, 'onCompensationStart', { runId, step: step.name });
    const { compensationPolicy, timeoutMs } = settingsAt(settings, index);
    const outcome = await runWithRetries({
      runId,
      step: step.name,
      compensation: true,
      fn: (ctx) => step.compensate?.(failedState, ctx) ?? Promise.resolve(),
      policy: compensationPolicy,
      timeoutMs,
      window: budget.compensation,
      clock,
      random: env.random,
      hooks,
      info: env.info,
    });
    const entry: CompensationRecord = Object.freeze({
      step: step.name,
      outcome: outcome.ok ? ('succeeded' as const) : ('failed' as const),
      attempts: outcome.attempts,
      durationMs: outcome.durationMs,
      ...(outcome.ok ? undoEffect(outcome.value) : { error: Object.freeze(toErrorInfo(outcome.error)) }),
    });
    progress.compensations.push(entry);
    emitHook(hooks, 'onCompensationEnd', { runId, record: entry });
  }
}

/** The effect a compensation resolved to, when it is one: anything else is ignored (a plain undo). */
function undoEffect(value: unknown): Pick<CompensationRecord, 'effect' | 'reason'> {
  const v = value as Partial<UndoEffect> | undefined;
  if (v?.effect !== 'deleted' && v?.effect !== 'kept' && v?.effect !== 'already-gone') return {};
  return { effect: v.effect, ...(typeof v.reason === 'string' ? { reason: v.reason } : {}) };
}

function finish<S>(env: RunEnv<S>, failure: { failedStep?: string; error?: ErrorInfo }): RunResult<S> {
  const { progress } = env;
  const failed = failure.error !== undefined;
  const result: RunResult<S> = Object.freeze({
    runId: env.runId,
    workflow: env.workflow.name,
    status: failed ? ('failed' as const) : ('succeeded' as const),
    state: progress.state,
    steps: Object.freeze([...progress.steps]),
    compensations: Object.freeze([...progress.compensations]),
    compensation: compensationStatus(progress.compensations),
    ...(failure.failedStep === undefined ? {} : { failedStep: failure.failedStep }),
    ...(failure.error === undefined ? {} : { error: Object.freeze(failure.error) }),
    startedAt: env.startedAt,
    durationMs: env.clock.now() - env.startedAt,
  });
  emitHook(env.hooks, 'onRunEnd', { result });
  return result;
}

function lastResort<S>(
  workflow: WorkflowDefinition<S>,
  options: RunOptions,
  env: RunEnv<S> | undefined,
  progress: RunProgress<S>,
  error: unknown,
): RunResult<S> {
  const steps = workflow.steps.map((step, index) => progress.steps[index] ?? notRun(step));
  const compensated = new Set(progress.compensations.filter((c) => c.outcome === 'succeeded').map((c) => c.step));
  // Succeeded steps left undone need a human, exactly like a failed compensation.
  const leftUndone = workflow.steps.some(
    (step, index) =>
      step.compensate !== undefined && steps[index]?.outcome === 'succeeded' && !compensated.has(step.name),
  );
  const failedStep = progress.failedStep ?? workflow.steps[progress.steps.length]?.name;
  const status = compensationStatus(progress.compensations);
  const startedAt = env?.startedAt ?? Date.now();
  let durationMs = 0;
  try {
    durationMs = (options.clock ?? systemClock).now() - startedAt;
  } catch {
    // Already failing; the duration is the least of it.
  }
  const result: RunResult<S> = Object.freeze({
    runId: env?.runId ?? options.runId ?? 'unknown',
    workflow: workflow.name,
    status: 'failed' as const,
    state: progress.state,
    steps: Object.freeze(steps),
    compensations: Object.freeze([...progress.compensations]),
    compensation: leftUndone && status !== 'failed' ? ('failed' as const) : status,
    ...(failedStep === undefined ? {} : { failedStep }),
    error: Object.freeze(safeErrorInfo(error)),
    startedAt,
    durationMs: Number.isFinite(durationMs) ? durationMs : 0,
  });
  emitHook(options.hooks ?? {}, 'onRunEnd', { result });
  return result;
}

function stepSettings<S>(step: StepDefinition<S>): StepSettings {
  const timeoutMs = step.timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new RangeError(`step "${step.name}": timeoutMs must be a finite number > 0, got ${timeoutMs}`);
  }
  try {
    return {
      policy: retryPolicy(step.retry),
      compensationPolicy: retryPolicy(step.compensationRetry ?? step.retry),
      timeoutMs,
    };
  } catch (error) {
    if (error instanceof RangeError) throw new RangeError(`step "${step.name}": ${error.message}`, { cause: error });
    throw error;
  }
}

function settingsAt(settings: readonly StepSettings[], index: number): StepSettings {
  const s = settings[index];
  if (s === undefined) throw new Error(`no settings for step ${index}`);
  return s;
}

function record<S>(env: RunEnv<S>, entry: StepRecord): StepRecord {
  const frozen: StepRecord = Object.freeze({ ...entry, attempts: Object.freeze([...entry.attempts]) });
  env.progress.steps.push(frozen);
  emitHook(env.hooks, 'onStepEnd', { runId: env.runId, record: frozen });
  return frozen;
}

function notRun<S>(step: StepDefinition<S>): StepRecord {
  return Object.freeze({ name: step.name, outcome: 'not-run' as const, attempts: Object.freeze([]), durationMs: 0 });
}

/** Completed steps must be a prefix of the workflow, by name, that succeeded or was skipped. */
function checkCompleted<S>(workflow: WorkflowDefinition<S>, completed: readonly StepRecord[]): void {
  completed.forEach((done, index) => {
    const step = workflow.steps[index];
    if (step === undefined || step.name !== done.name) {
      throw new RangeError(
        `completedSteps[${index}] is "${done.name}", but step ${index} of "${workflow.name}" is "${step?.name ?? 'missing'}"`,
      );
    }
    if (done.outcome !== 'succeeded' && done.outcome !== 'skipped') {
      throw new RangeError(
        `completedSteps[${index}] ("${done.name}") ${done.outcome}: only succeeded or skipped steps count as completed`,
      );
    }
  });
}

function isPatch(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge<S>(state: S, patch: unknown): S {
  if (typeof patch !== 'object' || patch === null) return state;
  return { ...state, ...patch } as S;
}

function compensationStatus(compensations: readonly CompensationRecord[]): CompensationStatus {
  if (compensations.length === 0) return 'none';
  return compensations.some((c) => c.outcome === 'failed') ? 'failed' : 'completed';
}

function safeErrorInfo(error: unknown): ErrorInfo {
  try {
    return toErrorInfo(error);
  } catch {
    return { type: 'Error', message: 'unexpected internal error', retryable: false };
  }
}
