import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { InboundError, receiveInbound, type InboundSms } from '../../../src/inbound/index.js';

const fixture = readFileSync(new URL('../../fixtures/providers/twilio-message-resource.json', import.meta.url));
const json = 'application/json; charset=utf-8';
const MAX_BODY_BYTES = 64 * 1024;
// The guide's shape alone, unsigned: signatures have their own tests (receive.test.ts).
const config = loadConfig({
  b2cservice_hostname: 'site.example.com',
  b2cservice_username: 'u',
  b2cservice_password: 'p',
  webhook_provider: 'twilio',
  webhook_signature: 'off',
}).inbound;

/** The canonical message without the provider fields kept for the note. */
function parseInbound(req: { body: Buffer; contentType: string | null }): Omit<InboundSms, 'raw'> {
  const { raw: _raw, ...sms } = receiveInbound(
    { ...req, url: '/webhooks/sms-to-incident', header: () => null },
    config,
  ).sms;
  return sms;
}

function rejection(body: Buffer | string, contentType: string | null = json): InboundError {
  try {
    parseInbound({ body: Buffer.from(body), contentType });
  } catch (error) {
    if (error instanceof InboundError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe("the Twilio Message resource (the guide's JSON)", () => {
  it("turns the guide's Twilio Message resource into the canonical SMS", () => {
    // Act
    const sms = parseInbound({ body: fixture, contentType: json });

    // Assess
    expect(sms).toEqual({
      provider: 'twilio',
      messageId: 'SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
      from: '+15017122661',
      to: '+15558675310',
      text: 'McAvoy or Stewart? These timelines can get so confusing.',
      receivedAt: '2015-07-30T20:12:33.000Z',
      media: [],
    });
  });

  it('accepts a body sent without a content type, as `fn invoke` does', () => {
    expect(parseInbound({ body: fixture, contentType: null }).messageId).toBe('SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX');
  });

  it('keeps non-ASCII text intact', () => {
    const body = JSON.stringify({ ...JSON.parse(fixture.toString()), body: 'Grüße 🚨 你好' });
    expect(parseInbound({ body: Buffer.from(body), contentType: json }).text).toBe('Grüße 🚨 你好');
  });

  it('normalises formatting characters out of the sender number', () => {
    const body = JSON.stringify({ ...JSON.parse(fixture.toString()), from: '+1 (501) 712-2661' });
    expect(parseInbound({ body: Buffer.from(body), contentType: json }).from).toBe('+15017122661');
  });

  it.each([
    ['malformed JSON', '{"sid": ', 400, 'body is not valid JSON', undefined],
    ['a JSON array', '[]', 400, 'body must be a JSON object', undefined],
    ['a missing sid', JSON.stringify({ from: '+15017122661', body: 'x' }), 400, 'sid: is required', 'sid'],
    [
      'a missing body',
      JSON.stringify({ sid: `SM${'a'.repeat(32)}`, from: '+15017122661' }),
      400,
      'body: is required',
      'body',
    ],
    [
      'an injection attempt in from',
      JSON.stringify({ sid: `SM${'a'.repeat(32)}`, from: "+1' OR 1=1 --", body: 'x' }),
      400,
      'from: must be a phone number in E.164 format (e.g. +14155550101)',
      'from',
    ],
    [
      'a national number in from',
      JSON.stringify({ sid: `SM${'a'.repeat(32)}`, from: '0151 1234567', body: 'x' }),
      400,
      'from: must be a phone number in E.164 format (e.g. +14155550101)',
      'from',
    ],
  ])('answers 400 naming the problem for %s', (_, body, status, message, field) => {
    // Act
    const error = rejection(body);

    // Assess
    expect(error.status).toBe(status);
    expect(error.message).toBe(message);
    expect(error.field).toBe(field);
  });

  it('answers 415 for a content type no Twilio shape uses', () => {
    expect(rejection('From=%2B1&Body=x', 'text/plain').status).toBe(415);
  });

  it('answers 413 for a body over the limit', () => {
    expect(rejection(Buffer.alloc(MAX_BODY_BYTES + 1, 0x20)).status).toBe(413);
  });

  it('answers 400 for bytes that are not UTF-8', () => {
    expect(rejection(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])).message).toBe('body is not valid UTF-8');
  });

  it('never echoes the input in its message', () => {
    const secret = 'sk_live_should_not_be_echoed';
    const error = rejection(JSON.stringify({ sid: secret, from: secret, body: secret }));
    expect(error.message).not.toContain(secret);
  });
});
