/**
 * The step machine: runs a workflow of retried steps within a deadline and compensates
 * the completed ones when a step fails for good. Knows nothing of SMS or HTTP.
 */
export { runWorkflow } from './run-workflow.js';
export { AttemptTimeoutError, DeadlineExceededError, RetryableError, TerminalError, ensureError } from './errors.js';
export type { RetryableErrorOptions } from './errors.js';
export { classifyError, toErrorInfo } from './classify.js';
export type { ErrorClassification } from './classify.js';
export { DEFAULT_RETRY_POLICY, backoffDelayMs, nextDelayMs, retryPolicy } from './retry-policy.js';
export {
  DEFAULT_COMPENSATION_RESERVE_MS,
  DEFAULT_FINAL_MARGIN_MS,
  DEFAULT_MIN_ATTEMPT_MS,
  DEFAULT_STEP_TIMEOUT_MS,
  leavesRoomForAttempt,
  planAttempt,
  runBudget,
} from './deadline.js';
export type { AttemptPlan, BudgetOptions, BudgetWindow, RunBudget } from './deadline.js';
export { systemClock } from './clock.js';
export type {
  AttemptContext,
  AttemptRecord,
  Clock,
  CompensationRecord,
  CompensationStatus,
  ErrorInfo,
  RetryPolicy,
  RunHooks,
  RunOptions,
  RunResult,
  StepDefinition,
  StepOutcome,
  StepCheckpoint,
  StepRecord,
  WorkflowDefinition,
} from './types.js';
