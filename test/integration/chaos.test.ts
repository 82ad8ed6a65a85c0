import { describe, expect, it } from 'vitest';
import { breached, table } from '../../chaos/run.js';
import { soak } from '../../chaos/soak.js';

/**
 * The soak of `npm run chaos` in a small, bounded configuration: 150 messages through two function
 * processes (killed and restarted at random) sharing a file journal, with faults at the emulator,
 * duplicate deliveries and a redelivering provider. The 1,000-message runs are in docs/exactly-once.md.
 */
describe('npm run chaos (150 messages)', () => {
  it('loses no message, duplicates none, and no process exits unless the harness killed it', {
    timeout: 900_000,
  }, async () => {
    // Act
    const report = await soak({
      messages: 150,
      seed: 20261129,
      deadlineMs: 8_000,
      journal: 'file',
      b2cFaultRate: 0.045,
      journalFaultRate: 0,
      concurrency: 16,
      killEverySeconds: 15,
      leaseMarginMs: 1_000,
      lateWriteWindowMs: 10_000,
    });

    // Assess
    const summary = table(report);
    expect(report.facts.messages, summary).toBe(150);
    expect(
      [...report.b2cFaults.values()].reduce((a, b) => a + b, 0),
      summary,
    ).toBeGreaterThan(0);
    expect(report.breaches, summary).toEqual(Object.fromEntries(Object.keys(report.breaches).map((k) => [k, 0])));
    expect(breached(report)).toBe(false);
  });
});
