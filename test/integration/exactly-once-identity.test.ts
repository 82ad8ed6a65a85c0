import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FnProcess } from '../../src/local/index.js';
import { ROUTE, postTwilioForm } from '../helpers/stack.js';
import { TWILIO_AUTH_TOKEN } from '../helpers/sign-twilio.js';
import { calls, startTwoContainers, until, type TwoContainers } from '../helpers/exactly-once-stack.js';

/**
 * A message is known by what it is, never by how it was delivered: Twilio's fallback request,
 * a record written by the previous version, a burst of duplicates, a run cut off while undoing.
 * Through the real fdk, two function processes sharing a file journal, the emulator over HTTP.
 */

let stack: TwoContainers | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const HOST = 'gw.example.com';
const FORM = readFileSync(new URL('../fixtures/providers/twilio-messaging-webhook.form', import.meta.url), 'utf8');
const SID = new URLSearchParams(FORM).get('MessageSid')!;
const FALLBACK_ROUTE = `${ROUTE}?fallback=1`;
/** Twilio's fallback request: the same form plus `ErrorCode` and `ErrorUrl`, signed over the fallback URL. */
const FALLBACK_FORM = `${FORM}&ErrorCode=11200&ErrorUrl=${encodeURIComponent(`https://${HOST}${ROUTE}`)}`;
const SIGNED = { webhook_signature: 'required', twilio_auth_token: TWILIO_AUTH_TOKEN };

/** A Twilio form webhook, signed as Twilio signs it (over the URL it calls and every parameter). */
function postTwilio(fn: FnProcess, form: string, route: string) {
  return postTwilioForm(fn, form, route, HOST);
}

/** The run's record file in the file journal (one JSON file per key). */
function recordPath(journalDir: string, key: string): string {
  return join(journalDir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
}

function notes(s: TwoContainers): string[][] {
  return s.emulator.state().incidents.map((i) => i.threads.map((t) => /^Message ID: (.*)$/m.exec(t.text)?.[1] ?? '?'));
}

describe('a message is known by its identity, not by its delivery', () => {
  it("runs Twilio's fallback request (ErrorCode, ErrorUrl added) as the same message: no 409, one incident", async () => {
    // Prepare: the primary request fails retryably (B2C Service asks for a pause longer than the deadline)
    stack = await startTwoContainers({ env: SIGNED });
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 503,
      errorCode: 'OSC-CREST-00035',
      nextRequestAfterMs: 120_000,
      times: 1,
    });
    const primary = await postTwilio(stack.fns[0], FORM, ROUTE);

    // Act
    const fallback = await postTwilio(stack.fns[1], FALLBACK_FORM, FALLBACK_ROUTE);

    // Assess
    expect(primary.status).toBe(504);
    expect(fallback.status).toBe(200);
    expect(notes(stack)).toEqual([[SID]]);
    // The note is the message as first received: the fallback's transport fields are not in it.
    expect(stack.emulator.state().incidents[0]!.threads[0]!.text).not.toContain('ErrorCode');
  });

  it('answers duplicates of a run journaled by the previous version (whole-message hash), its fallback included', async () => {
    // Prepare: a finished run whose record carries the hash the previous version wrote
    stack = await startTwoContainers({ env: SIGNED });
    const first = await postTwilio(stack.fns[0], FORM, ROUTE);
    const path = recordPath(stack.journalDir, `twilio:${SID}`);
    const file = JSON.parse(readFileSync(path, 'utf8')) as { record: { payload: unknown; payloadHash: string } };
    file.record.payloadHash = legacyHash(file.record.payload);
    writeFileSync(path, JSON.stringify(file));
    const before = calls(stack.emulator).length;

    // Act
    const again = await postTwilio(stack.fns[1], FORM, ROUTE);
    const fallback = await postTwilio(stack.fns[1], FALLBACK_FORM, FALLBACK_ROUTE);

    // Assess
    expect(first.status).toBe(200);
    for (const answer of [again, fallback]) {
      expect(answer.status).toBe(200);
      expect(answer.headers['idempotent-replayed']).toBe('true');
    }
    expect(calls(stack.emulator)).toHaveLength(before);
  });

  it("never writes the owner's record for a burst of duplicates while the run is in flight", async () => {
    // Prepare: the owner is held inside create-incident (its other steps are journaled)
    stack = await startTwoContainers({ env: SIGNED });
    const [a, b] = stack.fns;
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'delay', delayMs: 3_000, times: 1 });
    const owner = postTwilio(a, FORM, ROUTE);
    await until(() => calls(stack!.emulator).includes('POST /incidents'));
    const path = recordPath(stack.journalDir, `twilio:${SID}`);
    const before = readFileSync(path, 'utf8');

    // Act
    const busy = [];
    for (let i = 0; i < 8; i++) busy.push(await postTwilio(b, FORM, ROUTE));
    const during = readFileSync(path, 'utf8');
    const done = await owner;

    // Assess
    for (const answer of busy) expect(answer.status).toBe(503);
    expect(during).toBe(before);
    expect(done.status).toBe(200);
    expect(notes(stack)).toEqual([[SID]]);
  });
});

