import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { CREDENTIALS, startStack, type Stack } from '../helpers/stack.js';

const guide = JSON.parse(
  readFileSync(new URL('../fixtures/providers/twilio-message-resource.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const FROM = guide.from as string; // +15017122661
const webhook = (fields: Record<string, unknown> = {}): string => JSON.stringify({ ...guide, ...fields });

/** Method and resource of every call the function made, in order. */
function calls(stack: Stack): string[] {
  return stack.emulator.requests().map((r) => `${r.method} ${r.resource.replace(/\/\d+$/, '/{id}')}`);
}

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('sms-to-incident through the fdk', () => {
  it("creates a contact with the sender's phone, and an incident with its note in one request, for a new sender", async () => {
    // Prepare
    stack = await startStack();

    // Act
    const res = await stack.post(webhook());

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const state = stack.emulator.state();
    expect(state.contacts).toHaveLength(1);
    expect(state.incidents).toHaveLength(1);
    const [contact] = state.contacts;
    const [incident] = state.incidents;
    expect(res.json).toEqual({
      message: 'success',
      incidentId: incident!.id,
      referenceNumber: incident!.referenceNumber,
      contactId: contact!.id,
      contactCreated: true,
      runId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(contact!.phones).toEqual([
      { number: FROM, rawNumber: FROM.slice(1), phoneType: { id: 1, lookupName: 'Mobile Phone' } },
    ]);
    expect(incident!.primaryContactId).toBe(contact!.id);
    expect(incident!.subject).toBe(guide.body);
    expect(incident!.threads).toHaveLength(1);
    expect(incident!.threads[0]!.entryType.lookupName).toBe('Note');
    expect(incident!.threads[0]!.contentType.lookupName).toBe('text/plain');
    expect(incident!.threads[0]!.text).toContain(`From: ${FROM}`);
    expect(incident!.threads[0]!.text).toContain('Message ID: SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX');
    expect(incident!.threads[0]!.text.endsWith(`\n${guide.body as string}`)).toBe(true);
    expect(calls(stack)).toEqual(['GET /contacts', 'POST /contacts', 'PATCH /contacts/{id}', 'POST /incidents']);
    // the note is part of the incident's POST: both committed, or neither
    const create = stack.emulator.requests().find((r) => r.method === 'POST' && r.resource === '/incidents')!;
    expect(JSON.parse(create.body as string)).toMatchObject({
      threads: [{ entryType: { lookupName: 'Note' }, contentType: { lookupName: 'text/plain' } }],
    });
    // the lookup is by digits-only rawNumber, URL-encoded, with the application context header
    const lookup = stack.emulator.requests()[0]!;
    expect(lookup.query.q).toBe(`phones.rawNumber = '${FROM.slice(1)}'`);
    expect(lookup.headers['osvc-crest-application-context']).toBe('sms-incident');
    // logs: JSON lines, no full phone number, no text, no credential
    const out = stack.fn.output();
    expect(out).toContain('"message":"run succeeded"');
    expect(out).not.toContain(FROM.slice(2));
    expect(out).not.toContain(CREDENTIALS.password);
    expect(out).not.toContain(guide.body as string);
  });

  it("reuses the contact that already has the sender's number", async () => {
    // Prepare
    stack = await startStack();
    const existing = stack.emulator.seedContact(FROM);

    // Act
    const res = await stack.post(webhook());

    // Assess
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ contactId: existing.id, contactCreated: false });
    expect(stack.emulator.state().contacts).toHaveLength(1);
    expect(calls(stack)).toEqual(['GET /contacts', 'POST /incidents']);
  });

  // The API lists without a promised order: the lowest id must win whichever comes first.
  it.each(['ascending', 'descending'] as const)(
    'picks the lowest id when several contacts share the number (site lists %s)',
    async (listOrder) => {
      // Prepare
      stack = await startStack({ site: { listOrder } });
      const first = stack.emulator.seedContact(FROM);
      stack.emulator.seedContact(FROM, 'Home Phone');

      // Act
      const res = await stack.post(webhook());

      // Assess
      expect(res.json).toMatchObject({ contactId: first.id, contactCreated: false });
    },
  );

  it('cuts a long non-ASCII text for the subject and keeps all of it, UTF-8 intact, in the note', async () => {
    // Prepare
    stack = await startStack();
    const text = `Grüße aus Köln — 路由器坏了 🚨 ${'ünïcödé 😀 '.repeat(60)}Ende.`;

    // Act
    const res = await stack.post(webhook({ body: text }));

    // Assess
    expect(res.status).toBe(200);
    const [incident] = stack.emulator.state().incidents;
    expect(incident!.subject.length).toBeLessThanOrEqual(240);
    expect(incident!.subject.startsWith('Grüße aus Köln — 路由器坏了 🚨 ünïcödé 😀')).toBe(true);
    expect(incident!.subject.endsWith('…')).toBe(true);
    expect(incident!.subject.isWellFormed()).toBe(true);
    expect(incident!.threads[0]!.text.endsWith(`\n${text}`)).toBe(true);
  });

  it('retries a throttled create (503 OSC-CREST-00035 twice) and creates exactly one incident', async () => {
    // Prepare
    stack = await startStack();
    // The hint is longer than the write policy's first back-off (≤ 1 s): only honouring it explains the gaps.
    const hintMs = 1_500;
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 503,
      errorCode: 'OSC-CREST-00035',
      nextRequestAfterMs: hintMs,
      times: 2,
    });

    // Act
    const res = await stack.post(webhook());

    // Assess
    expect(res.status).toBe(200);
    expect(stack.emulator.state().incidents).toHaveLength(1);
    expect(calls(stack).filter((c) => c === 'POST /incidents')).toHaveLength(3);
    // osvc-crest-next-request-after honoured, as the site saw it: each retry came at least the hint later.
    const creates = stack.emulator
      .requests()
      .filter((r) => r.method === 'POST' && r.resource === '/incidents')
      .map((r) => r.at);
    for (let i = 1; i < creates.length; i++) expect(creates[i]! - creates[i - 1]!).toBeGreaterThanOrEqual(hintMs);
    expect(stack.fn.output()).toMatch(
      /"message":"attempt failed".*"step":"create-incident".*"attempt":1.*"willRetry":true/,
    );
  });

  it('keeps the contact it created (it carries the number now) when the incident cannot be created', async () => {
    // Prepare
    stack = await startStack();
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 400,
      errorCode: 'OSC-CREST-00006',
      detail: 'bad thread',
    });

    // Act
    const res = await stack.post(webhook());

    // Assess
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({
      message: 'incident not created',
      failedStep: 'create-incident',
      attempts: 1,
      error: { type: 'OSC-CREST-00006', retryable: false },
      compensation: 'completed',
      undo: [
        {
          step: 'create-contact',
          effect: 'kept',
          reason: 'it carries the number: a look-up finds it, other messages may use it',
        },
      ],
    });
    expect(res.json).not.toHaveProperty('compensated');
    expect(res.json.runId).toEqual(expect.any(String));
    // Another message from the number may have found the contact: deleting it would delete its incidents too.
    const { contacts, incidents } = stack.emulator.state();
    expect(incidents).toEqual([]);
    expect(contacts).toEqual([expect.objectContaining({ phones: [expect.objectContaining({ number: FROM })] })]);
    expect(calls(stack).slice(-2)).toEqual(['POST /incidents', `GET /contacts/${contacts[0]!.id}/phones`]);
    expect(calls(stack)).not.toContain('DELETE /contacts/{id}');
    expect(stack.fn.output()).toMatch(
      /"message":"compensation succeeded".*"step":"create-contact".*"effect":"kept","reason":"it carries the number/,
    );
  });

  it('keeps a contact that existed before when the incident cannot be created', async () => {
    // Prepare
    stack = await startStack();
    const existing = stack.emulator.seedContact(FROM);
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'status', status: 400 });

    // Act
    const res = await stack.post(webhook());

    // Assess
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({ failedStep: 'create-incident', compensation: 'none' });
    expect(stack.emulator.state().incidents).toEqual([]);
    expect(stack.emulator.state().contacts.map((c) => c.id)).toEqual([existing.id]);
    expect(calls(stack)).not.toContain('DELETE /contacts/{id}');
  });

  it('reports a compensation that fails for good instead of swallowing it', async () => {
    // Prepare: the new contact cannot get the number, and the account may not read contacts' phones (the undo's check)
    stack = await startStack();
    stack.emulator.addFault({ method: 'PATCH', path: '/contacts/*', action: 'status', status: 400 });
    stack.emulator.addFault({ method: 'GET', path: '/contacts/*/phones', action: 'status', status: 403 });

    // Act
    const res = await stack.post(webhook());

    // Assess
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({
      failedStep: 'add-phone',
      compensation: 'failed',
      undo: [{ step: 'create-contact', effect: 'failed' }],
    });
    expect(stack.emulator.state().contacts).toHaveLength(1);
    expect(stack.fn.output()).toContain('"message":"compensation failed: manual clean-up needed"');
  });

  it('does not retry a 401 from B2C Service', async () => {
    // Prepare
    stack = await startStack({ env: { b2cservice_password: 'wrong' } });

    // Act
    const res = await stack.post(webhook());

    // Assess
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({
      failedStep: 'lookup-contact',
      attempts: 1,
      error: { type: 'HTTP 401', retryable: false },
      compensation: 'none',
    });
    expect(calls(stack)).toEqual(['GET /contacts']);
    expect(stack.fn.output()).not.toContain('wrong');
  });

  it('answers a 5xx before Fn-Deadline when B2C Service hangs', async () => {
    // Prepare
    stack = await startStack();
    stack.emulator.addFault({ method: 'GET', path: '/contacts', action: 'hang' });
    const timeoutMs = 6_000;

    // Act
    const res = await stack.post(webhook(), { timeoutMs });

    // Assess: the function itself answered (fdk 200), with a 5xx, inside its deadline
    expect(res.fdkStatus).toBe(200);
    expect(res.status).toBe(504);
    expect(res.durationMs).toBeLessThan(timeoutMs);
    expect(res.json).toMatchObject({ failedStep: 'lookup-contact', error: { type: 'DeadlineExceededError' } });
    expect(stack.emulator.state()).toEqual({ contacts: [], incidents: [] });
  });

  it.each([
    ['malformed JSON', '{"sid": "SM', 'body is not valid JSON'],
    [
      'an injection attempt in from',
      webhook({ from: "+1' OR phones.rawNumber LIKE '%" }),
      'from: must be a phone number in E.164 format (e.g. +14155550101)',
    ],
  ])('answers 400 and sends no query for %s', async (_, body, message) => {
    // Prepare
    stack = await startStack();

    // Act
    const res = await stack.post(body);

    // Assess
    expect(res.status).toBe(400);
    expect(res.json.message).toBe(message);
    expect(stack.emulator.requests()).toEqual([]);
  });

  it('answers 500 naming the missing config key and stays up', async () => {
    // Prepare
    stack = await startStack({ env: { b2cservice_hostname: '' } });

    // Act
    const first = await stack.post(webhook());
    const second = await stack.post(webhook());

    // Assess
    expect(first.status).toBe(500);
    expect(first.json).toMatchObject({
      message: 'function configuration error',
      problems: [{ key: 'b2cservice_hostname' }],
    });
    expect(second.status).toBe(500);
    expect(stack.emulator.requests()).toEqual([]);
  });
});
