import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../src/journal/index.js';
import { mayHaveLateWrite } from '../../../src/function/late-writes.js';
import { sampleRecord } from '../journal/sample-record.js';

const attempt = (inDoubt?: 'settled' | 'in-flight') => ({
  attempt: 1,
  startedAt: 0,
  durationMs: 10,
  outcome: 'failed' as const,
  error: { type: 'X', message: 'x', retryable: true, ...(inDoubt ? { inDoubt } : {}) },
});

// A succeeded run, no lease: the watch reads only finished runs.
const record = (fields: Partial<RunRecord>): RunRecord =>
  sampleRecord('twilio:SM1', { status: 'succeeded', lease: undefined, ...fields });

const step = (attempts: ReturnType<typeof attempt>[]) => ({
  name: 'create-incident',
  outcome: 'succeeded' as const,
  attempts,
  durationMs: 10,
});

describe('mayHaveLateWrite: the runs the late-write watch reads', () => {
  it.each([
    ['a succeeded run that abandoned a write (abandonedAt)', record({ abandonedAt: 5 }), true],
    ['a succeeded run with an attempt in doubt in flight', record({ steps: [step([attempt('in-flight')])] }), true],
    [
      'a succeeded run whose only doubt was settled (answered 5xx)',
      record({ steps: [step([attempt('settled')])] }),
      false,
    ],
    ['a succeeded run with a plain failed attempt', record({ steps: [step([attempt()])] }), false],
    ['a clean succeeded run', record({}), false],
    ['an unfinished run: the sweeper finishes it first', record({ status: 'failed', abandonedAt: 5 }), false],
    ['a running run', record({ status: 'running', steps: [step([attempt('in-flight')])] }), false],
  ])('%s: %s', (_what, r, expected) => {
    expect(mayHaveLateWrite(r)).toBe(expected);
  });
});
