// Attacks from the security review, through dist/func.js under the real fdk as API Gateway calls it.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE, postWebhook, readAnswer, startStack, type Stack } from '../helpers/stack.js';
import { HMAC_HEADER, HMAC_SECRET, signHmac } from '../helpers/sign-hmac.js';
import { TWILIO_AUTH_TOKEN, signTwilioForm } from '../helpers/sign-twilio.js';
import { VONAGE_SIGNATURE_SECRET, signVonage } from '../helpers/sign-vonage.js';

const HOST = 'gw.example.com';
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: {
      webhook_signature: 'required',
      twilio_auth_token: TWILIO_AUTH_TOKEN,
      vonage_signature_secret: VONAGE_SIGNATURE_SECRET,
      webhook_hmac_secret: HMAC_SECRET,
    },
  });
});
afterAll(async () => {
  await stack.stop();
});

function call(
  method: string,
  body: string | Buffer,
  options: { url?: string; contentType?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { Host: HOST, ...options.headers };
  if (options.contentType !== undefined) headers['Content-Type'] = options.contentType;
  return stack.fn.invoke({ method, url: options.url ?? ROUTE, headers, body }).then(readAnswer);
}

const attackerQuery = new URLSearchParams({
  id: 'msg-forged-1',
  from: '+4915199999999',
  text: 'forged by the attacker',
}).toString();

describe('GET webhooks and body-signing schemes', () => {
  it('refuses a GET whose query is "signed" with the HMAC of the empty body: 405 naming the reason, nothing created', async () => {
    // Prepare
    stack.emulator.reset();

    // Act
    const res = await call('GET', '', { url: `${ROUTE}?${attackerQuery}`, headers: { [HMAC_HEADER]: signHmac('') } });

    // Assess
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(res.json.message).toMatch(/GET.*signs the body/);
    expect(stack.emulator.requests()).toEqual([]);
  });

  it('refuses a captured (body, signature) pair replayed as a GET with the attacker’s query, with or without the body', async () => {
    // Prepare: a genuine signed POST, as the attacker captured it
    stack.emulator.reset();
    const body = JSON.stringify({ id: 'msg-genuine-1', from: '+4915112345678', text: 'genuine' });
    const signature = signHmac(body);

    // Act
    const withBody = await call('GET', body, {
      url: `${ROUTE}?${attackerQuery}`,
      contentType: JSON_TYPE,
      headers: { [HMAC_HEADER]: signature },
    });
    const withoutBody = await call('GET', '', {
      url: `${ROUTE}?${attackerQuery}`,
      headers: { [HMAC_HEADER]: signature },
    });

    // Assess
    expect(withBody.status).toBe(400);
    expect(withBody.json.message).toMatch(/GET.*no body/);
    expect(withoutBody.status).toBe(405);
    expect(stack.emulator.requests()).toEqual([]);
  });

  it('still accepts GET where the signature covers the query: Twilio over the URL, Vonage with sig among the parameters', async () => {
    // Prepare
    stack.emulator.reset();
    const twilioQuery = new URLSearchParams({
      MessageSid: 'SM0a0b0c0d0e0f0a0b0c0d0e0f0a0b0c0d',
      From: '+14155550101',
      To: '+15558675310',
      Body: 'over GET',
    }).toString();
    const twilioUrl = `${ROUTE}?${twilioQuery}`;
    const vonageQuery = new URLSearchParams(
      signVonage({
        msisdn: '447700900001',
        to: '447700900000',
        messageId: '0A00000000GET001',
        text: 'over GET',
        type: 'text',
      }),
    ).toString();

    // Act
    const twilio = await call('GET', '', {
      url: twilioUrl,
      headers: { 'X-Twilio-Signature': signTwilioForm(`https://${HOST}${twilioUrl}`, '') },
    });
    const vonage = await call('GET', '', { url: `${ROUTE}?${vonageQuery}` });

    // Assess
    expect(twilio.status).toBe(200);
    expect(vonage.status).toBe(200);
    expect(stack.emulator.state().incidents).toHaveLength(2);
  });

  it('refuses a GET that carries a body: what it would mean is ambiguous, and no signature covers it', async () => {
    // Prepare
    stack.emulator.reset();
    const twilioQuery = new URLSearchParams({
      MessageSid: 'SM1a0b0c0d0e0f0a0b0c0d0e0f0a0b0c0d',
      From: '+14155550101',
      To: '+15558675310',
      Body: 'over GET',
    }).toString();
    const twilioUrl = `${ROUTE}?${twilioQuery}`;

    // Act
    const res = await call('GET', 'Body=smuggled', {
      url: twilioUrl,
      contentType: FORM,
      headers: { 'X-Twilio-Signature': signTwilioForm(`https://${HOST}${twilioUrl}`, '') },
    });

    // Assess
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/GET.*no body/);
    expect(stack.emulator.requests()).toEqual([]);
  });

  it.each(['PUT', 'DELETE', 'PATCH'])('refuses %s with 405 and Allow', async (method) => {
    // Prepare
    const body = JSON.stringify({ id: `msg-${method}`, from: '+4915112345678', text: 'x' });

    // Act
    const res = await call(method, body, { contentType: JSON_TYPE, headers: { [HMAC_HEADER]: signHmac(body) } });

    // Assess
    expect(res.status).toBe(405);
    expect(res.headers.allow).toMatch(/^POST/);
  });
});

