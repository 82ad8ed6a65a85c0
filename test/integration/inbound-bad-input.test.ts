import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE, postWebhook, startStack, type Stack } from '../helpers/stack.js';
import { HMAC_HEADER, HMAC_SECRET, signHmac } from '../helpers/sign-hmac.js';
import { TWILIO_AUTH_TOKEN, signTwilioForm } from '../helpers/sign-twilio.js';

const HOST = 'gw.example.com';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const SID = 'SM1f0e3d3b2c4a4e5f8a9b0c1d2e3f4a5b';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: { webhook_signature: 'required', twilio_auth_token: TWILIO_AUTH_TOKEN, webhook_hmac_secret: HMAC_SECRET },
  });
});
afterAll(async () => {
  await stack.stop();
});

function post(body: string | Buffer, contentType: string, headers: Record<string, string> = {}) {
  return postWebhook(stack.fn, body, { headers: { Host: HOST, 'Content-Type': contentType, ...headers } });
}

const signedGeneric = (fields: Record<string, unknown>) => {
  const body = JSON.stringify(fields);
  return [body, JSON_TYPE, { [HMAC_HEADER]: signHmac(body) }] as const;
};
const signedTwilio = (fields: Record<string, string>) => {
  const body = new URLSearchParams(fields).toString();
  return [body, FORM, { 'X-Twilio-Signature': signTwilioForm(`https://${HOST}${ROUTE}`, body) }] as const;
};

describe('bad input through the fdk never hurts', () => {
  it.each([
    ['a body over 64 KiB', () => [Buffer.alloc(64 * 1024 + 1, 0x7b), JSON_TYPE, {}] as const, 413, undefined],
    ['text/plain', () => ['hello', 'text/plain', {}] as const, 415, undefined],
    ['malformed JSON', () => ['{"id":', JSON_TYPE, {}] as const, 400, undefined],
    [
      'a signed generic body whose sender is not a phone number',
      () => signedGeneric({ id: 'm1', from: 'abc', text: 'x' }),
      400,
      'from',
    ],
    ['a signed generic body without text', () => signedGeneric({ id: 'm1', from: '+4915112345678' }), 400, 'text'],
    ['a signed Twilio form without From', () => signedTwilio({ MessageSid: SID, Body: 'x' }), 400, 'From'],
    [
      'a signed Twilio form with a script URL as media',
      () =>
        signedTwilio({
          MessageSid: SID,
          From: '+14155550101',
          Body: 'x',
          NumMedia: '1',
          MediaUrl0: 'javascript:alert(1)',
        }),
      400,
      'MediaUrl0',
    ],
  ])('answers %s with %i naming the field, no B2C request', async (_, args, status, field) => {
    // Prepare
    stack.emulator.reset();
    const [body, contentType, headers] = args();

    // Act
    const res = await post(body, contentType, { ...headers });

    // Assess
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json.field).toBe(field);
    expect(typeof res.json.message).toBe('string');
    expect(stack.emulator.requests()).toEqual([]);
  });

  it('strips control characters from the subject and echoes nothing of the text in the TwiML', async () => {
    // Prepare
    stack.emulator.reset();
    const text = 'Line one\r\n\u0007<Redirect>https://evil.example.com</Redirect>\ttwo';

    // Act
    const res = await post(
      ...signedTwilio({
        MessageSid: 'SM0f0e3d3b2c4a4e5f8a9b0c1d2e3f4a5b',
        From: '+14155550199',
        To: '+15558675310',
        Body: text,
      }),
    );

    // Assess
    expect(res.status).toBe(200);
    expect(res.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    const [incident] = stack.emulator.state().incidents;
    expect(incident!.subject).toBe('Line one <Redirect>https://evil.example.com</Redirect> two');
    expect(incident!.threads[0]!.text.endsWith(`\n${text}`)).toBe(true);
  });
});
