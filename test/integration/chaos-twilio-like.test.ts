import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deliverLikeTwilio, type ProviderOutcome, type ProviderRequest } from '../../chaos/twilio-like.js';
import {
  TWILIO_AUTH_TOKEN,
  twilioParams,
  twilioValidateRequest,
  twilioValidateRequestWithBody,
} from '../helpers/sign-twilio.js';

/**
 * The soak's Twilio-like provider against a real HTTP server: one request, one fallback after a
 * 5xx or its patience, signed as Twilio signs (checked with the twilio package), nothing more.
 */

interface Seen {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A webhook that answers the scripted statuses in turn (`hang`: never); records what it got. */
async function webhook(script: (number | 'hang')[]): Promise<{ origin: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const next = script.shift() ?? 200;
      if (next === 'hang') return;
      res.writeHead(next, { 'content-type': 'text/xml' }).end('<Response/>');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

async function send(request: ProviderRequest): Promise<ProviderOutcome> {
  const res = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
  await res.arrayBuffer();
  return { status: res.status };
}

const FORM = new URLSearchParams({
  MessageSid: 'SM0123',
  AccountSid: `AC${'0'.repeat(32)}`,
  From: '+15550001111',
  To: '+15558675310',
  Body: 'the router is down',
  NumMedia: '0',
}).toString();

describe('the Twilio-like provider of the soak', () => {
  it('sends one request and nothing more when it is answered 2xx in time', async () => {
    // Prepare
    const { origin, seen } = await webhook([200]);

    // Act
    const result = await deliverLikeTwilio({ kind: 'form', body: FORM }, send, {
      url: `${origin}/hook`,
      fallbackUrl: `${origin}/hook?fallback=1`,
    });

    // Assess
    expect(result).toEqual({ primary: { status: 200 } });
    expect(seen).toHaveLength(1);
    expect(
      twilioValidateRequest(
        TWILIO_AUTH_TOKEN,
        String(seen[0]!.headers['x-twilio-signature']),
        `${origin}/hook`,
        twilioParams(seen[0]!.body),
      ),
    ).toBe(true);
  });

  it('after a 5xx sends ONE fallback with ErrorCode 11200 and ErrorUrl, signed over the fallback URL, and nothing after it fails too', async () => {
    // Prepare
    const { origin, seen } = await webhook([502, 503]);
    const url = `${origin}/hook`;
    const fallbackUrl = `${origin}/hook?fallback=1`;

    // Act
    const result = await deliverLikeTwilio({ kind: 'form', body: FORM }, send, { url, fallbackUrl });
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Assess
    expect(result).toEqual({ primary: { status: 502 }, fallback: { status: 503 } });
    expect(seen.map((s) => s.url)).toEqual(['/hook', '/hook?fallback=1']);
    const fallback = new URLSearchParams(seen[1]!.body);
    expect(Object.fromEntries(fallback)).toEqual({
      ...Object.fromEntries(new URLSearchParams(FORM)),
      ErrorCode: '11200',
      ErrorUrl: url,
    });
    const signature = String(seen[1]!.headers['x-twilio-signature']);
    expect(twilioValidateRequest(TWILIO_AUTH_TOKEN, signature, fallbackUrl, twilioParams(seen[1]!.body))).toBe(true);
    expect(twilioValidateRequest(TWILIO_AUTH_TOKEN, signature, url, twilioParams(seen[1]!.body))).toBe(false);
  });

  it('hangs up after its patience and sends the fallback with ErrorCode 11205, JSON signed with bodySHA256', async () => {
    // Prepare
    const { origin, seen } = await webhook(['hang', 200]);
    const json = JSON.stringify({ sid: 'SM0456', from: '+15550001111', to: '+15558675310', body: 'hi' });
    const started = Date.now();

    // Act
    const result = await deliverLikeTwilio({ kind: 'json', body: json }, send, {
      url: `${origin}/hook`,
      fallbackUrl: `${origin}/fb`,
      patienceMs: 400,
    });

    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(result).toEqual({ primary: { status: 'timeout' }, fallback: { status: 200 } });
    expect(seen).toHaveLength(2);
    expect(JSON.parse(seen[1]!.body)).toEqual({ ...JSON.parse(json), ErrorCode: '11205', ErrorUrl: `${origin}/hook` });
    expect(seen[1]!.url).toMatch(/^\/fb\?bodySHA256=[0-9a-f]{64}$/);
    expect(
      twilioValidateRequestWithBody(
        TWILIO_AUTH_TOKEN,
        String(seen[1]!.headers['x-twilio-signature']),
        `${origin}${seen[1]!.url}`,
        seen[1]!.body,
      ),
    ).toBe(true);
  });

  it('sends no fallback for a 4xx', async () => {
    // Prepare
    const { origin, seen } = await webhook([409]);

    // Act
    const result = await deliverLikeTwilio({ kind: 'form', body: FORM }, send, {
      url: `${origin}/hook`,
      fallbackUrl: `${origin}/fb`,
    });

    // Assess
    expect(result).toEqual({ primary: { status: 409 } });
    expect(seen).toHaveLength(1);
  });
});
