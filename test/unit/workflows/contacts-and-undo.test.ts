import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../../src/engine/index.js';
import { journalLedger, memoryJournal } from '../../../src/journal/index.js';
import { smsNote } from '../../../workflows/sms-content.js';
import { contactMarker, type Ledger, type ServiceDesk, smsToIncident } from '../../../workflows/sms-to-incident.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';
import { fakeDesk } from '../../helpers/fake-desk.js';
import { sms } from '../../helpers/sample-sms.js';

/** The sender's contact with a ledger (number → contact), a recovering run's orphan, undo effects, retry budgets. */

const terminal = (message: string, extra: object = {}) =>
  Object.assign(new Error(message), { retryable: false, inDoubt: false, ...extra });
const options = (info: { recovering?: boolean } = {}) => ({
  runId: 'run-1',
  deadline: T0 + 120_000,
  clock: new FakeClock(),
  random: () => 0.5,
  info,
});
const run = (desk: ServiceDesk, extra: { ledger?: Ledger } = {}, info: { recovering?: boolean } = {}) =>
  runWorkflow(smsToIncident(desk, extra), { sms }, options(info));

describe('smsToIncident with a ledger: one contact per number', () => {
  it('uses the contact the ledger names when the search does not show it yet, and gives it the number', async () => {
    // Prepare: contact 9 was made for the number by another run, which died before giving it the number
    const { desk, log } = fakeDesk({ contacts: [{ id: 9 }] });
    const ledger = journalLedger(memoryJournal());
    await ledger.recordContact(sms.from, 9);

    // Act
    const result = await run(desk, { ledger });

    // Assess
    expect(result.status).toBe('succeeded');
    expect(result.state).toMatchObject({ contactId: 9, contactCreated: false, contactNeedsPhone: true });
    expect(log.filter((l) => /^(create|add)/.test(l))).toEqual(['addPhone(9,+14155550101)', 'createIncident(9,help)']);
  });

  it('uses the contact the ledger names that already has the number a lagging search does not show yet: no second PATCH', async () => {
    const { desk, log } = fakeDesk({ contacts: [{ id: 9, phones: [sms.from] }] });
    // The search lags: it does not show contact 9 with the number yet.
    const lagging: ServiceDesk = { ...desk, findContactByPhone: async () => undefined };
    const ledger = journalLedger(memoryJournal());
    await ledger.recordContact(sms.from, 9);

    const result = await run(lagging, { ledger });

    expect(result.status).toBe('succeeded');
    expect(result.state).toMatchObject({ contactId: 9, contactCreated: false });
    expect(result.state).not.toHaveProperty('contactNeedsPhone');
    expect(log.filter((l) => /^(create|add)/.test(l))).toEqual(['createIncident(9,help)']);
  });

  it('never takes the number back from a contact an agent gave another number: the number gets a contact of its own', async () => {
    // Prepare: contact 9 was made for the number; an agent has since changed its mobile number (a new phone)
    const { desk, log, site } = fakeDesk({ contacts: [{ id: 9, phones: ['+14155550199'] }] });
    const ledger = journalLedger(memoryJournal());
    await ledger.recordContact(sms.from, 9);

    // Act
    const result = await run(desk, { ledger });

    // Assess: contact 9 keeps the agent's number; a new contact holds the sender's, and the ledger names it
    expect(result.status).toBe('succeeded');
    expect(result.state).toMatchObject({ contactCreated: true, replacesContactId: 9 });
    const made = result.state.contactId;
    expect(made).not.toBe(9);
    expect(site.contacts.find((c) => c.id === 9)?.phones).toEqual(['+14155550199']);
    expect(site.contacts.find((c) => c.id === made)?.phones).toEqual([sms.from]);
    expect(log).not.toContain('addPhone(9,+14155550101)');
    expect(await ledger.contactFor(sms.from)).toBe(made);
  });

  it('drops its own new contact for the one another run recorded first, and never deletes that one', async () => {
    // Prepare: the ledger was empty at the look-up; another run recorded contact 5 before this one's add-phone
    const { desk, site, log } = fakeDesk({
      contacts: [{ id: 5, phones: [] }],
      fail: { createIncident: terminal('bad') },
    });
    const ledger: Ledger = {
      contactFor: async () => undefined,
      recordContact: async () => 5,
      claimIncident: async (_id, runId) => runId,
    };

    // Act
    const result = await run(desk, { ledger });

    // Assess: its own contact 7 deleted at once; the incident tried on 5; 5 kept as another run's
    expect(log).toContain('deleteContact(7)');
    expect(log).toContain('createIncident(5,help)');
    expect(site.contacts.map((c) => c.id)).toEqual([5]);
    expect(result.compensations.map((c) => [c.step, c.effect, c.reason])).toEqual([
      ['create-contact', 'kept', "another run's contact for the number: not this run's to delete"],
    ]);
  });

  it("keeps the contact it made when the ledger names it the number's contact, though it has no phone yet", async () => {
    // Prepare
    const { desk, site } = fakeDesk({ fail: { addPhone: terminal('refused') } });
    const ledger = journalLedger(memoryJournal());

    // Act
    const result = await run(desk, { ledger });

    // Assess
    expect(result).toMatchObject({ status: 'failed', failedStep: 'add-phone' });
    expect(result.compensations.map((c) => [c.step, c.effect, c.reason])).toEqual([
      ['create-contact', 'kept', "the ledger records it as the number's contact: other messages use it"],
    ]);
    expect(site.contacts.map((c) => c.id)).toEqual([7]);
  });

  it('deletes the contact it made when the ledger names another one', async () => {
    // Prepare
    const { desk, site } = fakeDesk({ fail: { addPhone: terminal('refused') } });
    const ledger: Ledger = {
      contactFor: async () => undefined,
      recordContact: async (_phone, id) => id,
      claimIncident: async (_id, runId) => runId,
    };

    // Act
    const result = await run(desk, { ledger });

    // Assess
    expect(result.compensations.map((c) => [c.step, c.effect])).toEqual([['create-contact', 'deleted']]);
    expect(site.contacts).toEqual([]);
  });
});

