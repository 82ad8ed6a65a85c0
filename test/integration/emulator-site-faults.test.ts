import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';

/**
 * The emulator strays as a real site may (issue 16): writes applied and then answered with a
 * proxy's bare 500, connections dropped and the write applied later, searches that lag writes,
 * thread text and subjects stored other than sent. Over real HTTP, set through the admin API.
 */

const AUTH = `Basic ${Buffer.from('admin:admin', 'utf8').toString('base64')}`;
const JSON_TYPE = { 'content-type': 'application/json' };

let emu: RunningEmulator;

beforeEach(async () => {
  emu = await startEmulator();
});

afterEach(async () => {
  await emu.close();
});

function call(path: string, method = 'GET', body?: unknown): Promise<Response> {
  return fetch(`${emu.url}/services/rest/connect/v1.4${path}`, {
    method,
    headers: {
      authorization: AUTH,
      'osvc-crest-application-context': 'site-faults-test',
      ...(body === undefined ? {} : JSON_TYPE),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function admin(path: string, method = 'GET', body?: unknown): Promise<Response> {
  return fetch(`${emu.url}/__emulator${path}`, {
    method,
    headers: JSON_TYPE,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function ids(path: string): Promise<number[]> {
  const res = await call(path);
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: { id: number }[] }).items.map((i) => i.id);
}

async function created(path: string, body: unknown): Promise<number> {
  const res = await call(path, 'POST', body);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

/** Polls until `probe` holds (generous limit for a loaded machine); returns the ms it took. */
async function until(probe: () => boolean | Promise<boolean>, limitMs = 20_000): Promise<number> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

const byPhone = (digits: string): string => `/contacts?${new URLSearchParams({ q: `phones.rawNumber = '${digits}'` })}`;

describe('emulator site faults', () => {
  describe('commit-then-status (applied, then a proxy answers 5xx)', () => {
    it('applies the write, then answers a bare 500 with an HTML body and no OSC-CREST code', async () => {
      // Prepare
      const contactId = await created('/contacts', {});
      const added = await admin('/faults', 'POST', {
        method: 'POST',
        path: '/incidents',
        action: 'commit-then-status',
        times: 1,
      });

      // Act
      const res = await call('/incidents', 'POST', { subject: 'applied', primaryContact: { id: contactId } });

      // Assess
      expect(added.status).toBe(201);
      expect(res.status).toBe(500);
      expect(res.headers.get('content-type')).toBe('text/html');
      expect(res.headers.get('osvc-crest-api-access-token')).toBeNull();
      const body = await res.text();
      expect(body).toContain('<h1>500 Internal Server Error</h1>');
      expect(body).not.toContain('OSC-CREST');
      expect(emu.state().incidents.map((i) => i.subject)).toEqual(['applied']);
      expect(emu.requests().at(-1)!.status).toBe(500);
    });

    it('answers the given status, or a Connect error body when asked, and still applies the write', async () => {
      // Prepare
      const contactId = await created('/contacts', {});
      emu.addFault({ method: 'PATCH', path: '/incidents/*', action: 'commit-then-status', status: 502, times: 1 });
      emu.addFault({ method: 'POST', path: '/incidents', action: 'commit-then-status', body: 'connect', times: 1 });

      // Act
      const createRes = await call('/incidents', 'POST', { subject: 's', primaryContact: { id: contactId } });
      const incidentId = emu.state().incidents[0]!.id;
      const patchRes = await call(`/incidents/${incidentId}`, 'PATCH', {
        threads: [{ text: 'note', entryType: { id: 1 }, contentType: { id: 1 } }],
      });

      // Assess
      expect(createRes.status).toBe(500);
      expect(await createRes.json()).toMatchObject({ status: 500, 'o:errorCode': 'OSC-CREST-00008' });
      expect(patchRes.status).toBe(502);
      expect(await patchRes.text()).toContain('502 Bad Gateway');
      expect(emu.state().incidents[0]!.threads.map((t) => t.text)).toEqual(['note']);
    });

    it('answers a proxy page without applying anything on status with body html', async () => {
      // Prepare
      emu.addFault({ method: 'POST', path: '/contacts', action: 'status', status: 504, body: 'html', times: 1 });

      // Act
      const res = await call('/contacts', 'POST', {});

      // Assess
      expect(res.status).toBe(504);
      expect(await res.text()).toContain('504 Gateway Timeout');
      expect(emu.state().contacts).toEqual([]);
    });
  });

  describe('drop-then-commit (connection dropped, write applied later)', () => {
    it('drops the connection at once and applies the write commitAfterMs later', async () => {
      // Prepare
      const added = await admin('/faults', 'POST', {
        method: 'POST',
        path: '/contacts',
        action: 'drop-then-commit',
        commitAfterMs: 700,
        times: 1,
      });

      // Act
      const started = Date.now();
      const error = await call('/contacts', 'POST', { name: { first: 'Late' } }).catch((e: unknown) => e);
      const droppedAfter = Date.now() - started;
      const seenBeforeCommit = emu.state().contacts.length;
      await until(() => emu.state().contacts.length === 1);

      // Assess
      expect(added.status).toBe(201);
      expect(error).toBeInstanceOf(TypeError);
      // The client learns of the drop before the write lands: the write was not applied when it did.
      expect(seenBeforeCommit).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(690);
      expect(droppedAfter).toBeLessThan(Date.now() - started);
      expect(emu.state().contacts.map((c) => c.name.first)).toEqual(['Late']);
      expect(emu.requests().map((r) => r.status)).toEqual([0]);
    });

    it('never applies the write once the emulator is closed', async () => {
      // Prepare
      emu.addFault({ method: 'POST', path: '/contacts', action: 'drop-then-commit', commitAfterMs: 60_000 });
      await call('/contacts', 'POST', {}).catch(() => undefined);

      // Act
      const closing = Date.now();
      await emu.close();

      // Assess
      expect(Date.now() - closing).toBeLessThan(10_000);
      expect(emu.state().contacts).toEqual([]);
    });

    it('refuses drop-then-commit without commitAfterMs, and commitAfterMs with another action', async () => {
      // Act
      const missing = await admin('/faults', 'POST', { method: 'POST', path: '/contacts', action: 'drop-then-commit' });
      const misplaced = await admin('/faults', 'POST', {
        method: 'POST',
        path: '/contacts',
        action: 'drop',
        commitAfterMs: 10,
      });
      const nested = await admin('/faults', 'POST', {
        method: 'POST',
        path: '/contacts',
        action: 'drop',
        then: { method: 'GET', path: '/contacts', action: 'drop-then-commit' },
      });

      // Assess
      for (const res of [missing, misplaced, nested]) {
        expect(res.status).toBe(400);
        expect(((await res.json()) as { issues: string[] }).issues.join(' ')).toMatch(/commitAfterMs/);
      }
      expect(emu.requests()).toEqual([]);
    });
  });

  describe('searchLagMs (searches read a lagging replica)', () => {
    it('shows a new contact to q= searches only after the lag; a read by id sees it at once', async () => {
      // Prepare
      const set = await admin('/quirks', 'PUT', { searchLagMs: 1_500 });
      const id = await created('/contacts', { phones: [{ number: '+15550001111', phoneType: { id: 1 } }] });

      // Act
      const atOnce = await ids(byPhone('15550001111'));
      const listed = await ids('/contacts');
      const byId = await call(`/contacts/${id}`);
      const tookMs = await until(async () => (await ids(byPhone('15550001111'))).includes(id));

      // Assess
      expect(set.status).toBe(200);
      expect(await set.json()).toEqual({
        searchLagMs: 1_500,
        threadLineEnds: 'as-sent',
        threadTrim: 'none',
        subjectTrim: false,
        threadsOnCreate: 'kept',
        clockOffsetMs: 0,
      });
      expect(atOnce).toEqual([]);
      expect(listed).toEqual([]);
      expect(byId.status).toBe(200);
      expect(tookMs).toBeGreaterThan(500);
    });

    it('shows a phone added by PATCH, a new incident and a deletion only after the lag', async () => {
      // Prepare
      const contactId = await created('/contacts', {});
      const oldIncident = await created('/incidents', { subject: 'old', primaryContact: { id: contactId } });
      emu.setQuirks({ searchLagMs: 1_500 });
      const patched = await call(`/contacts/${contactId}`, 'PATCH', {
        phones: [{ number: '+15550002222', phoneType: { id: 1 } }],
      });
      const newIncident = await created('/incidents', { subject: 'new', primaryContact: { id: contactId } });
      const deleted = await call(`/incidents/${oldIncident}`, 'DELETE');
      const ofContact = `/incidents?${new URLSearchParams({ q: `primaryContact.id = ${contactId}` })}`;

      // Act
      const phoneAtOnce = await ids(byPhone('15550002222'));
      const incidentsAtOnce = await ids(ofContact);
      const rowsAtOnce = await call(
        `/queryResults?${new URLSearchParams({ query: `SELECT id FROM incidents WHERE primaryContact.id = ${contactId}` })}`,
      );
      await until(async () => (await ids(ofContact)).join() === String(newIncident));

      // Assess
      expect(patched.status).toBe(200);
      expect(deleted.status).toBe(200);
      expect(phoneAtOnce).toEqual([]);
      // The replica still has the deleted incident and not yet the new one.
      expect(incidentsAtOnce).toEqual([oldIncident]);
      expect(((await rowsAtOnce.json()) as { items: { rows: string[][] }[] }).items[0]!.rows).toEqual([
        [String(oldIncident)],
      ]);
      expect(await ids(byPhone('15550002222'))).toEqual([contactId]);
    });

    it('reads live again once the lag is set back to 0', async () => {
      // Prepare
      emu.setQuirks({ searchLagMs: 60_000 });
      const id = await created('/contacts', {});
      const hidden = await ids('/contacts');

      // Act
      const cleared = await admin('/quirks', 'DELETE');

      // Assess
      expect(hidden).toEqual([]);
      expect(cleared.status).toBe(204);
      expect(await ids('/contacts')).toEqual([id]);
      expect(emu.quirks().searchLagMs).toBe(0);
    });
  });

  describe('text normalisation', () => {
    it('stores thread text with CRLF line ends and trailing white space trimmed, and subjects trimmed', async () => {
      // Prepare
      await admin('/quirks', 'PUT', { threadLineEnds: 'crlf', threadTrim: 'lines', subjectTrim: true });
      const contactId = await created('/contacts', {});
      const thread = (text: string): unknown => ({ text, entryType: { id: 3 }, contentType: { id: 1 } });

      // Act
      const id = await created('/incidents', {
        subject: '  router down \t',
        primaryContact: { id: contactId },
        threads: [thread('first  \nsecond\t\r\nthird\n\n')],
      });
      const patched = await call(`/incidents/${id}`, 'PATCH', {
        subject: ' renamed ',
        threads: [thread('Message ID: SM1 \n\n')],
      });
      const threads = (await (await call(`/incidents/${id}/threads`)).json()) as { items: { text: string }[] };

      // Assess
      expect(patched.status).toBe(200);
      expect(threads.items.map((t) => t.text)).toEqual(['first\r\nsecond\r\nthird', 'Message ID: SM1']);
      expect(emu.state().incidents[0]!.subject).toBe('renamed');
    });

    it('trims only the end of the text with threadTrim end, and keeps text as sent by default', async () => {
      // Prepare
      const contactId = await created('/contacts', {});
      const thread = { text: 'a  \nb \n', entryType: { id: 3 }, contentType: { id: 1 } };
      const asSent = await created('/incidents', {
        subject: ' s ',
        primaryContact: { id: contactId },
        threads: [thread],
      });
      emu.setQuirks({ threadTrim: 'end' });

      // Act
      const trimmed = await created('/incidents', {
        subject: ' s ',
        primaryContact: { id: contactId },
        threads: [thread],
      });

      // Assess
      const text = (id: number): string => emu.state().incidents.find((i) => i.id === id)!.threads[0]!.text;
      expect(text(asSent)).toBe('a  \nb \n');
      expect(text(trimmed)).toBe('a  \nb');
      expect(emu.state().incidents.map((i) => i.subject)).toEqual([' s ', ' s ']);
    });
  });

  describe('quirks admin route', () => {
    it('refuses an invalid setting, shows the current one, and reset turns them off', async () => {
      // Act
      const bad = await admin('/quirks', 'PUT', { searchLagMs: -1, threadLineEnds: 'cr', extra: true });
      const good = await admin('/quirks', 'PUT', { threadLineEnds: 'crlf' });
      const shown = (await (await admin('/quirks')).json()) as Record<string, unknown>;
      const description = (await (await fetch(`${emu.url}/`)).json()) as { admin: Record<string, string> };
      const reset = await admin('/reset', 'POST');

      // Assess
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { issues: string[] }).issues).toHaveLength(3);
      expect(good.status).toBe(200);
      expect(shown).toEqual({
        searchLagMs: 0,
        threadLineEnds: 'crlf',
        threadTrim: 'none',
        subjectTrim: false,
        threadsOnCreate: 'kept',
        clockOffsetMs: 0,
      });
      expect(description.admin.quirks).toMatch(/^GET\|PUT\|DELETE .*\/__emulator\/quirks/);
      expect(reset.status).toBe(204);
      expect(emu.quirks()).toEqual({
        searchLagMs: 0,
        threadLineEnds: 'as-sent',
        threadTrim: 'none',
        subjectTrim: false,
        threadsOnCreate: 'kept',
        clockOffsetMs: 0,
      });
      expect(() => emu.setQuirks({ threadTrim: 'both' as 'end' })).toThrow(/invalid quirks/);
    });
  });
});
