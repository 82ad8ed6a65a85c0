/**
 * The step machine: runs a workflow of retried steps within a deadline and compensates
 * the completed ones when a step fails for good. Knows nothing of SMS or HTTP.
 */
export { runWorkflow } from './run-workflow.js';
export { AttemptTimeoutError, DeadlineExceededError, RetryableError, TerminalError, ensureError } from './errors.js';
export { appliedMaybe, classifyError, toErrorInfo } from './classify.js';
export { DEFAULT_RETRY_POLICY, backoffDelayMs, nextDelayMs, retryPolicy } from './retry-policy.js';
export { leavesRoomForAttempt, planAttempt, runBudget } from './deadline.js';
export { systemClock } from './clock.js';
export type {
  AttemptContext,
  AttemptRecord,
  Clock,
  CompensationRecord,
  ErrorInfo,
  RetryPolicy,
  RunHooks,
  RunOptions,
  RunResult,
  StepDefinition,
  StepCheckpoint,
  StepRecord,
  UndoEffect,
  WorkflowDefinition,
} from './types.js';
