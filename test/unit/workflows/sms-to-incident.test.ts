import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../../src/engine/index.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';
import type { InboundSms } from '../../../src/inbound/index.js';
import { smsToIncident, type ServiceDesk } from '../../../workflows/sms-to-incident.js';
import { fakeDesk } from '../../helpers/fake-desk.js';

const sms: InboundSms = {
  provider: 'twilio',
  messageId: 'SM1',
  from: '+14155550101',
  to: '+15558675310',
  text: 'help',
  media: [],
};

const terminal = Object.assign(new Error('bad request'), { retryable: false });
const options = () => ({ runId: 'run-1', deadline: T0 + 30_000, clock: new FakeClock(), random: () => 0.5 });
/** The sender is known: a contact carries the number. */
const known = { contacts: [{ id: 3, phones: [sms.from] }] };

describe('smsToIncident', () => {
  it('creates contact, phone, incident and note for a new sender', async () => {
    // Prepare
    const { desk, log } = fakeDesk();

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, options());

    // Assess
    expect(result.status).toBe('succeeded');
    expect(result.state).toMatchObject({
      contactId: 7,
      contactCreated: true,
      incidentId: 42,
      referenceNumber: 'ref-42',
    });
    expect(log).toEqual([
      'findContactByPhone(+14155550101)',
      'createContact(sms-incident:run-1)',
      'addPhone(7,+14155550101)',
      'createIncident(7,help)',
      'addThread(42)',
    ]);
    expect(result.steps.map((s) => s.outcome)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
    ]);
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
      'add-thread:succeeded',
    ]);
    expect(log.filter((l) => l.startsWith('createContact('))).toEqual([]);
  });

  it('deletes the incident and keeps the contact it created once that carries the number, when the note fails for good', async () => {
    // Prepare
    const { desk, log } = fakeDesk({ fail: { addThread: terminal } });

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, options());

    // Assess: another message from the number may have found the contact; deleting it would take its incident along
    expect(result).toMatchObject({ status: 'failed', failedStep: 'add-thread', compensation: 'completed' });
    expect(log.slice(-2)).toEqual(['deleteIncident(42)', 'contactInUse(7)']);
    expect(log).not.toContain('deleteContact(7)');
    // and the record says so: deleted, and kept with its reason
    expect(result.compensations.map((c) => [c.step, c.effect, c.reason])).toEqual([
      ['create-incident', 'deleted', undefined],
      ['create-contact', 'kept', 'it carries the number: a look-up finds it, other messages may use it'],
    ]);
  });

  it('never deletes a contact it did not create', async () => {
    // Prepare
    const { desk, log } = fakeDesk({ ...known, fail: { addThread: terminal } });

    // Act
    const result = await runWorkflow(smsToIncident(desk), { sms }, options());

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
    const { desk } = fakeDesk({ fail: { addThread: terminal, deleteIncident: gone } });
    const named: ServiceDesk = { ...desk, contactInUse: async () => ({ incidentId: 42 }) };

    // Act
    const result = await runWorkflow(smsToIncident(named), { sms }, options());

    // Assess
    expect(result.compensations.map((c) => [c.step, c.outcome, c.effect, c.reason])).toEqual([
      ['create-incident', 'succeeded', 'already-gone', undefined],
      ['create-contact', 'succeeded', 'kept', 'it is the primary contact of incident 42'],
    ]);
  });
});
