import { describe, expect, it } from 'vitest';
import { claimRun, journalLedger, memoryJournal, runJournaled, type RunJournal } from '../../../src/journal/index.js';
import { smsToIncident, type SmsToIncidentState } from '../../../workflows/sms-to-incident.js';
import { fakeDesk, type FakeDeskOptions } from '../../helpers/fake-desk.js';
import { sms } from '../../helpers/sample-sms.js';

/**
 * The run journal's writes for one webhook, with the real workflow: each is a round trip to Object
 * Storage before the answer or beside a B2C call (docs/performance.md counts them). Since the note rides
 * in POST /incidents, add-thread is skipped for a new incident: create-incident is the last step that
 * runs, and its entry goes with the final record.
 */

async function webhook(site: FakeDeskOptions): Promise<string[]> {
  const inner = memoryJournal();
  /** Journal calls and step ends, in the order they happened. */
  const log: string[] = [];
  const journal: RunJournal = {
    ...inner,
    description: 'logging',
    create: (r) => {
      log.push('claim');
      return inner.create(r);
    },
    update: (r, v) => {
      log.push(`${r.status === 'running' ? 'checkpoint' : 'final'}:${r.steps.map((s) => s.name).join(',')}`);
      return inner.update(r, v);
    },
    createMark: (name, value) => {
      log.push(`mark ${name.split(':')[0]}`);
      return inner.createMark(name, value);
    },
  };
  const now = Date.now();
  const claim = await claimRun(journal, {
    key: 'twilio:SM1',
    runId: 'run-1',
    workflow: 'sms-to-incident',
    provider: 'twilio',
    messageId: 'SM1',
    payloadHash: 'h',
    payload: { sms },
    owner: 'o1',
    now,
    leaseExpiresAt: now + 30_000,
  });
  if (claim.kind !== 'run') throw new Error(`expected a run claim, got ${claim.kind}`);
  const { desk } = fakeDesk(site);
  const outcome = await runJournaled<SmsToIncidentState>({
    journal,
    claimed: claim.claimed,
    owner: 'o1',
    workflow: smsToIncident(desk, { ledger: journalLedger(journal) }),
    initialState: { sms },
    options: {
      deadline: now + 30_000,
      hooks: { onStepEnd: (e) => log.push(`end ${e.record.name}:${e.record.outcome}`) },
    },
    answer: () => ({ status: 200, body: {} }),
  });
  expect(outcome.result.status).toBe('succeeded');
  expect(outcome.saved).toBe(true);
  return log;
}

/** What was written after `step` ended. */
const after = (log: readonly string[], step: string): string[] =>
  log.slice(log.findIndex((l) => l.startsWith(`end ${step}:`)) + 1).filter((l) => !l.startsWith('end '));

describe('journal writes per webhook', () => {
  it('writes only the final record after POST /incidents for a new sender, with the skipped add-thread in it', async () => {
    // Act
    const log = await webhook({});

    // Assess
    expect(log).toContain('end add-thread:skipped');
    expect(after(log, 'create-incident')).toEqual([
      'final:lookup-contact,create-contact,add-phone,create-incident,add-thread',
    ]);
    // The claim, the number's ledger mark, at most one checkpoint per write step before the incident, the final record
    const writes = log.filter((l) => !l.startsWith('end '));
    expect(writes[0]).toBe('claim');
    expect(writes.filter((w) => w.startsWith('checkpoint:')).length).toBeLessThanOrEqual(2);
    expect(writes.filter((w) => w.startsWith('final:'))).toHaveLength(1);
  });

  it('writes the claim and the final record only for a known sender: every other step is a look-up or skipped', async () => {
    // Act
    const log = await webhook({ contacts: [{ id: 3, phones: [sms.from] }] });

    // Assess
    expect(log.filter((l) => !l.startsWith('end '))).toEqual([
      'claim',
      'final:lookup-contact,create-contact,add-phone,create-incident,add-thread',
    ]);
  });
});
