/**
 * Who has to act on an answer: the `fault` dimension of `WebhookAnswered`. `function` means the
 * SMS was refused before any run (config, Vault, journal, a bug): nothing is journaled, the
 * provider's retries hold the only copy, and on-call must act now. `run` means a journaled run
 * failed (redrivable). `sender` is the caller's problem, `none` is fine.
 */

/**
 * What an answer says happened, one word per kind of answer: the `outcome` dimension of the
 * `WebhookAnswered` metric, so an alarm sees every answer the caller sees, 5xx outside a run included.
 */
export const ANSWER_OUTCOMES = [
  'created',
  'replayed',
  'in_progress',
  'conflict',
  'rejected',
  'run_failed',
  'run_timeout',
  'config_error',
  'secrets_unavailable',
  'journal_unavailable',
  'internal_error',
] as const;
export type AnswerOutcome = (typeof ANSWER_OUTCOMES)[number];

export const FAULTS = ['none', 'sender', 'run', 'function'] as const;
export type Fault = (typeof FAULTS)[number];

const FAULT_OF: Record<AnswerOutcome, Fault> = {
  created: 'none',
  replayed: 'none',
  in_progress: 'none',
  rejected: 'sender',
  conflict: 'sender',
  run_failed: 'run',
  run_timeout: 'run',
  config_error: 'function',
  secrets_unavailable: 'function',
  journal_unavailable: 'function',
  internal_error: 'function',
};

/** An answer's outcome and fault; one that never said its outcome is judged by its status. */
export function answerFault(
  status: number,
  outcome: AnswerOutcome | undefined,
): { outcome: AnswerOutcome; fault: Fault } {
  const known = outcome ?? (status >= 500 ? 'internal_error' : status >= 400 ? 'rejected' : 'created');
  return { outcome: known, fault: FAULT_OF[known] };
}
