import { describe, expect, it } from 'vitest';
import { formatShow } from '../../../src/cli/show-run.js';
import { sampleRecord } from '../journal/sample-record.js';

describe('runs show', () => {
  it('keeps the trace of every execution: a take-over does not hide the earlier one', () => {
    const record = sampleRecord('twilio:SM1', {
      status: 'succeeded',
      lease: undefined,
      executions: 2,
      traceId: 'b'.repeat(32),
      history: [
        { at: 1_000, event: 'claimed', owner: 'call-1/x', traceId: 'a'.repeat(32) },
        {
          at: 40_000,
          event: 'resumed',
          owner: 'call-2/y',
          detail: 'lease of call-1/x expired',
          traceId: 'b'.repeat(32),
        },
        { at: 41_000, event: 'succeeded', owner: 'call-2/y' },
      ],
    });
    const text = formatShow(record, 50_000, { traceUrl: 'https://apm/{traceId}' });
    expect(text).toContain(
      `traces    ${'a'.repeat(32)}  execution 1 (claimed 00:00:01)  https://apm/${'a'.repeat(32)}`,
    );
    expect(text).toContain(
      `          ${'b'.repeat(32)}  execution 2 (resumed 00:00:40)  https://apm/${'b'.repeat(32)}`,
    );
  });

  it('says what each undo did: deleted, kept and why, already gone, left; and an older record without it is not called deleted', () => {
    // Prepare
    const step = (
      name: string,
      output: Record<string, unknown>,
      undo: Record<string, unknown> | undefined,
      compensated: 'succeeded' | 'failed' = 'succeeded',
    ) => ({
      name,
      outcome: 'succeeded' as const,
      attempts: [],
      durationMs: 1,
      output,
      compensated,
      ...(undo ? { undo: { attempts: [], durationMs: 1, ...undo } } : {}),
    });
    const record = sampleRecord('twilio:SM2', {
      status: 'failed',
      lease: undefined,
      compensation: 'completed',
      steps: [
        step('create-contact', { contactId: 7 }, { effect: 'kept', reason: 'it carries the number' }),
        step('create-incident', { incidentId: 42, referenceNumber: '261127-000042' }, { effect: 'already-gone' }),
        step('create-note', { noteId: 9 }, undefined),
      ],
    });

    // Act
    const text = formatShow(record, 50_000);

    // Assess
    expect(text).toMatch(/contact 7 +kept by the undo of create-contact: it carries the number/);
    expect(text).toMatch(/incident 42 261127-000042 +already gone when the undo of create-incident ran/);
    expect(text).toMatch(/note 9 +undone by create-note's undo \(an older record: what the undo did was not kept/);
    expect(text).not.toContain('deleted');
    expect(text).toContain('(contact 7 stays: the redrive uses it again');
  });
});
