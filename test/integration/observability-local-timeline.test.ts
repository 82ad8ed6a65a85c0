/** `npm start` (dist/start.js): a readable timeline per run in the console; the run journal on the gateway's GET /runs. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const START = fileURLToPath(new URL('../../dist/start.js', import.meta.url));
let child: ChildProcess;
let out = '';
let gateway = '';

beforeAll(async () => {
  child = spawn(process.execPath, [START], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', EMULATOR_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const started = Date.now();
  while (!/ready: gateway (http:\/\/127\.0\.0\.1:\d+)/.test(out)) {
    if (Date.now() - started > 20_000) throw new Error(`local stack did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  gateway = /ready: gateway (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
});
afterAll(async () => {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
});

describe('local stack run timeline', () => {
  it('prints each run’s steps, durations and outcome, and serves them on GET /runs', async () => {
    // Act
    const body = JSON.stringify({
      sid: 'SM11111111111111111111111111111111',
      from: '+13365550652',
      to: '+15558675310',
      body: 'printer on fire',
      num_media: '0',
      account_sid: 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
    });
    const res = await fetch(`${gateway}/webhooks/sms-to-incident`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
    });
    expect(res.status).toBe(200);
    const { runs } = (await (await fetch(`${gateway}/runs`)).json()) as {
      runs: {
        runId: string;
        status: string;
        steps: { name: string; outcome: string; durationMs?: number; attempts?: number }[];
        show: string[];
      }[];
    };

    // Assess
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run!.status).toBe('succeeded');
    expect(run!.steps.map((s) => `${s.name}:${s.outcome}`)).toEqual([
      'lookup-contact:succeeded',
      'create-contact:succeeded',
      'add-phone:succeeded',
      'create-incident:succeeded',
      'add-thread:skipped',
    ]);
    for (const s of run!.steps.slice(0, 4)) expect(s).toMatchObject({ durationMs: expect.any(Number), attempts: 1 });
    expect(run!.show[0]).toBe(`run       ${run!.runId}  sms-to-incident  SUCCEEDED`);
    // The timeline is printed as the run ends: wait for it, with a generous limit, rather than a fixed time.
    for (const started = Date.now(); !out.includes(`run ${run!.runId} SUCCEEDED`) && Date.now() - started < 20_000; )
      await new Promise((r) => setTimeout(r, 20));
    expect(out).toContain(`run ${run!.runId} SUCCEEDED`);
    expect(out).toMatch(/✓ create-incident\s+succeeded\s+\d+ ms/);
    // (the startup banner's sample curl holds a phone number; nothing the function or the timeline prints does)
    expect(
      out
        .split('\n')
        .filter((l) => !l.includes('curl '))
        .join('\n'),
    ).not.toContain('3365550652');
  });
});
