// Property-based: ≥ 10,000 generated webhooks through the real handler (createHandler, in
// process, fdk Context faked), against the B2C emulator over real HTTP with no fault injected.
// Every answer is a 2xx/4xx with a body (a 5xx is a failure), nothing escapes, nothing is echoed
// back, and every 200's incident exists exactly once in the emulator.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context, FnResult } from '@fnproject/fdk';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createHandler } from '../../src/function/handler.js';
import { HMAC_SECRET } from '../helpers/sign-hmac.js';
import { TWILIO_AUTH_TOKEN } from '../helpers/sign-twilio.js';
import { VONAGE_SIGNATURE_SECRET } from '../helpers/sign-vonage.js';
import { CREDENTIALS } from '../helpers/stack.js';
import { fuzzCall, type FuzzCall } from './arbitraries.js';
import { assertAnswer, assertIncidentsOnce } from './assert-answer.js';
import { fakeContext, resultBody } from './fake-context.js';

const RUNS_SIGNED = 6_000;
const RUNS_UNSIGNED = 4_000;

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator(CREDENTIALS);
});
afterAll(async () => {
  await emulator.close();
});

function handlerFor(signature: 'required' | 'off', logs: string[]): (input: Buffer, ctx: Context) => Promise<FnResult> {
  return createHandler({
    env: {
      b2cservice_hostname: emulator.url,
      b2cservice_username: CREDENTIALS.username,
      b2cservice_password: CREDENTIALS.password,
      webhook_signature: signature,
      twilio_auth_token: TWILIO_AUTH_TOKEN,
      vonage_signature_secret: VONAGE_SIGNATURE_SECRET,
      webhook_hmac_secret: HMAC_SECRET,
      webhook_max_body_bytes: '8192',
      reply_template: 'Case {referenceNumber}',
    },
    writeLog: (line) => logs.push(line),
  });
}

async function invoke(
  handler: (input: Buffer, ctx: Context) => Promise<FnResult>,
  call: FuzzCall,
): Promise<{ status: number; contentType: string | null; body: string }> {
  const { ctx, recorded } = fakeContext(call);
  const result = await handler(call.body, ctx);
  return {
    status: Number(recorded.status ?? 200),
    contentType: recorded.contentType,
    body: resultBody(result, ctx).toString('utf8'),
  };
}

describe('fuzz: generated webhooks through createHandler', () => {
  it.each([
    ['required', RUNS_SIGNED],
    ['off', RUNS_UNSIGNED],
  ] as const)(
    'with webhook_signature=%s, %i webhooks: answers with a body, never throws, never echoes',
    async (signature, numRuns) => {
      // Prepare
      const logs: string[] = [];
      const handler = handlerFor(signature, logs);
      const stats = new Map<number, number>();
      const created = new Set<string>();
      emulator.reset();

      // Act / Assess
      await fc.assert(
        fc.asyncProperty(fuzzCall, async (call) => {
          const answer = await invoke(handler, call);
          const reference = assertAnswer(answer.status, answer.contentType, answer.body, stats);
          if (reference !== undefined) {
            created.add(reference);
            expect(emulator.state().incidents.filter((i) => i.referenceNumber === reference)).toHaveLength(1);
          }
        }),
        { numRuns },
      );

      console.log(
        `fuzz webhook_signature=${signature}: ${[...stats]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}`,
      );
      // Assess: the generator reached every outcome that matters, the logs stayed JSON lines
      expect(stats.get(200) ?? 0).toBeGreaterThan(numRuns / 50);
      expect(stats.get(400) ?? 0).toBeGreaterThan(numRuns / 50);
      expect(stats.get(415) ?? 0).toBeGreaterThan(0);
      if (signature === 'required') {
        expect(stats.get(401) ?? 0).toBeGreaterThan(0);
        expect(stats.get(403) ?? 0).toBeGreaterThan(numRuns / 50);
      }
      expect(stats.get(405) ?? 0).toBeGreaterThan(0);
      assertIncidentsOnce(created, emulator.state().incidents);
      for (const line of logs) expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(logs.join('\n')).not.toContain('unexpected error');
    },
    150_000,
  );
});
