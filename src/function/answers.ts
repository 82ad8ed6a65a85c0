import type { CompensationRecord, ErrorInfo, RunResult } from '../engine/index.js';
import { retryAfterSeconds, type IdempotencyOutcome } from '../idempotency/index.js';
import { TWIML_CONTENT_TYPE, renderReply, twimlResponse, type Dialect } from '../inbound/index.js';
import type { AnswerOutcome } from '../../telemetry/answer-fault.js';
import type { SmsToIncidentState } from '../../workflows/sms-to-incident.js';

/**
 * The answer to a webhook, as data: what the journal keeps and replays, what the CLI prints.
 * It is serialised once, at the edge ({@link toHttp}).
 */
export interface Answer {
  readonly status: number;
  /** What happened (the `WebhookAnswered` metric); absent only on answers made before it was known (then judged by status). */
  readonly outcome?: AnswerOutcome;
  readonly body: Readonly<Record<string, unknown>>;
  /** Extra client headers (e.g. `Retry-After`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** An answer as the fdk writes it. */
export interface HttpAnswer {
  readonly status: number;
  readonly outcome?: AnswerOutcome;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export function answer(
  status: number,
  body: Readonly<Record<string, unknown>>,
  headers?: Readonly<Record<string, string>>,
  outcome?: AnswerOutcome,
): Answer {
  return { status, ...(outcome ? { outcome } : {}), body, ...(headers ? { headers } : {}) };
}

export function created(result: RunResult<SmsToIncidentState>): Answer {
  const { incidentId, referenceNumber, contactId, contactCreated } = result.state;
  return answer(
    200,
    {
      message: 'success',
      incidentId,
      referenceNumber,
      contactId,
      contactCreated: contactCreated === true,
      runId: result.runId,
    },
    undefined,
    'created',
  );
}

/** The answer to a run's result: what the journal keeps, and what the delivery that ran it is told. */
export function runAnswer(result: RunResult<SmsToIncidentState>): Answer {
  return result.status === 'succeeded' ? created(result) : runFailed(result);
}

/**
 * The answer to a delivery, by where the idempotency protocol left it: a run's own answer, or one
 * from the journal (a replay, 503 while another execution runs it, 409 for a reused message id,
 * 503 when the journal cannot be reached).
 */
export function answerTo(outcome: IdempotencyOutcome<SmsToIncidentState>): Answer {
  switch (outcome.state) {
    case 'ran':
      return runAnswer(outcome.result);
    case 'duplicate': {
      const { record } = outcome;
      return record.answer === undefined
        ? answer(200, { message: 'already processed', runId: record.runId }, undefined, 'replayed')
        : answer(record.answer.status, record.answer.body, { 'Idempotent-Replayed': 'true' }, 'replayed');
    }
    case 'busy':
      return answer(
        503,
        { message: 'this message is being processed; retry later', runId: outcome.record.runId, retryable: true },
        { 'Retry-After': String(retryAfterSeconds(outcome.retryAfterMs)) },
        'in_progress',
      );
    case 'mismatch':
      return answer(
        409,
        {
          message: 'a different message was already received with this provider message id',
          runId: outcome.record.runId,
          retryable: false,
        },
        undefined,
        'conflict',
      );
    case 'journal-unavailable':
      return answer(
        503,
        { message: 'run journal unavailable, retry later', retryable: true },
        { 'Retry-After': '5' },
        'journal_unavailable',
      );
  }
}

/**
 * The run failed for good after its retries. 504 when it ran out of time, 502 otherwise:
 * either way the body says which step failed, why, and whether what it created was undone.
 */
export function runFailed(result: RunResult<SmsToIncidentState>): Answer {
  const error: ErrorInfo | undefined = result.error;
  const step = result.steps.find((s) => s.name === result.failedStep);
  const timedOut = error?.type === 'DeadlineExceededError';
  return answer(
    timedOut ? 504 : 502,
    {
      message: 'incident not created',
      runId: result.runId,
      failedStep: result.failedStep,
      attempts: step?.attempts.length,
      error: error && publicError(error),
      compensation: result.compensation,
      // What each undo did: `deleted`, `kept` (and why), `already-gone`, or `failed`.
      ...(result.compensations.length > 0 ? { undo: result.compensations.map(undoOf) } : {}),
    },
    undefined,
    timedOut ? 'run_timeout' : 'run_failed',
  );
}

function undoOf(c: CompensationRecord): { step: string; effect: string; reason?: string } {
  return {
    step: c.step,
    effect: c.outcome === 'failed' ? 'failed' : (c.effect ?? 'undone'),
    ...(c.reason ? { reason: c.reason } : {}),
  };
}

/** Our code and words for a failed step, by the error's low-cardinality type. */
function publicError(error: ErrorInfo): { type: string; code: string; message: string; retryable: boolean } {
  const [code, message] = describeFailure(error);
  return { type: error.type, code, message, retryable: error.retryable };
}

/**
 * What the webhook caller is told: never B2C's `detail` (it may quote what we sent, and it is
 * B2C's wording, not our contract). The full error, phone numbers masked, is in the run journal
 * and the log lines of the run.
 */
function describeFailure(error: ErrorInfo): [string, string] {
  const { type, retryable } = error;
  if (type === 'DeadlineExceededError') return ['out_of_time', 'the run ran out of time before B2C Service finished'];
  if (/^OSC-CREST-\d+$/.test(type) || /^HTTP \d{3}$/.test(type)) {
    return retryable
      ? ['b2c_unavailable', 'B2C Service kept failing until the retries ran out']
      : ['b2c_refused', 'B2C Service refused the request'];
  }
  switch (type) {
    case 'network':
      return ['b2c_unreachable', 'no answer from B2C Service'];
    case 'timeout':
    case 'AttemptTimeoutError':
      return ['b2c_timeout', 'B2C Service did not answer in time'];
    case 'response':
      return ['b2c_bad_answer', 'B2C Service answered with something unexpected'];
    case 'request':
      return ['request_refused', 'the request to B2C Service was refused before it was sent'];
    default:
      return ['step_failed', 'the step failed'];
  }
}

export function rejected(status: number, message: string, field?: string, headers?: Record<string, string>): Answer {
  return answer(
    status,
    field === undefined ? { message } : { message, field },
    headers,
    status >= 500 ? 'internal_error' : 'rejected',
  );
}

/**
 * The edge: JSON, except that Twilio's Messaging webhook gets TwiML for a 2xx (JSON there is
 * Twilio error 12300), with the `reply_template` auto-reply once the incident exists; errors stay
 * JSON for Twilio's debugger.
 */
export function toHttp(answer: Answer, dialect: Dialect = 'json', replyTemplate?: string): HttpAnswer {
  const headers = {
    ...(answer.outcome ? { outcome: answer.outcome } : {}),
    ...(answer.headers ? { headers: answer.headers } : {}),
  };
  if (dialect !== 'twiml' || answer.status < 200 || answer.status > 299) {
    return {
      status: answer.status,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify(answer.body),
      ...headers,
    };
  }
  const { referenceNumber, incidentId } = answer.body;
  const reply =
    replyTemplate === undefined || referenceNumber === undefined
      ? undefined
      : renderReply(replyTemplate, { referenceNumber: String(referenceNumber), incidentId: String(incidentId) });
  return { status: answer.status, contentType: TWIML_CONTENT_TYPE, body: twimlResponse(reply), ...headers };
}
