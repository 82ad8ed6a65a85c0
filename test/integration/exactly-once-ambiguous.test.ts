import { afterEach, describe, expect, it } from 'vitest';
import { calls, startTwoContainers, webhook, type TwoContainers } from '../helpers/exactly-once-stack.js';

let stack: TwoContainers | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('writes whose answer is lost are reconciled, not repeated', () => {
  it('creates one incident when B2C Service commits the create and the connection drops', async () => {
    // Prepare
    stack = await startTwoContainers();
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'commit-then-drop', times: 1 });

    // Act
    const res = await stack.post(stack.fns[0], webhook());

    // Assess
    expect(res.status).toBe(200);
    const { incidents } = stack.emulator.state();
    expect(incidents).toHaveLength(1);
    expect(res.json).toMatchObject({ incidentId: incidents[0]!.id, referenceNumber: incidents[0]!.referenceNumber });
    expect(incidents[0]!.threads).toHaveLength(1);
    // The look-alike found is adopted once its note names this message: it came with the incident, nothing is sent again.
    expect(calls(stack.emulator)).toEqual([
      'GET /contacts',
      'POST /contacts',
      'PATCH /contacts/{id}',
      'POST /incidents',
      'GET /incidents',
      'GET /incidents/{id}/threads',
    ]);
    const lookup = stack.emulator.requests().find((r) => r.method === 'GET' && r.resource === '/incidents')!;
    expect(lookup.query.q).toMatch(
      new RegExp(
        `^primaryContact\\.id = ${incidents[0]!.primaryContactId} and createdTime >= '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ' and subject = '`,
      ),
    );
  });

  it('creates one contact when the contact create is committed and its answer lost', async () => {
    // Prepare
    stack = await startTwoContainers();
    stack.emulator.addFault({ method: 'POST', path: '/contacts', action: 'commit-then-drop', times: 1 });

    // Act
    const res = await stack.post(stack.fns[0], webhook());

    // Assess
    expect(res.status).toBe(200);
    const { contacts } = stack.emulator.state();
    expect(contacts).toHaveLength(1);
    expect(contacts[0]!.externalReference).toBe(`sms-incident:${res.json.runId as string}`);
    expect(contacts[0]!.phones).toHaveLength(1);
    expect(res.json).toMatchObject({ contactId: contacts[0]!.id, contactCreated: true });
  });

  it('never sends the note apart nor the create twice when a committed create loses its answer', async () => {
    // Prepare: the next two creates would be committed with their answers dropped
    stack = await startTwoContainers();
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'commit-then-drop', times: 2 });

    // Act
    const res = await stack.post(stack.fns[0], webhook());

    // Assess
    expect(res.status).toBe(200);
    const { incidents } = stack.emulator.state();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.threads).toHaveLength(1);
    // The reconcile adopted the first: the second fault is never met, and no note is sent apart.
    expect(calls(stack.emulator).filter((c) => c.endsWith('/incidents') || c.startsWith('PATCH /incidents'))).toEqual([
      'POST /incidents',
      'GET /incidents',
    ]);
  });

  it('finds the incident by the message id in a custom field when b2cservice_incident_sms_field is set', async () => {
    // Prepare
    stack = await startTwoContainers({ env: { b2cservice_incident_sms_field: 'sms_message_id' } });
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'commit-then-drop', times: 1 });

    // Act
    const res = await stack.post(stack.fns[0], webhook());

    // Assess
    expect(res.status).toBe(200);
    const { incidents } = stack.emulator.state();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.customFields).toEqual({ sms_message_id: 'SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' });
    const lookup = stack.emulator.requests().find((r) => r.method === 'GET' && r.resource === '/incidents')!;
    expect(lookup.query.q).toBe("customFields.c.sms_message_id = 'SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'");
  });
});
