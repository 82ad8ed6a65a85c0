import type { RunHooks, RunResult } from '../src/engine/index.js';
import type { Logger } from '../src/log/logger.js';
import { traceFields } from './invocation-log.js';

/**
 * Log lines for a run, from the engine's hooks: every failed attempt (with whether it will be
 * retried), every step that failed for good, every compensation, and one summary line.
 */
export interface RunLogOptions {
  /** The open span of an attempt: its failure line carries that span's id, not the step's. */
  readonly attemptSpan?: (
    step: string,
    attempt: number,
    compensation: boolean,
  ) => { traceId: string; spanId: string } | undefined;
}

export function runLogHooks(log: Logger, options: RunLogOptions = {}): RunHooks {
  const spanOf = (step: string, attempt: number, compensation: boolean): Record<string, string> => {
    const ids = options.attemptSpan?.(step, attempt, compensation);
    return ids === undefined ? {} : traceFields(ids.traceId, ids.spanId);
  };
  const failedUndos: Record<string, string | number | undefined>[] = [];
  return {
    // Debug lines: kept back by the invocation's log and written only when the run fails.
    onAttemptStart: ({ runId, step, attempt, timeoutMs, compensation }) => {
      log.debug(compensation ? 'compensation attempt started' : 'attempt started', { runId, step, attempt, timeoutMs });
    },
    onStepStart: ({ runId, step }) => log.debug('step started', { runId, step }),
    onAttemptEnd: ({ runId, step, record, compensation, willRetry }) => {
      if (record.outcome === 'succeeded') {
        log.debug(compensation ? 'compensation attempt succeeded' : 'attempt succeeded', {
          runId,
          step,
          attempt: record.attempt,
          durationMs: record.durationMs,
        });
        return;
      }
      log.warn(compensation ? 'compensation attempt failed' : 'attempt failed', {
        ...spanOf(step, record.attempt, compensation),
        runId,
        step,
        attempt: record.attempt,
        durationMs: record.durationMs,
        errorType: record.error?.type,
        error: record.error?.message,
        willRetry,
        backoffMs: record.backoffMs,
      });
    },
    onStepEnd: ({ runId, record }) => {
      if (record.outcome !== 'failed') {
        log.debug(`step ${record.outcome}`, {
          runId,
          step: record.name,
          attempts: record.attempts.length,
          durationMs: record.durationMs,
        });
        return;
      }
      log.error('step failed', {
        runId,
        step: record.name,
        attempts: record.attempts.length,
        durationMs: record.durationMs,
        errorType: record.error?.type,
        error: record.error?.message,
        retryable: record.error?.retryable,
      });
    },
    onCompensationEnd: ({ runId, record }) => {
      const fields = {
        runId,
        step: record.step,
        attempts: record.attempts.length,
        durationMs: record.durationMs,
        errorType: record.error?.type,
        error: record.error?.message,
      };
      // What the undo did (deleted, kept and why, already gone): a kept contact is not a deleted one.
      if (record.outcome === 'succeeded')
        log.info('compensation succeeded', { ...fields, effect: record.effect, reason: record.reason });
      else failedUndos.push(fields);
    },
    onRunEnd: ({ result }) => {
      // Written once the run's ids are known, so the line names what is left behind.
      const ids = b2cIds(result.state);
      for (const fields of failedUndos.splice(0)) {
        log.error('compensation failed: manual clean-up needed', {
          ...fields,
          ...ids,
          next: `sms-incident runs show ${result.runId}`,
        });
      }
      log[result.status === 'succeeded' ? 'info' : 'error'](`run ${result.status}`, runSummary(result));
    },
  };
}

/** One flat line per run: what an SRE greps for first. */
export function runSummary(result: RunResult<unknown>): Record<string, string | number | undefined> {
  return {
    runId: result.runId,
    workflow: result.workflow,
    status: result.status,
    durationMs: result.durationMs,
    failedStep: result.failedStep,
    errorType: result.error?.type,
    error: result.error?.message,
    compensation: result.compensation,
    steps: result.steps
      .map((s) => `${s.name}:${s.outcome}${s.attempts.length > 1 ? `x${s.attempts.length}` : ''}`)
      .join(' '),
    // name:duration ms:attempts per step that ran, then per compensation: the run's timeline in one field.
    stepTimes:
      result.steps
        .filter((s) => s.attempts.length > 0)
        .map((s) => `${s.name}:${Math.round(s.durationMs)}:${s.attempts.length}`)
        .join(' ') || undefined,
    compensations:
      result.compensations
        .map((c) => `${c.step}:${c.outcome}:${Math.round(c.durationMs)}:${c.attempts.length}`)
        .join(' ') || undefined,
  };
}

/** The B2C ids in a run's state (`incidentId`, `contactId`, `referenceNumber`): what a clean-up is about. */
function b2cIds(state: unknown): Record<string, string | number> {
  if (typeof state !== 'object' || state === null) return {};
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(state)) {
    if ((/^[a-z]+Id$/.test(k) && typeof v === 'number') || (k === 'referenceNumber' && typeof v === 'string'))
      out[k] = v;
  }
  return out;
}