describe('smsToIncident: a recovering run and its own orphan contact', () => {
  it("deletes the contact an earlier execution made (found by its marker) when the number's contact is another", async () => {
    // Prepare: 3 carries the number; 8 is this run's, made before it was cut off, never given the number
    const { desk, site, log } = fakeDesk({
      contacts: [
        { id: 3, phones: [sms.from] },
        { id: 8, externalReference: contactMarker('run-1') },
      ],
    });

    // Act
    const result = await run(desk, {}, { recovering: true });

    // Assess
    expect(result.state).toMatchObject({ contactId: 3 });
    expect(log).toContain('deleteContact(8)');
    expect(site.contacts.map((c) => c.id)).toEqual([3]);
  });

  it('keeps it when it is the contact the look-up found, and looks for no orphan on a first execution', async () => {
    // Prepare
    const own = { id: 8, externalReference: contactMarker('run-1'), phones: [sms.from] };
    const recovering = fakeDesk({ contacts: [own] });
    const first = fakeDesk({
      contacts: [
        { id: 3, phones: [sms.from] },
        { ...own, phones: [] },
      ],
    });

    // Act
    await run(recovering.desk, {}, { recovering: true });
    await run(first.desk);

    // Assess
    expect(recovering.site.contacts.map((c) => c.id)).toEqual([8]);
    expect(first.log.filter((l) => l.startsWith('findContactByExternalReference'))).toEqual([]);
    expect(first.site.contacts.map((c) => c.id)).toEqual([3, 8]);
  });
});

