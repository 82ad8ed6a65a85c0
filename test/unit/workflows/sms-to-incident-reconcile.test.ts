import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../../src/engine/index.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';
import { contactMarker, inDoubt, settledAt, smsToIncident } from '../../../workflows/sms-to-incident.js';
import { smsNote } from '../../../workflows/sms-content.js';
import { fakeDesk } from '../../helpers/fake-desk.js';
import { sms } from '../../helpers/sample-sms.js';

const lost = Object.assign(new Error('socket hang up'), { retryable: true, inDoubt: 'settled' });
const throttled = Object.assign(new Error('503'), { retryable: true, inDoubt: false });

const options = (info: { startedAt?: number; recovering?: boolean } = {}) => ({
  runId: 'run-1',
  deadline: T0 + 60_000,
  clock: new FakeClock(),
  random: () => 0,
  info,
});

/** The first call fails: its write applied (an answer lost) or not (refused). */
const lostOnce = (error: Error) => ({ error, applied: true, times: 1 });
const refusedOnce = (error: Error) => ({ error, times: 1 });

describe('smsToIncident: ambiguous outcomes are reconciled, not retried blindly', () => {
  it('adopts the contact a lost create made, found by its run marker', async () => {
    // Prepare
    const { desk, site, log } = fakeDesk({ fail: { createContact: lostOnce(lost) } });

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, options());

    // Assess
    expect(result.status).toBe('succeeded');
    expect(site.contacts).toHaveLength(1);
    expect(result.state).toMatchObject({ contactId: 7, contactCreated: true });
    expect(log.slice(0, 3)).toEqual([
      'findContactByPhone(+14155550101)',
      `createContact(${contactMarker('run-1')})`,
      `findContactByExternalReference(${contactMarker('run-1')})`,
    ]);
  });

  it('adopts the incident a lost create made: same contact, same subject, created since the run started (less skew)', async () => {
    // Prepare
    const { desk, site, log } = fakeDesk({ fail: { createIncident: lostOnce(lost) } });

    // Act
    const result = await runWorkflow(
      smsToIncident(desk),
      { sms },
      options({ startedAt: Date.parse('2026-11-27T10:00:30.500Z') }),
    );

    // Assess
    expect(result.status).toBe('succeeded');
    expect(site.incidents).toHaveLength(1);
    expect(result.state).toMatchObject({ incidentId: 42, referenceNumber: 'ref-42' });
    expect(log).toContain('findIncidents(7,2026-11-27T09:59:30Z,help)');
    expect(log.filter((l) => l.startsWith('createIncident('))).toHaveLength(1);
  });

  it('looks the incident up by the custom field alone when one is configured', async () => {
    // Prepare
    const { desk, site, log } = fakeDesk({ fail: { createIncident: lostOnce(lost) } });

    // Act
    const result = await runWorkflow(smsToIncident(desk, { incidentSmsField: 'sms_id' }), { sms }, options());

    // Assess
    expect(result.status).toBe('succeeded');
    expect(site.incidents).toEqual([expect.objectContaining({ field: 'SM1' })]);
    expect(log).toContain('findIncidents(field=SM1)');
  });

  it('creates again without a look-up when the failure says nothing was written (throttling)', async () => {
    // Prepare
    const { desk, site, log } = fakeDesk({ fail: { createIncident: refusedOnce(throttled) } });

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, options());

    // Assess
    expect(result.status).toBe('succeeded');
    expect(site.incidents).toHaveLength(1);
    expect(log.some((l) => l.startsWith('findIncidents'))).toBe(false);
    expect(log.filter((l) => l.startsWith('createIncident('))).toHaveLength(2);
  });

  it('does not add the note twice when a lost answer had added it (to an incident adopted without it)', async () => {
    // Prepare: a recovering run adopts a note-less incident (an earlier version's, which sent the note apart)
    const { desk, site, log } = fakeDesk({
      contacts: [{ id: 3, phones: [sms.from] }],
      incidents: [{ id: 42, subject: 'help', primaryContactId: 3 }],
      fail: { addThread: lostOnce(lost) },
    });

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, options({ recovering: true, startedAt: T0 }));

    // Assess
    expect(result.status).toBe('succeeded');
    expect(log.filter((l) => l.startsWith('addThread('))).toEqual(['addThread(42)']);
    expect(site.incidents.map((i) => i.notes)).toEqual([[smsNote(sms)]]);
  });

  it('checks before every write of a recovering run (an earlier execution was cut off)', async () => {
    // Prepare
    const { desk, log } = fakeDesk();

    // Act
    await runWorkflow(smsToIncident(desk), { sms }, options({ recovering: true, startedAt: 0 }));

    // Assess
    expect(log.filter((l) => /^find|^threadTexts/.test(l))).toEqual([
      'findContactByPhone(+14155550101)',
      `findContactByExternalReference(${contactMarker('run-1')})`,
      'findIncidents(7,1969-12-31T23:59:00Z,help)',
    ]);
  });
});

const run = { startedAt: 0, executionStartedAt: 0, recovering: false };
const attempts = (...errors: { error: unknown; inDoubt: false | 'settled' | 'in-flight'; endedAt?: number }[]) => ({
  run,
  earlierAttempts: errors.map((e, i) => ({
    attempt: i + 1,
    startedAt: 0,
    endedAt: e.endedAt ?? 0,
    error: e.error,
    inDoubt: e.inDoubt,
  })),
});
const lostAttempt = { error: lost, inDoubt: 'settled' as const };
const throttledAttempt = { error: throttled, inDoubt: false as const };

describe('inDoubt', () => {
  it('is true for a recovering run, or after an attempt the engine read as in doubt; false for a first attempt or a refusal', () => {
    expect(inDoubt({ ...attempts(), run: { ...run, recovering: true } })).toBe(true);
    expect(inDoubt(attempts(lostAttempt))).toBe(true);
    expect(inDoubt(attempts({ error: new Error('timed out'), inDoubt: 'in-flight' }))).toBe(true);
    expect(inDoubt(attempts())).toBe(false);
    expect(inDoubt(attempts(throttledAttempt))).toBe(false);
  });

  it('remembers a doubt after a later attempt failed otherwise (its reconcile read was throttled)', () => {
    expect(inDoubt(attempts(lostAttempt, throttledAttempt))).toBe(true);
  });
});

describe('settledAt', () => {
  it('waits out the search lag after a write that was answered, and the late-write window too after one left in flight', () => {
    expect(settledAt(attempts(), 10_000, 2_000)).toBe(0);
    expect(settledAt(attempts({ ...lostAttempt, endedAt: 100 }), 10_000, 2_000)).toBe(2_100);
    expect(
      settledAt(attempts({ error: new Error('timed out'), inDoubt: 'in-flight', endedAt: 100 }), 10_000, 2_000),
    ).toBe(12_100);
    expect(
      settledAt(attempts({ ...lostAttempt, endedAt: 100 }, { ...throttledAttempt, endedAt: 5_000 }), 10_000, 2_000),
    ).toBe(2_100);
  });

  it('for a recovering run, counts from this execution start and from when an earlier one abandoned a write', () => {
    expect(
      settledAt({ ...attempts(), run: { startedAt: 0, executionStartedAt: 500, recovering: true } }, 10_000, 2_000),
    ).toBe(2_500);
    expect(
      settledAt(
        { ...attempts(), run: { startedAt: 0, executionStartedAt: 500, recovering: true, abandonedAt: 300 } },
        10_000,
        2_000,
      ),
    ).toBe(12_300);
  });
});
