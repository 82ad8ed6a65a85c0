import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE, postWebhook, startStack, type Stack } from '../helpers/stack.js';
import { HMAC_HEADER, HMAC_SECRET, signHmac } from '../helpers/sign-hmac.js';
import { TWILIO_AUTH_TOKEN, signTwilioForm, signTwilioJson, withBodySha256 } from '../helpers/sign-twilio.js';
import { VONAGE_SIGNATURE_SECRET, signVonage } from '../helpers/sign-vonage.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/providers/${name}`, import.meta.url), 'utf8');
const TWILIO_FORM = fixture('twilio-messaging-webhook.form');
const TWILIO_JSON = fixture('twilio-message-resource.json');
const VONAGE = JSON.parse(fixture('vonage-inbound.json')) as Record<string, string>;
const GENERIC = fixture('generic-inbound.json');

const HOST = 'gw.example.com';
const PUBLIC = `https://${HOST}${ROUTE}`;
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json; charset=utf-8';

/** Signatures required, every provider's secret configured (the test stack defaults to off). */
const SIGNED = {
  webhook_signature: 'required',
  twilio_auth_token: TWILIO_AUTH_TOKEN,
  vonage_signature_secret: VONAGE_SIGNATURE_SECRET,
  webhook_hmac_secret: HMAC_SECRET,
};

interface Call {
  body: string;
  contentType: string;
  headers?: Record<string, string>;
  url?: string;
}

/** Through the Fn agent exactly as OCI API Gateway hands it over: client headers, path and query. */
function post(stack: Stack, call: Call) {
  return postWebhook(stack.fn, call.body, {
    url: call.url ?? ROUTE,
    headers: { Host: HOST, 'Content-Type': call.contentType, ...call.headers },
  });
}

const twilioForm = (form = TWILIO_FORM, signedAs = form, url = PUBLIC, token = TWILIO_AUTH_TOKEN): Call => ({
  body: form,
  contentType: FORM,
  headers: { 'X-Twilio-Signature': signTwilioForm(url, signedAs, token) },
});

function twilioJson(body = TWILIO_JSON): Call {
  const url = withBodySha256(PUBLIC, body);
  return {
    body,
    contentType: JSON_TYPE,
    url: url.slice(`https://${HOST}`.length),
    headers: { 'X-Twilio-Signature': signTwilioJson(url) },
  };
}

const vonage = (): Call => ({ body: JSON.stringify(signVonage(VONAGE)), contentType: JSON_TYPE });
const generic = (): Call => ({ body: GENERIC, contentType: JSON_TYPE, headers: { [HMAC_HEADER]: signHmac(GENERIC) } });

