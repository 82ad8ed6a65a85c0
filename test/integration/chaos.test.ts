import { describe, expect, it } from 'vitest';
import { breached, table } from '../../chaos/run.js';
import { soak } from '../../chaos/soak.js';

/**
 * The soak of `npm run chaos -- --site realistic` in a small, bounded configuration: 150 messages
 * through two function processes (killed and restarted at random) sharing a file journal, against a
 * site that strays as a real one may (bare 5xx after a commit, writes applied after a dropped
 * connection, searches 1.5 s behind, text stored with CRLF and trimmed), Twilio's messages from a
 * provider that sends one request and one fallback and never redelivers, the sweeper on a timer, and
 * no delivery at the end: the site must come right on its own. The 1,000-message runs are in
 * docs/exactly-once.md.
 */
describe('npm run chaos -- --site realistic (150 messages)', () => {
  it('loses no message, duplicates none, comes right without a delivery, and no process exits unless the harness killed it', {
    timeout: 1_500_000,
  }, async () => {
    // Act
    const report = await soak({
      messages: 150,
      seed: 20261129,
      deadlineMs: 8_000,
      journal: 'file',
      b2cFaultRate: 0.045,
      journalFaultRate: 0,
      concurrency: 8,
      killEverySeconds: 15,
      leaseMarginMs: 1_000,
      lateWriteWindowMs: 10_000,
      site: 'realistic',
      sweepEveryMs: 15_000,
      settleMs: 600_000,
    });

    // Assess
    const summary = table(report);
    expect(report.facts.messages, summary).toBe(150);
    expect(
      [...report.b2cFaults.values()].reduce((a, b) => a + b, 0),
      summary,
    ).toBeGreaterThan(0);
    expect(report.twilio?.messages, summary).toBeGreaterThan(0);
    expect(report.sweeps?.passes, summary).toBeGreaterThan(0);
    expect(report.settledAfterS, summary).toBeDefined();
    expect(report.breaches, summary).toEqual(Object.fromEntries(Object.keys(report.breaches).map((k) => [k, 0])));
    expect(breached(report)).toBe(false);
  });
});