describe('answers while the provider listens', () => {
  it('answers a Twilio message within 15 s even when a write must be waited out, and the fallback adopts what landed', async () => {
    // Prepare: the create is applied 12 s after it arrives, 4 s after the 8 s call timeout gave up on it:
    // waiting out the late-write window would take the answer past Twilio's 15 s
    stack = await startTwoContainers({ env: SIGNED });
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'delay', delayMs: 12_000, times: 1 });

    // Act
    const started = Date.now();
    const primary = await postTwilio(stack.fns[0], FORM, ROUTE);
    const elapsed = Date.now() - started;
    await until(() => stack!.emulator.state().incidents.length === 1);
    const fallback = await postTwilio(stack.fns[1], FALLBACK_FORM, FALLBACK_ROUTE);

    // Assess: a retryable failure in time, then one incident (the late one, adopted) with one note
    expect(elapsed).toBeLessThan(15_000);
    expect(primary.status).toBe(504);
    expect(fallback.status).toBe(200);
    expect(stack.emulator.requests().filter((r) => r.method === 'POST' && r.resource === '/incidents')).toHaveLength(1);
    expect(notes(stack)).toEqual([[SID]]);
  });
});

describe('a run cut off while undoing', () => {
  it('finishes the undo and runs again from the start, never trusting what it undid', async () => {
    // Prepare: the incident's create fails retryably (B2C asks for 2 minutes); the container dies
    // inside the contact's undo, before the run's final record is written
    // (No late-write window: the dead container's writes are all answered; the wait is the search lag's.)
    stack = await startTwoContainers({ timeoutMs: 8_000, env: { ...SIGNED, b2cservice_late_write_window_ms: '0' } });
    const [a, b] = stack.fns;
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 503,
      errorCode: 'OSC-CREST-00035',
      nextRequestAfterMs: 120_000,
      times: 1,
    });
    stack.emulator.addFault({ method: 'GET', path: '/contacts/*/phones', action: 'hang', times: 1 });
    const inFlight = postTwilio(a, FORM, ROUTE);
    await until(() => calls(stack!.emulator).includes('GET /contacts/{id}/phones'));
    expect(stack.emulator.state().incidents).toHaveLength(0);
    a.kill('SIGKILL');
    await inFlight;

    // Act: delivered again (as a provider or the sweeper would) until it has an answer that is not "busy"
    const answers = [];
    for (let i = 0; i < 30 && answers.at(-1)?.status !== 200; i++) {
      const answer = await postTwilio(b, FORM, ROUTE);
      answers.push(answer);
      if (answer.status === 503)
        await new Promise((r) => setTimeout(r, Number(answer.headers['retry-after'] ?? 1) * 1000));
    }

    // Assess: never a terminal 404; the message ends as one incident with its note, on the one contact
    const settled = answers.filter((x) => x.status !== 503);
    expect(settled.at(-1)?.status).toBe(200);
    for (const failed of settled.slice(0, -1)) expect(failed.json).toMatchObject({ error: { retryable: true } });
    expect(calls(stack.emulator).filter((c) => c === 'POST /incidents')).toHaveLength(2);
    expect(stack.emulator.requests().filter((r) => r.status === 404)).toEqual([]);
    expect(stack.emulator.state().contacts).toHaveLength(1);
    expect(notes(stack)).toEqual([[SID]]);
  });
});

/** The previous version's payload hash: sha256 of the whole parsed message (provider fields included), keys sorted. */
function legacyHash(value: unknown): string {
  const canonical = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
    if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
      return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
    }
    return JSON.stringify(v) ?? 'null';
  };
  return `sha256:${createHash('sha256').update(canonical(value)).digest('base64url')}`;
}