describe('each provider fixture, signed, through the fdk', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it.each([
    [
      'Twilio Messaging webhook (form)',
      twilioForm,
      '+14155550101',
      'My router has been blinking red since this morning 🚨 please help',
      'SM1f0e3d3b2c4a4e5f8a9b0c1d2e3f4a5b',
    ],
    [
      'Twilio Message resource (JSON, bodySHA256)',
      () => twilioJson(),
      '+15017122661',
      'McAvoy or Stewart? These timelines can get so confusing.',
      'SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
    ],
    [
      'Vonage inbound SMS (signed JSON)',
      vonage,
      '+447700900001',
      'Hello, my order 1234 never arrived',
      '0A0000000123ABCD1',
    ],
    ['generic JSON (HMAC-SHA256)', generic, '+4915112345678', 'Die Heizung ist ausgefallen.', 'msg-7f3c2a'],
  ])(
    '%s creates exactly one incident with the right contact, text and thread',
    async (_, call, from, text, messageId) => {
      // Prepare
      stack = await startStack({ env: SIGNED });

      // Act
      const res = await post(stack, call());

      // Assess
      expect(res.status).toBe(200);
      const { contacts, incidents } = stack.emulator.state();
      expect(contacts).toHaveLength(1);
      expect(incidents).toHaveLength(1);
      expect(contacts[0]!.phones.map((p) => p.number)).toEqual([from]);
      expect(incidents[0]!.primaryContactId).toBe(contacts[0]!.id);
      expect(incidents[0]!.subject).toBe(text);
      expect(incidents[0]!.threads).toHaveLength(1);
      const note = incidents[0]!.threads[0]!.text;
      expect(note).toContain(`From: ${from}`);
      expect(note).toContain(`Message ID: ${messageId}`);
      expect(note).toContain('Provider fields:');
      expect(note).not.toMatch(/\bsig:/);
      expect(note.endsWith(`\n${text}`)).toBe(true);
      // logs: no full number, no text, no secret
      const out = stack.fn.output();
      expect(out).toContain('"signature":"verified"');
      expect(out).not.toContain(from.slice(3));
      expect(out).not.toContain(text);
      for (const secret of Object.values(SIGNED)) if (secret !== 'required') expect(out).not.toContain(secret);
    },
  );

  it("answers Twilio's Messaging webhook in TwiML, with the reply_template auto-reply XML-escaped", async () => {
    // Prepare
    stack = await startStack({
      env: { ...SIGNED, reply_template: 'Thanks <3, we opened case {referenceNumber} & will call you' },
    });

    // Act
    const res = await post(stack, twilioForm());

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    const [incident] = stack.emulator.state().incidents;
    expect(res.text).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thanks &lt;3, we opened case ${incident!.referenceNumber} &amp; will call you</Message></Response>`,
    );
    expect(incident!.threads[0]!.text).toContain(
      'Media 1: https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages/SM1f0e3d3b2c4a4e5f8a9b0c1d2e3f4a5b/Media/ME0123456789abcdef0123456789abcdef (image/jpeg)',
    );
  });

  it('answers Twilio with an empty <Response/> when no reply_template is set, and the JSON shapes with the JSON answer', async () => {
    // Prepare
    stack = await startStack({ env: SIGNED });

    // Act
    const twiml = await post(stack, twilioForm());
    const json = await post(stack, generic());

    // Assess
    expect(twiml.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.json).toMatchObject({ message: 'success', referenceNumber: expect.any(String) });
  });
});

describe('refused webhooks cause zero B2C Service traffic', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: SIGNED });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it.each([
    ['a missing X-Twilio-Signature', (): Call => ({ body: TWILIO_FORM, contentType: FORM }), 401],
    ['a forged token', () => twilioForm(TWILIO_FORM, TWILIO_FORM, PUBLIC, 'f'.repeat(32)), 403],
    [
      'a signature for another URL',
      () => twilioForm(TWILIO_FORM, TWILIO_FORM, `https://evil.example.com${ROUTE}`),
      403,
    ],
    ['a tampered body', () => twilioForm(TWILIO_FORM.replace('Body=My', 'Body=Your'), TWILIO_FORM), 403],
    [
      'a tampered JSON body (bodySHA256 mismatch)',
      () => ({ ...twilioJson(), body: TWILIO_JSON.replace('McAvoy', 'Stewart') }),
      403,
    ],
    ['unsigned guide JSON', (): Call => ({ body: TWILIO_JSON, contentType: JSON_TYPE }), 401],
    [
      'a Vonage webhook signed with another secret',
      (): Call => ({
        body: JSON.stringify(signVonage(VONAGE, { secret: 'not-the-secret-123' })),
        contentType: JSON_TYPE,
      }),
      403,
    ],
    ['a generic webhook without its HMAC header', (): Call => ({ body: GENERIC, contentType: JSON_TYPE }), 401],
  ])('%s → %i', async (_, call, status) => {
    // Prepare
    stack.emulator.reset();

    // Act
    const res = await post(stack, call());

    // Assess
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json.message).toMatch(/signature/);
    expect(stack.emulator.requests()).toEqual([]);
  });

  it('logs a refusal with its reason, without the number or the text', async () => {
    // Act
    await post(stack, twilioForm(TWILIO_FORM, TWILIO_FORM, PUBLIC, 'f'.repeat(32)));

    // Assess
    const out = stack.fn.output();
    expect(out).toContain('"message":"webhook rejected"');
    expect(out).toContain('"status":403');
    expect(out).not.toContain('4155550101');
    expect(out).not.toContain('blinking');
  });
});

describe('signature configuration', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it('fails closed: signatures required but no secret → 500 naming the key, zero B2C traffic, process up', async () => {
    // Prepare
    stack = await startStack({ env: { webhook_signature: 'required' } });

    // Act
    const first = await post(stack, twilioForm());
    const second = await post(stack, generic());

    // Assess
    expect(first.status).toBe(500);
    expect(first.json).toEqual({
      message: 'function configuration error',
      problems: [{ key: 'twilio_auth_token', problem: 'is required when webhook_signature is required' }],
    });
    expect(second.status).toBe(500);
    expect(second.json.problems).toEqual([
      { key: 'webhook_hmac_secret', problem: 'is required when webhook_signature is required' },
    ]);
    expect(stack.emulator.requests()).toEqual([]);
  });

  it('with webhook_signature=off warns once at start and accepts an unsigned Twilio form', async () => {
    // Prepare
    stack = await startStack({ env: { webhook_signature: 'off' } });

    // Act
    const res = await post(stack, { body: TWILIO_FORM, contentType: FORM });
    await post(stack, { body: GENERIC, contentType: JSON_TYPE });

    // Assess
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Response/>');
    expect(stack.fn.output().match(/webhook signatures are off/g)).toHaveLength(1);
  });
});
