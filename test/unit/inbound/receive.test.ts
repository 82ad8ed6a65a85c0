import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { InboundError, SignatureConfigError, receiveInbound, type WebhookInput } from '../../../src/inbound/index.js';
import { HMAC_HEADER, HMAC_SECRET, signHmac } from '../../helpers/sign-hmac.js';
import { TWILIO_AUTH_TOKEN, signTwilioForm, signTwilioJson, withBodySha256 } from '../../helpers/sign-twilio.js';
import { VONAGE_SIGNATURE_SECRET, signVonage } from '../../helpers/sign-vonage.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/providers/${name}`, import.meta.url), 'utf8');
const TWILIO_FORM = fixture('twilio-messaging-webhook.form');
const TWILIO_JSON = fixture('twilio-message-resource.json');
const VONAGE = JSON.parse(fixture('vonage-inbound.json')) as Record<string, string>;
const GENERIC = fixture('generic-inbound.json');

const ROUTE = '/webhooks/sms-to-incident';
const HOST = 'gw.example.com';
const PUBLIC = `https://${HOST}${ROUTE}`;
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json; charset=utf-8';
const NOW = Date.parse('2026-11-27T17:20:10Z');

const secrets = {
  twilio_auth_token: TWILIO_AUTH_TOKEN,
  vonage_signature_secret: VONAGE_SIGNATURE_SECRET,
  webhook_hmac_secret: HMAC_SECRET,
};
const config = (env: Record<string, string> = {}) =>
  loadConfig({
    b2cservice_hostname: 'site.example.com',
    b2cservice_username: 'u',
    b2cservice_password: 'p',
    ...secrets,
    ...env,
  }).inbound;

function request(
  body: string | Buffer,
  contentType: string | null,
  headers: Record<string, string> = {},
  url: string = ROUTE,
): WebhookInput {
  const all: Record<string, string> = { host: HOST };
  for (const [k, v] of Object.entries(headers)) all[k.toLowerCase()] = v;
  return { body: Buffer.from(body), contentType, url, header: (name) => all[name.toLowerCase()] ?? null };
}

function refusal(fn: () => unknown): InboundError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InboundError) return error;
    throw error;
  }
  throw new Error('expected an InboundError');
}