describe('parsing before verification is linear and bounded', () => {
  /** Median of the times one webhook takes, measured interleaved with the other so load hits both alike. */
  async function medianMs(bodies: readonly string[], runs: number): Promise<number[]> {
    const times: number[][] = bodies.map(() => []);
    for (let i = 0; i < runs; i++) {
      for (const [at, body] of bodies.entries()) {
        const started = performance.now();
        const res = await postWebhook(stack.fn, body, {
          headers: { Host: HOST, 'Content-Type': FORM, 'X-Twilio-Signature': 'AAAA' },
          timeoutMs: 600_000,
        });
        times[at]!.push(performance.now() - started);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
      }
    }
    return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!);
  }

  it('refuses a form of one repeated name as fast as a same-size form of distinct names (ratio, same run)', async () => {
    // Prepare: just under the 64 KiB default limit, same length
    const size = 64 * 1024 - 16;
    const repeated = `MessageSid&${'a&'.repeat(size / 2)}`.slice(0, size);
    let distinct = 'MessageSid&';
    for (let i = 0; distinct.length < size; i++) distinct += `f${i}&`;
    distinct = distinct.slice(0, size);

    // Act
    const [repeatedMs, distinctMs] = await medianMs([repeated, distinct], 9);

    // Assess: no absolute time, only how the two compare
    console.log(`repeated names ${repeatedMs!.toFixed(1)} ms, distinct names ${distinctMs!.toFixed(1)} ms`);
    expect(repeatedMs! / distinctMs!).toBeLessThan(5);
  }, 600_000);

  it('refuses a form with more fields than any provider sends: 413 naming the limit, nothing created', async () => {
    // Prepare
    stack.emulator.reset();
    const body = `MessageSid=SM1&From=%2B14155550101&Body=x&${'a=1&'.repeat(1000)}`;

    // Act
    const res = await postWebhook(stack.fn, body, {
      headers: {
        Host: HOST,
        'Content-Type': FORM,
        'X-Twilio-Signature': signTwilioForm(`https://${HOST}${ROUTE}`, body),
      },
    });

    // Assess
    expect(res.status).toBe(413);
    expect(res.json.message).toMatch(/more than \d+ fields/);
    expect(stack.emulator.requests()).toEqual([]);
  });

  it.each([
    [
      'a Vonage-looking body',
      (nest: string) => `{"msisdn":"447700900001","messageId":"x","text":"a","sig":"0","x":${nest}}`,
    ],
    ['a generic body', (nest: string) => `{"id":"m-deep","from":"+4915112345678","text":"a","x":${nest}}`],
  ])(
    'answers deeply nested JSON in %s with 400 naming the depth, and counts it as a rejected webhook',
    async (_, bodyOf) => {
      // Prepare: deep enough to overflow a recursive stringify
      stack.emulator.reset();
      const body = bodyOf(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
      const before = stack.fn.output().length;

      // Act
      const res = await postWebhook(stack.fn, body, {
        headers: { Host: HOST, 'Content-Type': JSON_TYPE, [HMAC_HEADER]: signHmac(body) },
      });

      // Assess
      expect(res.status).toBe(400);
      expect(res.json.message).toMatch(/nested deeper than \d+/);
      expect(stack.emulator.requests()).toEqual([]);
      const logged = stack.fn.output().slice(before);
      expect(logged).toContain('webhook rejected');
      expect(logged).not.toContain('unexpected error');
    },
  );
});
