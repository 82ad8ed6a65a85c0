// The smaller batch: generated webhooks through dist/func.js under the real fdk, driven over its
// unix socket as the Fn agent does. The process must answer every one and never die.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HMAC_SECRET, signHmac } from '../helpers/sign-hmac.js';
import { TWILIO_AUTH_TOKEN } from '../helpers/sign-twilio.js';
import { VONAGE_SIGNATURE_SECRET } from '../helpers/sign-vonage.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { HOST, ROUTE, fuzzCall } from './arbitraries.js';
import { assertAnswer, assertIncidentsOnce } from './assert-answer.js';

const RUNS = 1_000;

/** What survives an HTTP hop: header values and the URL are printable ASCII on the wire. */
const printable = (value: string): string => value.replace(/[^\x20-\x7e]/g, '');

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    env: {
      webhook_signature: 'required',
      twilio_auth_token: TWILIO_AUTH_TOKEN,
      vonage_signature_secret: VONAGE_SIGNATURE_SECRET,
      webhook_hmac_secret: HMAC_SECRET,
      webhook_max_body_bytes: '8192',
      reply_template: 'Case {referenceNumber}',
    },
  });
});
afterAll(async () => {
  await stack.stop();
});

describe('fuzz: generated webhooks through the fdk process', () => {
  it(`answers ${RUNS} generated webhooks with a body from the same, living process`, async () => {
    // Prepare
    const pid = stack.fn.pid;
    const stats = new Map<number, number>();
    const created = new Set<string>();

    // Act / Assess
    await fc.assert(
      fc.asyncProperty(fuzzCall, async (call) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(call.headers)) headers[k] = printable(v);
        if (call.contentType !== null) headers['Content-Type'] = printable(call.contentType);
        const url = printable(call.url ?? ROUTE) || ROUTE;
        // The fdk's HTTP server refuses request headers over Node's 16 KB with 431 before the
        // function runs (the agent then retires the container): the in-process suite covers longer queries.
        fc.pre(url.length + JSON.stringify(headers).length < 12_000);
        const answer = await stack.fn.invoke({ method: call.method, url, headers, body: call.body });
        expect(answer.error).toBeUndefined();
        expect(answer.fdkStatus).toBe(200);
        const reference = assertAnswer(
          answer.status,
          answer.headers['content-type'] ?? null,
          answer.body.toString('utf8'),
          stats,
        );
        if (reference !== undefined) created.add(reference);
      }),
      { numRuns: RUNS },
    );

    // Assess: still the same process, still creating incidents
    const alive = await Promise.race([
      stack.fn.exited.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 50)),
    ]);
    expect(alive).toBe(true);
    expect(stack.fn.pid).toBe(pid);
    const body = JSON.stringify({ id: 'msg-after-fuzz', from: '+4915112345678', text: 'still here' });
    const last = await stack.fn.invoke({
      method: 'POST',
      url: ROUTE,
      headers: { Host: HOST, 'Content-Type': 'application/json', 'X-Webhook-Signature': signHmac(body) },
      body,
    });
    expect(last.status).toBe(200);
    created.add((JSON.parse(last.body.toString('utf8')) as { referenceNumber: string }).referenceNumber);
    assertIncidentsOnce(created, stack.emulator.state().incidents);
    expect(stack.fn.output()).not.toContain('unexpected error');
    expect(stats.get(200) ?? 0).toBeGreaterThan(0);
    expect(stats.get(403) ?? 0).toBeGreaterThan(0);
  }, 90_000);
});