describe('smsToIncident: the note in doubt', () => {
  it('finds its note among others on the incident it adopts, and does not add it again', async () => {
    // Prepare: a recovering run; its incident carries another message's note and ours
    const other = smsNote({ ...sms, messageId: 'SM0' });
    const { desk, site, log } = fakeDesk({
      contacts: [{ id: 3, phones: [sms.from] }],
      incidents: [{ id: 100, subject: 'help', primaryContactId: 3, notes: [other, smsNote(sms)] }],
    });

    // Act
    const result = await run(desk, {}, { recovering: true });

    // Assess
    expect(result.state).toMatchObject({ incidentId: 100 });
    expect(log.filter((l) => l.startsWith('addThread('))).toEqual([]);
    expect(site.incidents.map((i) => i.notes)).toEqual([[other, smsNote(sms)]]);
  });

  it('with the custom field, does not adopt an incident noting another message: it makes its own', async () => {
    // Prepare: the field says SM1, the note says SM0 (an agent pasted it): not provably ours
    const other = smsNote({ ...sms, messageId: 'SM0' });
    const { desk, site } = fakeDesk({
      contacts: [{ id: 3, phones: [sms.from] }],
      incidents: [{ id: 100, subject: 'help', primaryContactId: 3, field: 'SM1', notes: [other] }],
    });

    // Act
    const result = await runWorkflow(
      smsToIncident(desk, { incidentSmsField: 'sms_id' }),
      { sms },
      options({ recovering: true }),
    );

    // Assess
    expect(result.status).toBe('succeeded');
    expect(result.state.incidentId).not.toBe(100);
    expect(site.incidents.find((i) => i.id === 100)?.notes).toEqual([other]);
    expect(site.incidents.find((i) => i.id === result.state.incidentId)?.notes).toContain(smsNote(sms));
  });
});

describe('smsToIncident: undo effects and retry budgets', () => {
  it('fails the undo of an incident whose delete fails otherwise than 404', async () => {
    // Prepare
    // Prepare: a recovering run adopts a note-less incident (an earlier version's, which sent the note apart)
    const { desk } = fakeDesk({
      contacts: [{ id: 3, phones: [sms.from] }],
      incidents: [{ id: 42, subject: 'help', primaryContactId: 3 }],
      fail: { addThread: terminal('bad'), deleteIncident: terminal('server error', { status: 500 }) },
    });

    // Act
    const result = await run(desk, {}, { recovering: true });

    // Assess
    expect(result.compensation).toBe('failed');
    expect(result.compensations[0]).toMatchObject({ step: 'create-incident', outcome: 'failed' });
  });

  it('tries a look-up 4 times, a write 3 times, an undo 4 times, backing off as documented', async () => {
    // Prepare: everything retryable fails, not in doubt
    const busy = Object.assign(new Error('503'), { retryable: true, inDoubt: false });
    const lookup = fakeDesk({ fail: { findContactByPhone: busy } });
    const write = fakeDesk({ fail: { addPhone: busy, deleteContact: busy } });

    // Act
    const a = await run(lookup.desk);
    const b = await run(write.desk);

    // Assess
    const attempts = (r: typeof a, step: string) => r.steps.find((s) => s.name === step)?.attempts ?? [];
    expect(attempts(a, 'lookup-contact')).toHaveLength(4);
    // random 0.5: half of each policy delay (200, 400, 800 ms for a read)
    expect(attempts(a, 'lookup-contact').map((x) => x.backoffMs)).toEqual([100, 200, 400, undefined]);
    expect(attempts(b, 'add-phone')).toHaveLength(3);
    expect(attempts(b, 'add-phone').map((x) => x.backoffMs)).toEqual([500, 1_000, undefined]);
    expect(b.compensations[0]?.attempts).toHaveLength(4);
    expect(b.compensations[0]?.attempts.map((x) => x.backoffMs)).toEqual([250, 500, 1_000, undefined]);
  });

  it('makes the contact as "SMS User" with its run marker, in a workflow named sms-to-incident', async () => {
    // Prepare
    const { desk } = fakeDesk();
    const made: unknown[] = [];
    const recording: ServiceDesk = {
      ...desk,
      createContact: (c, o) => {
        made.push(c);
        return desk.createContact(c, o);
      },
    };

    // Act
    const result = await run(recording);

    // Assess
    expect(made).toEqual([{ firstName: 'SMS', lastName: 'User', externalReference: contactMarker('run-1') }]);
    expect(result.workflow).toBe('sms-to-incident');
    expect(contactMarker('run-1')).toBe('sms-incident:run-1');
  });
});
