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
});
