import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../../src/engine/index.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';
import { smsToIncident, type ServiceDesk } from '../../../workflows/sms-to-incident.js';
import { smsNote } from '../../../workflows/sms-content.js';
import { fakeDesk } from '../../helpers/fake-desk.js';
import { sms } from '../../helpers/sample-sms.js';

const terminal = Object.assign(new Error('bad request'), { retryable: false });
const options = () => ({ runId: 'run-1', deadline: T0 + 30_000, clock: new FakeClock(), random: () => 0.5 });
/** The sender is known: a contact carries the number. */
const known = { contacts: [{ id: 3, phones: [sms.from] }] };

describe('smsToIncident', () => {
  it('creates contact, phone, and the incident with its note in one call for a new sender', async () => {
    // Prepare
    const { desk, log, site } = fakeDesk();

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, options());

    // Assess
    expect(result.status).toBe('succeeded');
    expect(result.state).toMatchObject({
      contactId: 7,
      contactCreated: true,
      incidentId: 42,
      referenceNumber: 'ref-42',
      noted: true,
    });
    expect(log).toEqual([
      'findContactByPhone(+14155550101)',
      'createContact(sms-incident:run-1)',
      'addPhone(7,+14155550101)',
      'createIncident(7,help)',
    ]);
    // The note rides with the incident: both exist or neither, and it is never sent twice.
    expect(site.incidents.map((i) => i.notes)).toEqual([[smsNote(sms)]]);
    expect(result.steps.map((s) => s.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'skipped']);
  });

  it('skips create contact and add phone when the sender is known', async () => {
    // Prepare
    const { desk, log } = fakeDesk(known);

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, options());

    // Assess
    expect(result.state).toMatchObject({ contactId: 3, contactCreated: false });
    expect(result.steps.map((s) => `${s.name}:${s.outcome}`)).toEqual([
      'lookup-contact:succeeded',
      'create-contact:skipped',
      'add-phone:skipped',
      'create-incident:succeeded',
      'add-thread:skipped',
    ]);
    expect(log.filter((l) => l.startsWith('createContact('))).toEqual([]);
  });

  it("reads the ledger's contact for the number while the phone search runs, and uses it only when the search finds none", async () => {
    // Prepare: a search that answers after a while; the ledger names contact 9 for the number (not given it yet)
    const { desk, log } = fakeDesk({ contacts: [{ id: 9 }] });
    const search = desk.findContactByPhone;
    desk.findContactByPhone = async (phone, opts) => {
      const found = await search(phone, opts);
      await new Promise((r) => setTimeout(r, 5));
      log.push('search answered');
      return found;
    };
    const ledger = {
      claimIncident: async (_id: number, runId: string) => runId,
      recordContact: async (_phone: string, id: number) => id,
      contactFor: async () => {
        log.push('ledger read');
        return 9;
      },
    };

    // Act
    const result = await runWorkflow(smsToIncident(desk, { ledger }), { sms }, options());

    // Assess: the ledger was read before the search answered, and its contact used (given the number)
    expect(log.slice(0, 3)).toEqual(['findContactByPhone(+14155550101)', 'ledger read', 'search answered']);
    expect(result.state).toMatchObject({ contactId: 9, contactCreated: false });
    expect(log).toContain('addPhone(9,+14155550101)');
  });

  it.each([{ field: undefined }, { field: 'sms_id' }])(
    'never claims the incident it creates in the ledger: its note tells it from look-alikes (field $field)',
    async ({ field }) => {
      // Prepare
      const { desk } = fakeDesk();
      const claimed: string[] = [];
      const ledger = {
        claimIncident: async (id: number, runId: string) => {
          claimed.push(String(id));
          return runId;
        },
        recordContact: async (_phone: string, id: number) => id,
        contactFor: async () => undefined,
      };

      // Act
      const result = await runWorkflow(
        smsToIncident(desk, { ledger, ...(field === undefined ? {} : { incidentSmsField: field }) }),
        { sms },
        options(),
      );

      // Assess: a look-alike's reconcile reads the note's message id (or the field): no journal round trip
      expect(result.status).toBe('succeeded');
      expect(claimed).toEqual([]);
    },
  );

  it('keeps the contact it created once that carries the number, when the incident cannot be created', async () => {
    // Prepare
    const { desk, log } = fakeDesk({ fail: { createIncident: terminal } });

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, options());

    // Assess: another message from the number may have found the contact; deleting it would take its incident along
    expect(result).toMatchObject({ status: 'failed', failedStep: 'create-incident', compensation: 'completed' });
    expect(log.slice(-1)).toEqual(['contactInUse(7)']);
    expect(log).not.toContain('deleteContact(7)');
    // and the record says so, with its reason
    expect(result.compensations.map((c) => [c.step, c.effect, c.reason])).toEqual([
      ['create-contact', 'kept', 'it carries the number: a look-up finds it, other messages may use it'],
    ]);
  });

  /** A run cut off after its incident was created by an earlier version, which sent the note apart: it has none. */
  const adoptsNotelessIncident = (contactId: number) => ({
    incidents: [{ id: 42, subject: 'help', primaryContactId: contactId }],
  });
  const recovering = () => ({ ...options(), info: { recovering: true, startedAt: T0 - 5_000 } });

  it('adds the note to an incident it adopted without one, and deletes that incident when the note fails for good', async () => {
    // Prepare
    const { desk, log } = fakeDesk({ ...known, ...adoptsNotelessIncident(3), fail: { addThread: terminal } });

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, recovering());

    // Assess
    expect(result).toMatchObject({ status: 'failed', failedStep: 'add-thread', compensation: 'completed' });
    expect(result.state).toMatchObject({ incidentId: 42, noted: false });
    expect(log).toContain('addThread(42)');
    expect(log.slice(-1)).toEqual(['deleteIncident(42)']);
    expect(result.compensations.map((c) => [c.step, c.effect])).toEqual([['create-incident', 'deleted']]);
  });

  it('never deletes a contact it did not create', async () => {
    // Prepare
    const { desk, log } = fakeDesk({ ...known, ...adoptsNotelessIncident(3), fail: { addThread: terminal } });

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, recovering());

    // Assess
    expect(result.compensations.map((c) => c.step)).toEqual(['create-incident']);
    expect(log).not.toContain('deleteContact(3)');
  });

  it('deletes the new contact when its phone cannot be added', async () => {
    // Prepare
    const { desk, log } = fakeDesk({ fail: { addPhone: terminal } });

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, options());

    // Assess
    expect(result).toMatchObject({ status: 'failed', failedStep: 'add-phone', compensation: 'completed' });
    expect(log.slice(-2)).toEqual(['contactInUse(7)', 'deleteContact(7)']);
    expect(log).not.toContain('createIncident(7,help)');
    expect(result.compensations).toEqual([
      expect.objectContaining({ step: 'create-contact', outcome: 'succeeded', effect: 'deleted' }),
    ]);
  });

  it('records an undo that found its object gone as already-gone, and a contact an incident still names as kept', async () => {
    // Prepare: the incident is gone before its undo; the contact is still an incident's primary contact
    const gone = Object.assign(new Error('not found'), { status: 404, retryable: false });
    const { desk } = fakeDesk({
      contacts: [{ id: 7, externalReference: 'sms-incident:run-1' }],
      ...adoptsNotelessIncident(7),
      fail: { addThread: terminal, deleteIncident: gone },
    });
    const named: ServiceDesk = { ...desk, contactInUse: async () => ({ incidentId: 42 }) };

    // Act
    const result = await runWorkflow(smsToIncident(named), { sms }, recovering());

    // Assess
    expect(result.compensations.map((c) => [c.step, c.outcome, c.effect, c.reason])).toEqual([
      ['create-incident', 'succeeded', 'already-gone', undefined],
      ['create-contact', 'succeeded', 'kept', 'it is the primary contact of incident 42'],
    ]);
  });
});
