import { describe, expect, it } from 'vitest';
import { findRun } from '../../../src/cli/list-runs.js';
import { memoryJournal } from '../../../src/journal/index.js';
import { sampleRecord } from '../journal/sample-record.js';

describe('findRun on a journal without a run-id index', () => {
  it('takes a unique start of a run id (6 characters or more), refuses one that starts two', async () => {
    // Prepare
    const journal = memoryJournal();
    await journal.create(sampleRecord('m1', { runId: '3f2a91c0-aaaa' }));
    await journal.create(sampleRecord('m2', { runId: '3f2a91c0-bbbb' }));
    await journal.create(sampleRecord('m3', { runId: '77aa0011-cccc' }));

    // Act / Assess
    expect((await findRun(journal, '77aa00'))?.key).toBe('m3');
    expect(await findRun(journal, '77aa0')).toBeUndefined();
    await expect(findRun(journal, '3f2a91c0')).rejects.toThrow('3f2a91c0 starts 2 run ids');
    expect((await findRun(journal, '3f2a91c0-bbbb'))?.key).toBe('m2');
  });
});
