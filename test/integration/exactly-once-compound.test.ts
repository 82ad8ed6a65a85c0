import { afterEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { calls, FROM, startTwoContainers, until, webhook, type TwoContainers } from '../helpers/exactly-once-stack.js';

/**
 * Faults that chain, each one of the six cases through the real fdk, two function
 * processes sharing a file journal, and the emulator over HTTP.
 */

let stack: TwoContainers | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const sid = (n: number): string => `SM${String(n).padStart(32, '0')}`;
const digits = FROM.slice(1);

/** Incidents with the SMS notes on each (by the message id they name). */
function notesByIncident(emulator: RunningEmulator): { id: number; contactId: number; notes: string[] }[] {
  return emulator.state().incidents.map((i) => ({
    id: i.id,
    contactId: i.primaryContactId,
    notes: i.threads.map((t) => /^Message ID: (.*)$/m.exec(t.text)?.[1] ?? '?'),
  }));
}

function contactsWithNumber(emulator: RunningEmulator): number[] {
  return emulator
    .state()
    .contacts.filter((c) => c.phones.some((p) => p.rawNumber === digits))
    .map((c) => c.id);
}

describe('exactly once when faults chain', () => {
  it.each([
    { what: 'incident', write: { method: 'POST', path: '/incidents' }, read: { method: 'GET', path: '/incidents' } },
    { what: 'contact', write: { method: 'POST', path: '/contacts' }, read: { method: 'GET', path: '/contacts' } },
    {
      what: "incident (its note's read)",
      write: { method: 'POST', path: '/incidents' },
      read: { method: 'GET', path: '/incidents/*/threads' },
    },
  ])(
    '1. keeps an unknown $what outcome unknown after its reconcile read fails, and reads again before writing',
    async ({ write, read }) => {
      // Prepare: the write is applied and its answer lost; then the read that would tell gets a 503
      stack = await startTwoContainers();
      stack.emulator.addFault({
        ...write,
        action: 'commit-then-drop',
        times: 1,
        then: { ...read, action: 'status', status: 503, times: 1 },
      });

      // Act
      const res = await stack.post(stack.fns[0], webhook());

      // Assess
      expect(res.status).toBe(200);
      const { contacts } = stack.emulator.state();
      expect(contacts).toHaveLength(1);
      expect(contacts[0]!.phones).toHaveLength(1);
      expect(notesByIncident(stack.emulator)).toEqual([
        { id: res.json.incidentId, contactId: contacts[0]!.id, notes: ['SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'] },
      ]);
      // The throttled read was retried, never skipped.
      expect(stack.emulator.requests().filter((r) => r.status === 503)).toHaveLength(1);
    },
  );

  it('2. treats running out of time as retryable: the next delivery runs the message again', async () => {
    // Prepare: B2C Service asks for a pause longer than the whole deadline
    stack = await startTwoContainers();
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 503,
      nextRequestAfterMs: 120_000,
      times: 1,
    });
    const first = await stack.post(stack.fns[0], webhook());

    // Act
    const second = await stack.post(stack.fns[1], webhook());

    // Assess
    expect(first.status).toBe(504);
    expect(first.json).toMatchObject({
      failedStep: 'create-incident',
      error: { type: 'DeadlineExceededError', retryable: true },
    });
    expect(second.status).toBe(200);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(notesByIncident(stack.emulator)).toEqual([
      { id: second.json.incidentId, contactId: expect.any(Number), notes: ['SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'] },
    ]);
  });

  it('3. waits out a write it abandoned before sending it again, and adopts what it applied late', async () => {
    // Prepare: the create is applied 12 s after it arrives, 4 s after the 8 s call timeout gave up on it
    // Twilio's patience raised: this run waits out the window within one delivery (with 15 s it would answer 504 and
    // leave the adoption to the next delivery: exactly-once-identity.test.ts)
    stack = await startTwoContainers({ env: { b2cservice_late_write_window_ms: '6000', twilio_patience_ms: '30000' } });
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'delay', delayMs: 12_000, times: 1 });

    // Act
    const res = await stack.post(stack.fns[0], webhook());

    // Assess
    expect(res.status).toBe(200);
    expect(notesByIncident(stack.emulator)).toEqual([
      { id: res.json.incidentId, contactId: expect.any(Number), notes: ['SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'] },
    ]);
    expect(stack.emulator.requests().filter((r) => r.method === 'POST' && r.resource === '/incidents')).toHaveLength(1);
  });

  it('4. reads the contact look-up again on restart: another message from the number created the contact meanwhile', async () => {
    // Prepare: message 1 sees no contact, then cannot create one (503 on every attempt) and fails, retryably
    stack = await startTwoContainers();
    stack.emulator.addFault({ method: 'POST', path: '/contacts', action: 'status', status: 503, times: 3 });
    const failed = await stack.post(stack.fns[0], webhook({ sid: sid(1), body: 'first' }));
    const other = await stack.post(stack.fns[1], webhook({ sid: sid(2), body: 'second' }));

    // Act
    const redelivered = await stack.post(stack.fns[0], webhook({ sid: sid(1), body: 'first' }));

    // Assess
    expect(failed.status).toBe(502);
    expect(failed.json).toMatchObject({ failedStep: 'create-contact', error: { retryable: true } });
    expect(other.status).toBe(200);
    expect(redelivered.status).toBe(200);
    expect(contactsWithNumber(stack.emulator)).toEqual([other.json.contactId]);
    expect(redelivered.json).toMatchObject({ contactId: other.json.contactId, contactCreated: false });
    expect(notesByIncident(stack.emulator).map((i) => i.notes)).toEqual([[sid(2)], [sid(1)]]);
  });

  it("5. never undoes a contact another message relies on: its DELETE would take that message's incident along", async () => {
    // Prepare: message 1 creates the contact, then its incident is refused (slowly); meanwhile message 2 finds the contact
    stack = await startTwoContainers();
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 400,
      errorCode: 'OSC-CREST-00006',
      delayMs: 3_000,
      times: 1,
    });
    const first = stack.post(stack.fns[0], webhook({ sid: sid(1), body: 'first' }));
    await until(() => contactsWithNumber(stack!.emulator).length === 1, 10_000);

    // Act
    const second = await stack.post(stack.fns[1], webhook({ sid: sid(2), body: 'second' }));
    const failed = await first;

    // Assess
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ contactCreated: false });
    expect(failed.status).toBe(502);
    expect(failed.json).toMatchObject({ failedStep: 'create-incident', compensation: 'completed' });
    expect(contactsWithNumber(stack.emulator)).toEqual([second.json.contactId]);
    expect(notesByIncident(stack.emulator)).toEqual([
      { id: second.json.incidentId, contactId: second.json.contactId, notes: [sid(2)] },
    ]);
    expect(stack.emulator.requests().some((r) => r.method === 'DELETE' && r.resource.startsWith('/contacts/'))).toBe(
      false,
    );
  });

  it('6. adopts its own incident, not the look-alike of an earlier message with the same sender and text', async () => {
    // Prepare: "yes" from one number, twice within a minute; the second loses the answer of its create
    stack = await startTwoContainers();
    const first = await stack.post(stack.fns[0], webhook({ sid: sid(1), body: 'yes' }));
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'commit-then-drop', times: 1 });

    // Act
    const second = await stack.post(stack.fns[1], webhook({ sid: sid(2), body: 'yes' }));

    // Assess
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.json.incidentId).not.toBe(first.json.incidentId);
    expect(notesByIncident(stack.emulator)).toEqual([
      { id: first.json.incidentId, contactId: first.json.contactId, notes: [sid(1)] },
      { id: second.json.incidentId, contactId: first.json.contactId, notes: [sid(2)] },
    ]);
  });

  it("7. deletes its own phoneless contact on restart when another message has made the number's contact meanwhile", async () => {
    // Prepare: message 1's contact is created after its container died, before the step was journaled;
    // message 2 from the same number finds no contact with the number and creates one
    stack = await startTwoContainers({ timeoutMs: 8_000, env: { b2cservice_late_write_window_ms: '0' } });
    const [a, b] = stack.fns;
    for (const fn of [a, b]) expect((await stack.post(fn, '{}')).status).toBe(400);
    stack.emulator.addFault({ method: 'POST', path: '/contacts', action: 'delay', delayMs: 2_000, times: 1 });
    const inFlight = stack.post(a, webhook({ sid: sid(1), body: 'first' }));
    await until(() => calls(stack!.emulator).includes('POST /contacts'));
    a.kill('SIGKILL');
    await inFlight;
    await until(() => stack!.emulator.state().contacts.length === 1);
    const other = await stack.post(b, webhook({ sid: sid(2), body: 'second' }));

    // Act: message 1 redelivered until the dead container's lease has expired
    let redelivered = await stack.post(b, webhook({ sid: sid(1), body: 'first' }));
    for (let i = 0; redelivered.status === 503 && i < 20; i++) {
      await new Promise((r) => setTimeout(r, Number(redelivered.headers['retry-after'] ?? 1) * 1000));
      redelivered = await stack.post(b, webhook({ sid: sid(1), body: 'first' }));
    }

    // Assess: one contact for the number, message 1's phoneless one gone, each message its incident
    expect(other.status).toBe(200);
    expect(other.json).toMatchObject({ contactCreated: true });
    expect(redelivered.status).toBe(200);
    expect(redelivered.json).toMatchObject({ contactId: other.json.contactId, contactCreated: false });
    expect(stack.emulator.state().contacts.map((c) => c.id)).toEqual([other.json.contactId]);
    expect(notesByIncident(stack.emulator).map((i) => i.notes)).toEqual([[sid(2)], [sid(1)]]);
  });
});