describe('receiveInbound', () => {
  it('reads a signed Twilio Messaging webhook (form) into the canonical SMS, media kept as links', () => {
    // Prepare
    const req = request(TWILIO_FORM, FORM, { 'X-Twilio-Signature': signTwilioForm(PUBLIC, TWILIO_FORM) });

    // Act
    const received = receiveInbound(req, config(), NOW);

    // Assess
    expect(received).toMatchObject({
      provider: 'twilio',
      shape: 'twilio-messaging-webhook',
      dialect: 'twiml',
      signature: 'twilio',
    });
    expect(received.sms).toMatchObject({
      provider: 'twilio',
      messageId: 'SM1f0e3d3b2c4a4e5f8a9b0c1d2e3f4a5b',
      from: '+14155550101',
      to: '+15558675310',
      text: 'My router has been blinking red since this morning 🚨 please help',
      media: [
        {
          url: 'https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages/SM1f0e3d3b2c4a4e5f8a9b0c1d2e3f4a5b/Media/ME0123456789abcdef0123456789abcdef',
          contentType: 'image/jpeg',
        },
      ],
    });
    expect(received.sms.raw).toMatchObject({
      AccountSid: 'AC0123456789abcdef0123456789abcdef',
      FromCity: 'SAN FRANCISCO',
      NumSegments: '1',
    });
    expect(received.sms.raw).not.toHaveProperty('Body');
  });

  it('accepts the Twilio signature made over the URL with the default port, and with webhook_public_url', () => {
    const withPort = request(TWILIO_FORM, FORM, {
      'X-Twilio-Signature': signTwilioForm(`https://${HOST}:443${ROUTE}`, TWILIO_FORM),
    });
    expect(receiveInbound(withPort, config(), NOW).signature).toBe('twilio');
    const behindProxy = request(
      TWILIO_FORM,
      FORM,
      {
        Host: 'internal.local',
        'X-Twilio-Signature': signTwilioForm(`https://sms.example.com${ROUTE}?tenant=a`, TWILIO_FORM),
      },
      `${ROUTE}?tenant=a`,
    );
    expect(receiveInbound(behindProxy, config({ webhook_public_url: 'https://sms.example.com' }), NOW).signature).toBe(
      'twilio',
    );
    expect(
      receiveInbound(behindProxy, config({ webhook_public_url: `https://sms.example.com${ROUTE}` }), NOW).signature,
    ).toBe('twilio');
  });

  it("reads the guide's Message resource JSON signed with Twilio's bodySHA256 variant", () => {
    // Prepare
    const url = withBodySha256(`https://${HOST}${ROUTE}`, TWILIO_JSON);
    const req = request(
      TWILIO_JSON,
      JSON_TYPE,
      { 'X-Twilio-Signature': signTwilioJson(url) },
      url.slice(`https://${HOST}`.length),
    );

    // Act
    const received = receiveInbound(req, config(), NOW);

    // Assess
    expect(received).toMatchObject({
      shape: 'twilio-message-resource',
      dialect: 'json',
      signature: 'twilio-body-sha256',
    });
    expect(received.sms).toMatchObject({
      messageId: 'SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
      from: '+15017122661',
      receivedAt: '2015-07-30T20:12:33.000Z',
    });
  });

  it("reads the guide's JSON signed with the generic body HMAC when it has no X-Twilio-Signature", () => {
    const req = request(TWILIO_JSON, JSON_TYPE, { [HMAC_HEADER]: `sha256=${signHmac(TWILIO_JSON)}` });
    expect(receiveInbound(req, config(), NOW).signature).toBe('hmac-sha256');
  });

  it.each(['md5hash', 'sha256', 'sha512'] as const)(
    'reads a Vonage inbound SMS signed with %s, JSON and form',
    (method) => {
      // Prepare
      const signed = signVonage(VONAGE, { method, timestamp: NOW / 1000 });
      const cfg = config({ vonage_signature_method: method });

      // Act
      const fromJson = receiveInbound(request(JSON.stringify(signed), JSON_TYPE), cfg, NOW);
      const fromForm = receiveInbound(request(new URLSearchParams(signed).toString(), FORM), cfg, NOW);

      // Assess
      for (const received of [fromJson, fromForm]) {
        expect(received).toMatchObject({ provider: 'vonage', dialect: 'vonage', signature: 'vonage' });
        expect(received.sms).toMatchObject({
          messageId: '0A0000000123ABCD1',
          from: '+447700900001',
          to: '+447700900000',
          text: 'Hello, my order 1234 never arrived',
          receivedAt: '2026-11-27T17:20:06.000Z',
        });
        expect(received.sms.raw).not.toHaveProperty('sig');
        expect(received.sms.raw).not.toHaveProperty('api-key');
      }
    },
  );

  it('reads the generic JSON signed with HMAC-SHA256, hex or base64', () => {
    for (const value of [signHmac(GENERIC), signHmac(GENERIC, HMAC_SECRET, 'base64')]) {
      const received = receiveInbound(request(GENERIC, JSON_TYPE, { [HMAC_HEADER]: value }), config(), NOW);
      expect(received.sms).toMatchObject({
        provider: 'generic',
        messageId: 'msg-7f3c2a',
        from: '+4915112345678',
        to: '+4930123456',
        text: 'Die Heizung ist ausgefallen.',
        receivedAt: '2026-11-27T17:20:06.000Z',
      });
    }
  });

  it.each([
    ['no X-Twilio-Signature', () => request(TWILIO_FORM, FORM), 401],
    [
      'a forged token',
      () => request(TWILIO_FORM, FORM, { 'X-Twilio-Signature': signTwilioForm(PUBLIC, TWILIO_FORM, 'f'.repeat(32)) }),
      403,
    ],
    [
      'the wrong URL',
      () =>
        request(TWILIO_FORM, FORM, {
          'X-Twilio-Signature': signTwilioForm(`https://evil.example.com${ROUTE}`, TWILIO_FORM),
        }),
      403,
    ],
    [
      'a tampered body',
      () =>
        request(TWILIO_FORM.replace('Body=My', 'Body=Your'), FORM, {
          'X-Twilio-Signature': signTwilioForm(PUBLIC, TWILIO_FORM),
        }),
      403,
    ],
    [
      'a tampered sender',
      () =>
        request(TWILIO_FORM.replace('From=%2B14155550101', 'From=%2B14155550102'), FORM, {
          'X-Twilio-Signature': signTwilioForm(PUBLIC, TWILIO_FORM),
        }),
      403,
    ],
    [
      'an added parameter',
      () => request(`${TWILIO_FORM}&Extra=1`, FORM, { 'X-Twilio-Signature': signTwilioForm(PUBLIC, TWILIO_FORM) }),
      403,
    ],
    [
      'no Host and no webhook_public_url',
      () => {
        const signed = request(TWILIO_FORM, FORM, { 'X-Twilio-Signature': signTwilioForm(PUBLIC, TWILIO_FORM) });
        return { ...signed, header: (name: string) => (name.toLowerCase() === 'host' ? null : signed.header(name)) };
      },
      403,
    ],
    [
      'an unsupported algorithm',
      () =>
        request(TWILIO_FORM, FORM, {
          'X-Twilio-Signature': signTwilioForm(PUBLIC, TWILIO_FORM),
          'X-Twilio-Webhooks-Signature-Settings': 'key=k,algorithm=HMAC_MD5',
        }),
      403,
    ],
    [
      'JSON without bodySHA256',
      () => request(TWILIO_JSON, JSON_TYPE, { 'X-Twilio-Signature': signTwilioJson(PUBLIC) }),
      403,
    ],
    [
      'JSON with a tampered body',
      () => {
        const url = withBodySha256(PUBLIC, TWILIO_JSON);
        return request(
          TWILIO_JSON.replace('McAvoy', 'McAvoi'),
          JSON_TYPE,
          { 'X-Twilio-Signature': signTwilioJson(url) },
          url.slice(`https://${HOST}`.length),
        );
      },
      403,
    ],
    [
      // bodySHA256 matches the body: only the URL signature can refuse it.
      'JSON whose bodySHA256 matches but whose X-Twilio-Signature was made with another token',
      () => {
        const url = withBodySha256(PUBLIC, TWILIO_JSON);
        return request(
          TWILIO_JSON,
          JSON_TYPE,
          { 'X-Twilio-Signature': signTwilioJson(url, 'fedcba9876543210fedcba9876543210') },
          url.slice(`https://${HOST}`.length),
        );
      },
      403,
    ],
    [
      "JSON whose bodySHA256 matches but whose X-Twilio-Signature is another request's",
      () => {
        const url = withBodySha256(PUBLIC, TWILIO_JSON);
        return request(
          TWILIO_JSON,
          JSON_TYPE,
          { 'X-Twilio-Signature': signTwilioJson(withBodySha256(PUBLIC, '{}')) },
          url.slice(`https://${HOST}`.length),
        );
      },
      403,
    ],
    [
      'a form signed over the URL without its query',
      () =>
        request(TWILIO_FORM, FORM, { 'X-Twilio-Signature': signTwilioForm(PUBLIC, TWILIO_FORM) }, `${ROUTE}?tenant=a`),
      403,
    ],
    [
      'JSON signed over the URL without its query (bodySHA256 dropped)',
      () => {
        const url = withBodySha256(PUBLIC, TWILIO_JSON);
        return request(
          TWILIO_JSON,
          JSON_TYPE,
          { 'X-Twilio-Signature': signTwilioJson(PUBLIC) },
          url.slice(`https://${HOST}`.length),
        );
      },
      403,
    ],
    ['a generic body without its header', () => request(GENERIC, JSON_TYPE), 401],
    [
      'a generic body with a wrong HMAC',
      () => request(GENERIC, JSON_TYPE, { [HMAC_HEADER]: signHmac(GENERIC, 'another-secret-123') }),
      403,
    ],
    ['a generic body with a malformed HMAC', () => request(GENERIC, JSON_TYPE, { [HMAC_HEADER]: 'not-a-digest' }), 403],
    ['Vonage without sig', () => request(JSON.stringify(VONAGE), JSON_TYPE), 401],
    [
      'Vonage with a wrong secret',
      () =>
        request(JSON.stringify(signVonage(VONAGE, { secret: 'another-secret-123', timestamp: NOW / 1000 })), JSON_TYPE),
      403,
    ],
    [
      'Vonage with a tampered text',
      () => request(JSON.stringify({ ...signVonage(VONAGE, { timestamp: NOW / 1000 }), text: 'x' }), JSON_TYPE),
      403,
    ],
    [
      'a replayed Vonage webhook (timestamp 10 min old)',
      () => request(JSON.stringify(signVonage(VONAGE, { timestamp: NOW / 1000 - 600 })), JSON_TYPE),
      403,
    ],
  ])('refuses %s', (_, req, status) => {
    // Act
    const error = refusal(() => receiveInbound(req(), config(), NOW));

    // Assess
    expect(error.status).toBe(status);
    expect(error.message).toMatch(/signature/);
  });

  it('fails closed with a SignatureConfigError naming the key when the secret a provider needs is missing', () => {
    const cfg = config({ twilio_auth_token: '' });
    const req = request(TWILIO_FORM, FORM, { 'X-Twilio-Signature': signTwilioForm(PUBLIC, TWILIO_FORM) });
    expect(() => receiveInbound(req, cfg, NOW)).toThrow(SignatureConfigError);
    try {
      receiveInbound(req, cfg, NOW);
    } catch (error) {
      expect((error as SignatureConfigError).problems).toEqual([
        { key: 'twilio_auth_token', problem: 'is required when webhook_signature is required' },
      ]);
    }
  });

  it('reads GET webhooks from the query string: Twilio signed over the URL, Vonage with sig among the parameters', () => {
    // Prepare
    const twilioUrl = `${ROUTE}?${TWILIO_FORM}`;
    const twilioGet = {
      ...request('', null, { 'X-Twilio-Signature': signTwilioForm(`https://${HOST}${twilioUrl}`, '') }, twilioUrl),
      method: 'GET',
    };
    const vonageUrl = `${ROUTE}?${new URLSearchParams(signVonage(VONAGE, { timestamp: NOW / 1000 })).toString()}`;
    const vonageGet = { ...request('', null, {}, vonageUrl), method: 'GET' };

    // Act
    const twilio = receiveInbound(twilioGet, config(), NOW);
    const vonage = receiveInbound(vonageGet, config(), NOW);

    // Assess
    expect(twilio).toMatchObject({
      shape: 'twilio-messaging-webhook',
      signature: 'twilio',
      sms: { from: '+14155550101' },
    });
    expect(vonage).toMatchObject({ shape: 'vonage-inbound', signature: 'vonage', sms: { from: '+447700900001' } });
    // the same query with a changed sender no longer matches
    const forged = { ...twilioGet, url: twilioUrl.replace('From=%2B14155550101', 'From=%2B14155550102') };
    expect(refusal(() => receiveInbound(forged, config(), NOW)).status).toBe(403);
  });

  it.each(['auto', 'generic'])(
    'refuses GET with 405 for the body HMAC whatever the secrets, with webhook_provider=%s',
    (provider) => {
      // Prepare: the query is what GET carries; the body HMAC could only ever cover the (empty) body
      const url = `${ROUTE}?${new URLSearchParams({ id: 'm1', from: '+4915112345678', text: 'forged' }).toString()}`;
      const get = { ...request('', null, { [HMAC_HEADER]: signHmac('') }, url), method: 'GET' };

      // Act / Assess
      for (const cfg of [
        config({ webhook_provider: provider }),
        config({ webhook_provider: provider, webhook_hmac_secret: '' }),
      ]) {
        const error = refusal(() => receiveInbound(get, cfg, NOW));
        expect(error.status).toBe(405);
        expect(error.allow).toBe('POST');
      }
      // with signatures off there is no scheme to outwit: GET is read like any other
      expect(receiveInbound(get, config({ webhook_provider: provider, webhook_signature: 'off' }), NOW).sms.text).toBe(
        'forged',
      );
    },
  );

  it.each(['PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH'])('refuses %s with 405 and Allow: POST, GET', (method) => {
    const error = refusal(() =>
      receiveInbound({ ...request(GENERIC, JSON_TYPE, { [HMAC_HEADER]: signHmac(GENERIC) }), method }, config(), NOW),
    );
    expect(error.status).toBe(405);
    expect(error.allow).toBe('POST, GET');
  });

  it('reads a request without a method (no gateway, e.g. fn invoke) as a POST', () => {
    expect(
      receiveInbound(
        { ...request(GENERIC, JSON_TYPE, { [HMAC_HEADER]: signHmac(GENERIC) }), method: null },
        config(),
        NOW,
      ).signature,
    ).toBe('hmac-sha256');
  });

  it('reads a WhatsApp sender through the Twilio webhook as its E.164 number', () => {
    const form = TWILIO_FORM.replace('From=%2B14155550101', 'From=whatsapp%3A%2B14155550101');
    expect(receiveInbound(request(form, FORM), config({ webhook_signature: 'off' }), NOW).sms.from).toBe(
      '+14155550101',
    );
  });

  it('skips verification with webhook_signature=off', () => {
    expect(receiveInbound(request(TWILIO_FORM, FORM), config({ webhook_signature: 'off' }), NOW).signature).toBe('off');
  });

  it.each([
    ['a body over webhook_max_body_bytes', () => request(Buffer.alloc(2049, 0x20), JSON_TYPE), 413, undefined],
    ['text/plain', () => request('hello', 'text/plain'), 415, undefined],
    ['multipart', () => request('--x', 'multipart/form-data; boundary=x'), 415, undefined],
    ['malformed JSON', () => request('{"id":', JSON_TYPE), 400, undefined],
    ['bytes that are not UTF-8', () => request(Buffer.from([0x7b, 0xff, 0x7d]), JSON_TYPE), 400, undefined],
    ['a form with no known fields', () => request('a=1&b=2', FORM), 400, undefined],
    [
      'a Twilio form without From',
      () => request('MessageSid=SM1f0e3d3b2c4a4e5f8a9b0c1d2e3f4a5b&Body=x', FORM),
      400,
      'From',
    ],
    [
      'a Twilio form with a letter in From',
      () => request('MessageSid=SM1f0e3d3b2c4a4e5f8a9b0c1d2e3f4a5b&From=%2B1415555O101&Body=x', FORM),
      400,
      'From',
    ],
    [
      'a Twilio form with a bad media URL',
      () =>
        request(
          'MessageSid=SM1f0e3d3b2c4a4e5f8a9b0c1d2e3f4a5b&From=%2B14155550101&Body=x&NumMedia=1&MediaUrl0=javascript:alert(1)',
          FORM,
        ),
      400,
      'MediaUrl0',
    ],
    [
      'Vonage without text',
      () => request(JSON.stringify({ msisdn: '447700900001', messageId: 'A1', to: '447700900000' }), JSON_TYPE),
      400,
      'text',
    ],
    [
      'Vonage with an injection in msisdn',
      () => request(JSON.stringify({ ...VONAGE, msisdn: "44' OR 1=1" }), JSON_TYPE),
      400,
      'msisdn',
    ],
    ['generic without id', () => request(JSON.stringify({ from: '+4915112345678', text: 'x' }), JSON_TYPE), 400, 'id'],
    [
      'generic with a national number',
      () => request(JSON.stringify({ id: '1', from: '0151 12345678', text: 'x' }), JSON_TYPE),
      400,
      'from',
    ],
  ])('answers %s with %i', (_, req, status, field) => {
    // Act
    const error = refusal(() =>
      receiveInbound(req(), config({ webhook_signature: 'off', webhook_max_body_bytes: '2048' }), NOW),
    );

    // Assess
    expect(error.status).toBe(status);
    expect(error.field).toBe(field);
    if (field !== undefined) expect(error.message).toMatch(new RegExp(`^${field}: `));
  });

  it("reads only the fixed provider's shapes when webhook_provider is set", () => {
    const cfg = config({ webhook_signature: 'off', webhook_provider: 'vonage' });
    expect(refusal(() => receiveInbound(request(GENERIC, JSON_TYPE), cfg, NOW)).field).toBe('msisdn');
    const twilioOnly = config({ webhook_signature: 'off', webhook_provider: 'twilio' });
    expect(refusal(() => receiveInbound(request(GENERIC, JSON_TYPE), twilioOnly, NOW)).field).toBe('sid');
    // signed: another shape is an unsigned Twilio request (401), not a 500 for the other provider's secret
    const twilioSigned = config({ webhook_provider: 'twilio', vonage_signature_secret: '', webhook_hmac_secret: '' });
    expect(refusal(() => receiveInbound(request(GENERIC, JSON_TYPE), twilioSigned, NOW)).status).toBe(401);
    expect(refusal(() => receiveInbound(request(JSON.stringify(VONAGE), JSON_TYPE), twilioSigned, NOW)).status).toBe(
      401,
    );
  });

  it('never echoes the input in a refusal', () => {
    const secret = 'sk_live_should_not_be_echoed';
    for (const body of [
      JSON.stringify({ id: secret, from: secret, text: secret }),
      `MessageSid=${secret}&From=${secret}&Body=${secret}`,
    ]) {
      const error = refusal(() =>
        receiveInbound(
          request(body, body.startsWith('{') ? JSON_TYPE : FORM),
          config({ webhook_signature: 'off' }),
          NOW,
        ),
      );
      expect(JSON.stringify({ message: error.message, field: error.field })).not.toContain(secret);
    }
  });
});

