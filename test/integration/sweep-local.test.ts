/** `npm start` (dist/start.js) sweeps on a timer: a run B2C refused is finished without anyone typing a command. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const START = fileURLToPath(new URL('../../dist/start.js', import.meta.url));
let child: ChildProcess;
let out = '';
let gateway = '';
let emulator = '';

beforeAll(async () => {
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: '0',
    EMULATOR_PORT: '0',
    SWEEP_INTERVAL_MS: '500',
    sweep_backoff_initial_ms: '0',
  };
  child = spawn(process.execPath, [START], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const ready = /ready: gateway (http:\/\/127\.0\.0\.1:\d+), B2C Service emulator (http:\/\/127\.0\.0\.1:\d+)/;
  for (const started = Date.now(); !ready.test(out); ) {
    if (Date.now() - started > 20_000) throw new Error(`local stack did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  [, gateway, emulator] = ready.exec(out) as unknown as [string, string, string];
});
afterAll(async () => {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
});

describe('npm start sweeps on a timer', { timeout: 120_000 }, () => {
  it('finishes a run whose incident creation B2C Service throttled, with nothing redelivered', async () => {
    // Prepare: every attempt of the delivery is throttled
    const fault = {
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 503,
      errorCode: 'OSC-CREST-00035',
      nextRequestAfterMs: 10,
      times: 3,
    };
    expect(
      (
        await fetch(`${emulator}/__emulator/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(fault),
        })
      ).status,
    ).toBe(201);
    const body = JSON.stringify({
      sid: 'SM22222222222222222222222222222222',
      from: '+13365550652',
      to: '+15558675310',
      body: 'printer on fire',
      num_media: '0',
      account_sid: 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
    });

    // Act
    const res = await fetch(`${gateway}/webhooks/sms-to-incident`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
    });
    const { runId } = (await res.json()) as { runId: string };
    for (
      const started = Date.now();
      !out.includes(`[sweep] run ${runId} restart: completed`) && Date.now() - started < 25_000;
    )
      await new Promise((r) => setTimeout(r, 50));

    // Assess
    expect(res.status).toBe(502);
    expect(out).toContain(`[sweep] run ${runId} restart: completed`);
    const state = (await (await fetch(`${emulator}/__emulator/state`)).json()) as {
      incidents: { threads: unknown[] }[];
    };
    expect(state.incidents).toHaveLength(1);
    expect(state.incidents[0]!.threads).toHaveLength(1);
  });
});
