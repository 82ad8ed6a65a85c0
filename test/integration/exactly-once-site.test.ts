import { afterEach, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/index.js';
import { FROM, startTwoContainers, webhook, type TwoContainers } from '../helpers/exactly-once-stack.js';
import { CREDENTIALS } from '../helpers/stack.js';

/**
 * A site that strays as real ones do (emulator faults and quirks, docs/local-stack.md): a write
 * applied and then answered with a proxy's bare 500, searches that lag the writes, thread text
 * stored with CRLF and trimmed, look-alikes whose creates were both in doubt. Through the real fdk,
 * two function processes sharing a file journal, the emulator over HTTP.
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
    notes: i.threads.map((t) => /^Message ID: (.*?)\r?$/m.exec(t.text)?.[1] ?? '?'),
  }));
}

const writes = (emulator: RunningEmulator, method: string, resource: string): number =>
  emulator.requests().filter((r) => r.method === method && r.resource === resource).length;

describe('exactly once against a site that strays', () => {
  it.each([
    { what: 'incident', fault: { method: 'POST', path: '/incidents' } },
    { what: 'contact', fault: { method: 'POST', path: '/contacts' } },
  ])(
    'never makes a second $what when the write was applied and answered with a bare 500 (HTML body)',
    async ({ fault }) => {
      // Prepare
      stack = await startTwoContainers();
      stack.emulator.addFault({ ...fault, action: 'commit-then-status', status: 500, body: 'html', times: 1 });

      // Act
      const res = await stack.post(stack.fns[0], webhook());

      // Assess
      expect(res.status).toBe(200);
      expect(stack.emulator.state().contacts).toHaveLength(1);
      expect(notesByIncident(stack.emulator)).toEqual([
        { id: res.json.incidentId, contactId: res.json.contactId, notes: ['SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'] },
      ]);
    },
  );

  it('knows its note by the message id when the site stores it with CRLF and trims it, the SMS text empty', async () => {
    // Prepare: the incident (its note with it) is applied and its answer lost; the site rewrites the text it stores
    stack = await startTwoContainers();
    stack.emulator.setQuirks({ threadLineEnds: 'crlf', threadTrim: 'lines' });
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'commit-then-drop', times: 1 });

    // Act: a media-only MMS (empty text)
    const res = await stack.post(
      stack.fns[0],
      webhook({
        body: '',
        num_media: '1',
        subresource_uris: { media: '/2010-04-01/Accounts/AC/Messages/SM/Media.json' },
      }),
    );

    // Assess
    expect(res.status).toBe(200);
    expect(writes(stack.emulator, 'POST', '/incidents')).toBe(1);
    expect(notesByIncident(stack.emulator)).toEqual([
      { id: res.json.incidentId, contactId: res.json.contactId, notes: ['SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'] },
    ]);
  });

  it('keeps looking while the searches lag before writing again: one incident after a dropped create', async () => {
    // Prepare: searches read a replica 1.5 s behind; the create is applied and its connection dropped. The write
    // is applied at once, so no late-write window is needed: only the search lag stands between the run and a
    // second incident.
    stack = await startTwoContainers({ env: { b2cservice_late_write_window_ms: '0' } });
    stack.emulator.setQuirks({ searchLagMs: 1_500 });
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'commit-then-drop', times: 1 });

    // Act
    const res = await stack.post(stack.fns[0], webhook());

    // Assess
    expect(res.status).toBe(200);
    expect(notesByIncident(stack.emulator)).toEqual([
      { id: res.json.incidentId, contactId: res.json.contactId, notes: ['SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'] },
    ]);
  });

  it('passes over an incident an agent deleted that a lagging search still lists, and adopts its own', async () => {
    // Prepare: searches read a replica 3 s behind. An earlier "help" from the sender made incident X; an agent
    // deletes X once the searches show it; a second "help" then has its create applied and its answer lost.
    // The function is told how far the searches lag (as `doctor` measures it).
    stack = await startTwoContainers({
      env: { b2cservice_late_write_window_ms: '0', b2cservice_search_lag_ms: '3500' },
    });
    stack.emulator.setQuirks({ searchLagMs: 3_000 });
    const first = await stack.post(stack.fns[0], webhook({ sid: sid(1), body: 'help' }));
    await new Promise((r) => setTimeout(r, 3_500));
    const removed = await fetch(`${stack.emulator.url}/services/rest/connect/v1.4/incidents/${first.json.incidentId}`, {
      method: 'DELETE',
      headers: {
        authorization: `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`,
        'osvc-crest-application-context': 'sms-incident',
      },
    });
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'commit-then-drop', times: 1 });

    // Act
    const second = await stack.post(stack.fns[1], webhook({ sid: sid(2), body: 'help' }));

    // Assess: the reconcile read X's threads (404: gone) and went on; one incident with the second message's note
    expect(removed.status).toBe(200);
    expect(second.status).toBe(200);
    const threadReads = stack.emulator
      .requests()
      .filter((r) => r.method === 'GET' && r.resource === `/incidents/${first.json.incidentId}/threads`);
    expect(threadReads.map((r) => r.status)).toContain(404);
    expect(writes(stack.emulator, 'POST', '/incidents')).toBe(2);
    expect(notesByIncident(stack.emulator)).toEqual([
      { id: second.json.incidentId, contactId: second.json.contactId, notes: [sid(2)] },
    ]);
  });

  it('gives a number whose contact it just made no second contact while the phone search lags', async () => {
    // Prepare: searches read a replica 1.5 s behind
    stack = await startTwoContainers();
    stack.emulator.setQuirks({ searchLagMs: 1_500 });
    const first = await stack.post(stack.fns[0], webhook({ sid: sid(1), body: 'first' }));

    // Act: the second message from the new number, before the search shows its contact
    const second = await stack.post(stack.fns[1], webhook({ sid: sid(2), body: 'second' }));

    // Assess
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ contactId: first.json.contactId, contactCreated: false });
    const owners = stack.emulator.state().contacts.filter((c) => c.phones.some((p) => p.rawNumber === digits));
    expect(owners.map((c) => c.id)).toEqual([first.json.contactId]);
    expect(stack.emulator.state().contacts).toHaveLength(1);
  });

  it("keeps the contact the journal's ledger names for a new number when its run fails, and gives it the number later", async () => {
    // Prepare: the first message from a new number creates its contact (recorded in the ledger), then cannot set
    // the number on it (503 on every attempt): the run fails retryably and undoes what it did
    stack = await startTwoContainers();
    stack.emulator.addFault({ method: 'PATCH', path: '/contacts/*', action: 'status', status: 503, times: 3 });
    const failed = await stack.post(stack.fns[0], webhook({ sid: sid(1), body: 'first' }));

    // Act: the next message from the number, in the other container
    const next = await stack.post(stack.fns[1], webhook({ sid: sid(2), body: 'second' }));

    // Assess: the ledger's contact was kept and now carries the number; the next message used it
    expect(failed.status).toBe(502);
    expect(failed.json).toMatchObject({ failedStep: 'add-phone', error: { retryable: true } });
    expect(next.status).toBe(200);
    const contacts = stack.emulator.state().contacts;
    expect(contacts).toHaveLength(1);
    expect(contacts[0]?.phones.map((p) => p.rawNumber)).toEqual([digits]);
    expect(next.json).toMatchObject({ contactId: contacts[0]?.id, contactCreated: false });
  });

  it("gives the number a new contact when an agent deleted (or merged away) the one the journal's ledger names", async () => {
    // Prepare: the first message from a new number makes its contact (recorded in the ledger); an agent then
    // deletes that contact in the console (as a merge of two contacts does to one of them)
    stack = await startTwoContainers();
    const first = await stack.post(stack.fns[0], webhook({ sid: sid(1), body: 'first' }));
    const auth = Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64');
    const removed = await fetch(`${stack.emulator.url}/services/rest/connect/v1.4/incidents/${first.json.incidentId}`, {
      method: 'DELETE',
      headers: { Authorization: `Basic ${auth}`, 'OSvC-CREST-Application-Context': 'test' },
    });
    const gone = await fetch(`${stack.emulator.url}/services/rest/connect/v1.4/contacts/${first.json.contactId}`, {
      method: 'DELETE',
      headers: { Authorization: `Basic ${auth}`, 'OSvC-CREST-Application-Context': 'test' },
    });

    // Act: the number's next messages, one in each container
    const second = await stack.post(stack.fns[1], webhook({ sid: sid(2), body: 'second' }));
    const third = await stack.post(stack.fns[0], webhook({ sid: sid(3), body: 'third' }));

    // Assess: a new contact with the number, used by both
    expect([removed.status, gone.status]).toEqual([200, 200]);
    expect([second.status, third.status]).toEqual([200, 200]);
    const contacts = stack.emulator.state().contacts;
    expect(contacts).toHaveLength(1);
    expect(contacts[0]?.id).not.toBe(first.json.contactId);
    expect(contacts[0]?.phones.map((p) => p.rawNumber)).toEqual([digits]);
    expect([second.json.contactId, third.json.contactId]).toEqual([contacts[0]?.id, contacts[0]?.id]);
  });

  it("never takes the number back from the ledger's contact when an agent has given it another number", async () => {
    // Prepare: the first message from a new number makes its contact (recorded in the ledger); an agent then
    // changes that contact's mobile number in the console (the customer has a new phone)
    stack = await startTwoContainers();
    const first = await stack.post(stack.fns[0], webhook({ sid: sid(1), body: 'first' }));
    const auth = Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64');
    const changed = await fetch(`${stack.emulator.url}/services/rest/connect/v1.4/contacts/${first.json.contactId}`, {
      method: 'PATCH',
      headers: {
        Authorization: `Basic ${auth}`,
        'OSvC-CREST-Application-Context': 'test',
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ phones: [{ number: '+15550009999', phoneType: { lookupName: 'Mobile Phone' } }] }),
    });

    // Act: a message from the old number
    const second = await stack.post(stack.fns[1], webhook({ sid: sid(2), body: 'second' }));

    // Assess: the agent's edit stands; the old number has a contact of its own, with the second message's incident
    expect([changed.status, second.status]).toEqual([200, 200]);
    const contacts = stack.emulator.state().contacts;
    const edited = contacts.find((c) => c.id === first.json.contactId);
    expect(edited?.phones.map((p) => p.rawNumber)).toEqual(['15550009999']);
    const fresh = contacts.find((c) => c.id === second.json.contactId);
    expect(fresh?.id).not.toBe(first.json.contactId);
    expect(fresh?.phones.map((p) => p.rawNumber)).toEqual([digits]);
    expect(notesByIncident(stack.emulator)).toEqual(
      expect.arrayContaining([{ id: second.json.incidentId, contactId: fresh?.id, notes: [sid(2)] }]),
    );
  });

  it('gives two first messages from one new number, at once, one contact', async () => {
    // Prepare
    stack = await startTwoContainers();

    // Act
    const [a, b] = await Promise.all([
      stack.post(stack.fns[0], webhook({ sid: sid(1), body: 'first' })),
      stack.post(stack.fns[1], webhook({ sid: sid(2), body: 'second' })),
    ]);

    // Assess
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.json.contactId).toBe(b.json.contactId);
    expect(stack.emulator.state().contacts).toHaveLength(1);
    expect(notesByIncident(stack.emulator).map((i) => i.notes)).toEqual(expect.arrayContaining([[sid(1)], [sid(2)]]));
  });

  it('tells look-alikes apart: same sender, same text, both creates in doubt, each run its own incident', async () => {
    // Prepare: a known sender; both "yes" messages' creates are applied and their answers lost
    stack = await startTwoContainers();
    stack.emulator.seedContact(FROM);
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'commit-then-drop', times: 2 });

    // Act: at once, in two containers
    const [a, b] = await Promise.all([
      stack.post(stack.fns[0], webhook({ sid: sid(1), body: 'yes' })),
      stack.post(stack.fns[1], webhook({ sid: sid(2), body: 'yes' })),
    ]);

    // Assess: two incidents, one note each, each answer naming its own
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.json.incidentId).not.toBe(b.json.incidentId);
    expect(writes(stack.emulator, 'POST', '/incidents')).toBe(2);
    const byId = new Map(notesByIncident(stack.emulator).map((i) => [i.id, i.notes]));
    expect(byId.get(a.json.incidentId as number)).toEqual([sid(1)]);
    expect(byId.get(b.json.incidentId as number)).toEqual([sid(2)]);
    expect(byId.size).toBe(2);
  });
});
