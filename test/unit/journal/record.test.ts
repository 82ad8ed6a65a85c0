import { describe, expect, it } from 'vitest';
import { HISTORY_LIMIT, parseRunRecord, type RunRecord, withHistory } from '../../../src/journal/record.js';
import { sampleRecord } from './sample-record.js';

/** The journal's schema keeps every field the engine writes, and refuses what it does not know. */

const error = { type: 'HTTP 503', message: 'busy', retryable: true, inDoubt: 'in-flight' as const };
const attempt = (outcome: 'succeeded' | 'failed') => ({
  attempt: 1,
  startedAt: 1_000,
  durationMs: 5,
  outcome,
  ...(outcome === 'failed' ? { error: { ...error, inDoubt: 'settled' as const }, backoffMs: 1_000 } : {}),
});
const step = (outcome: 'succeeded' | 'failed' | 'skipped' | 'not-run', extra: object = {}) => ({
  name: `step-${outcome}`,
  outcome,
  attempts: [attempt('failed'), attempt('succeeded')],
  durationMs: 10,
  ...extra,
});
const events = ['claimed', 'resumed', 'restarted', 'succeeded', 'failed', 'duplicate', 'busy', 'redrive'] as const;

/** A record with every field set, every enum value used somewhere. */
const full = (compensation: 'none' | 'completed' | 'failed'): RunRecord =>
  sampleRecord('k', {
    idempotencyToken: 'token',
    status: 'failed',
    lease: { owner: 'o1', expiresAt: 2_000 },
    steps: [
      step('succeeded', {
        output: { incidentId: 42 },
        finishedAt: 1_010,
        compensated: 'succeeded',
        undo: { attempts: [attempt('succeeded')], durationMs: 3, effect: 'deleted' },
      }),
      step('succeeded', {
        compensated: 'succeeded',
        undo: { attempts: [attempt('succeeded')], durationMs: 3, effect: 'kept', reason: 'it carries the number' },
      }),
      step('succeeded', {
        compensated: 'failed',
        undo: { attempts: [attempt('failed')], durationMs: 3, error, effect: 'already-gone' },
      }),
      step('failed', { error }),
      step('skipped'),
      step('not-run'),
    ],
    compensation,
    failedStep: 'step-failed',
    error,
    answer: { status: 502, body: { error: 'incident_creation_failed' } },
    traceId: 'trace',
    abandonedAt: 1_500,
    finishedAt: 1_600,
    history: events.map((event, i) => ({
      at: 1_000 + i,
      event,
      owner: 'o1',
      detail: 'why',
      traceId: 'trace',
      spanId: 'span',
    })),
  } as Partial<RunRecord>);

describe('Function: parseRunRecord', () => {
  it.each(['none', 'completed', 'failed'] as const)(
    'keeps every field of a record (compensation %s)',
    (compensation) => {
      // Prepare
      const record = full(compensation);

      // Act
      const parsed = parseRunRecord(JSON.parse(JSON.stringify(record)));

      // Assess
      expect(parsed).toEqual(record);
    },
  );

  it.each(['running', 'succeeded', 'failed', 'queued'] as const)('reads a %s run', (status) => {
    expect(parseRunRecord(sampleRecord('k', { status })).status).toBe(status);
  });

  it.each([
    ['an unknown status', { status: 'done' }],
    ['an unknown step outcome', { steps: [step('succeeded', { outcome: 'done' })] }],
    [
      'an unknown attempt outcome',
      { steps: [step('succeeded', { attempts: [{ ...attempt('failed'), outcome: 'x' }] })] },
    ],
    ['an unknown in-doubt reading', { error: { ...error, inDoubt: 'maybe' } }],
    ['an unknown compensation', { compensation: 'partial' }],
    ['an unknown compensated', { steps: [step('succeeded', { compensated: 'partly' })] }],
    ['an unknown undo effect', { steps: [step('succeeded', { undo: { attempts: [], durationMs: 1, effect: 'x' } })] }],
    ['an unknown history event', { history: [{ at: 1, event: 'lost' }] }],
    ['a negative duplicate count', { duplicates: -1 }],
    ['a negative execution count', { executions: -1 }],
    ['an empty key', { key: '' }],
    ['another schema version', { schema: 2 }],
    ['a lease without its owner', { lease: { expiresAt: 1 } }],
    ['an answer without its status', { answer: { body: {} } }],
  ])('refuses %s', (_, patch) => {
    expect(() => parseRunRecord({ ...sampleRecord('k'), ...patch })).toThrow();
  });
});

describe('Function: withHistory', () => {
  it(`appends the entry and keeps the newest ${HISTORY_LIMIT}`, () => {
    // Prepare
    const history = Array.from({ length: HISTORY_LIMIT }, (_, i) => ({ at: i, event: 'busy' as const }));

    // Act
    const next = withHistory(sampleRecord('k', { history }), { at: 99, event: 'duplicate' });

    // Assess
    expect(next).toHaveLength(HISTORY_LIMIT);
    expect(next[0]).toEqual({ at: 1, event: 'busy' });
    expect(next.at(-1)).toEqual({ at: 99, event: 'duplicate' });
    expect(withHistory(sampleRecord('k'), { at: 5, event: 'claimed' })).toEqual([{ at: 5, event: 'claimed' }]);
  });
});