describe('receiveInbound: signature edges', () => {
  const vonage = (fields: Record<string, unknown>) => request(JSON.stringify(fields), JSON_TYPE);

  it('accepts a Vonage timestamp exactly 300 s away, and refuses 301 s, either way', () => {
    for (const skew of [300, -300]) {
      const signed = signVonage(VONAGE, { timestamp: NOW / 1000 + skew });
      expect(receiveInbound(vonage(signed), config(), NOW).signature).toBe('vonage');
    }
    for (const skew of [301, -301]) {
      const signed = signVonage(VONAGE, { timestamp: NOW / 1000 + skew });
      expect(refusal(() => receiveInbound(vonage(signed), config(), NOW)).message).toBe(
        'invalid signature: timestamp is more than 300 s away from now',
      );
    }
  });

  it('takes a Vonage sig with blanks around it, and refuses a blank one as missing (401)', () => {
    const signed = signVonage(VONAGE, { timestamp: NOW / 1000 });
    expect(receiveInbound(vonage({ ...signed, sig: ` ${signed.sig} ` }), config(), NOW).signature).toBe('vonage');
    const blank = refusal(() => receiveInbound(vonage({ ...signed, sig: '  ' }), config(), NOW));
    expect(blank.status).toBe(401);
  });

  it('signs a Vonage field that is a number or a boolean as its text', () => {
    // Prepare: sign the text forms, send the JSON types
    const signed = signVonage({ ...VONAGE, count: '2', flag: 'true' }, { timestamp: NOW / 1000 });
    const typed = { ...signed, count: 2, flag: true };

    // Act / Assess
    expect(receiveInbound(vonage(typed), config(), NOW).signature).toBe('vonage');
  });

  it('names both keys when a Twilio JSON webhook has neither a token nor an HMAC secret, and the token alone otherwise', () => {
    const req = request(TWILIO_JSON, JSON_TYPE);
    const problems = (cfg: ReturnType<typeof config>) => {
      try {
        receiveInbound(req, cfg, NOW);
      } catch (error) {
        return (error as SignatureConfigError).problems.map((p) => p.key);
      }
      return [];
    };
    expect(problems(config({ twilio_auth_token: '', webhook_hmac_secret: '' }))).toEqual([
      'twilio_auth_token',
      'webhook_hmac_secret',
    ]);
    const signed = request(TWILIO_JSON, JSON_TYPE, { 'X-Twilio-Signature': 'x' });
    try {
      receiveInbound(signed, config({ twilio_auth_token: '' }), NOW);
      throw new Error('expected a SignatureConfigError');
    } catch (error) {
      expect((error as SignatureConfigError).problems.map((p) => p.key)).toEqual(['twilio_auth_token']);
    }
  });

  it('names the URL it checked, without its query, when a Twilio signature does not match', () => {
    const error = refusal(() =>
      receiveInbound(request(TWILIO_FORM, FORM, { 'X-Twilio-Signature': 'wrong' }, `${ROUTE}?a=1`), config(), NOW),
    );
    expect(error.message).toBe(
      `invalid signature: X-Twilio-Signature does not match the URL and parameters (checked against ${PUBLIC}?…; if the provider calls another URL, set webhook_public_url to it)`,
    );
    const plain = refusal(() =>
      receiveInbound(request(TWILIO_FORM, FORM, { 'X-Twilio-Signature': 'wrong' }), config(), NOW),
    );
    expect(plain.message).toContain(`(checked against ${PUBLIC};`);
  });

  it('refuses a Twilio signature header of blanks as missing (401)', () => {
    const error = refusal(() =>
      receiveInbound(request(TWILIO_FORM, FORM, { 'X-Twilio-Signature': '   ' }), config(), NOW),
    );
    expect(error.status).toBe(401);
    expect(error.message).toBe('missing signature: send the X-Twilio-Signature header');
  });
});
