import { describe, expect, it } from 'vitest';
import { answerTo } from '../../../src/function/answers.js';
import { JournalError, type RunRecord } from '../../../src/journal/index.js';

const record = (patch: Partial<RunRecord> = {}): RunRecord => ({
  schema: 1,
  key: 'twilio:SM1',
  runId: 'run-1',
  workflow: 'sms-to-incident',
  provider: 'twilio',
  messageId: 'SM1',
  payloadHash: 'h',
  payload: {},
  status: 'succeeded',
  executions: 1,
  duplicates: 0,
  steps: [],
  startedAt: 1,
  updatedAt: 1,
  history: [],
  ...patch,
});

describe('Function: answerTo', () => {
  it("replays a finished run's stored answer, marked as replayed", () => {
    expect(
      answerTo({ state: 'duplicate', record: record({ answer: { status: 200, body: { incidentId: 42 } } }) }),
    ).toEqual({
      status: 200,
      outcome: 'replayed',
      body: { incidentId: 42 },
      headers: { 'Idempotent-Replayed': 'true' },
    });
  });

  it('answers 200 "already processed" for a finished run kept without an answer', () => {
    expect(answerTo({ state: 'duplicate', record: record() })).toEqual({
      status: 200,
      outcome: 'replayed',
      body: { message: 'already processed', runId: 'run-1' },
    });
  });

  it.each([
    [1, '1'],
    [1_000, '1'],
    [1_001, '2'],
    [0, '1'],
  ])(
    'answers 503 in progress with Retry-After in whole seconds, at least one (%i ms → %s s)',
    (retryAfterMs, seconds) => {
      const answer = answerTo({ state: 'busy', record: record({ status: 'running' }), retryAfterMs });
      expect(answer).toMatchObject({
        status: 503,
        outcome: 'in_progress',
        body: { runId: 'run-1', retryable: true },
        headers: { 'Retry-After': seconds },
      });
    },
  );

  it('answers 409 conflict, not retryable, for a reused message id', () => {
    expect(answerTo({ state: 'mismatch', record: record() })).toMatchObject({
      status: 409,
      outcome: 'conflict',
      body: { runId: 'run-1', retryable: false },
    });
  });

  it('answers 503 with Retry-After 5 when the journal is down, naming no run', () => {
    const answer = answerTo({ state: 'journal-unavailable', error: new JournalError('down') });
    expect(answer).toEqual({
      status: 503,
      outcome: 'journal_unavailable',
      body: { message: 'run journal unavailable, retry later', retryable: true },
      headers: { 'Retry-After': '5' },
    });
  });

  it('answers a run that ran with its result, whether or not it was saved', () => {
    const result = {
      runId: 'run-1',
      status: 'succeeded',
      state: { sms: {} as never, incidentId: 42, referenceNumber: 'r', contactId: 7, contactCreated: true },
      steps: [],
      compensations: [],
      compensation: 'none',
    } as const;
    for (const saved of ['saved', 'lease-lost', 'save-failed'] as const) {
      expect(answerTo({ state: 'ran', mode: 'new', runId: 'run-1', result: result as never, saved })).toMatchObject({
        status: 200,
        outcome: 'created',
        body: { incidentId: 42, runId: 'run-1' },
      });
    }
  });
});
