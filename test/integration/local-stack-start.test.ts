/**
 * `npm start` (dist/start.js) as a newcomer meets it, through its own processes: with signatures on
 * it prints a curl that works and a wrong URL's 403 says which URL was checked; its `GET /runs`
 * reads the run journal (a run redriven from the CLI shows as succeeded); a busy port is one line.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

const START = fileURLToPath(new URL('../../dist/start.js', import.meta.url));
const sh = promisify(execFile);

interface Started {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function start(env: Record<string, string>, cwd: string): Started {
  let out = '';
  const child = spawn(process.execPath, [START], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', EMULATOR_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  return { child, output: () => out, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function until(what: () => RegExpExecArray | null, started: Started): Promise<RegExpExecArray> {
  for (const begun = Date.now(); Date.now() - begun < 30_000; await new Promise((r) => setTimeout(r, 50))) {
    const found = what();
    if (found) return found;
  }
  throw new Error(`not printed:\n${started.output()}`);
}

describe('npm start with webhook signatures on', () => {
  let stack: Started;
  let cwd: string;
  let gateway: string;
  let curl: string;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'npm-start-'));
    stack = start({ PORT: '0', webhook_signature: 'required', twilio_auth_token: 'local-test-token' }, cwd);
    const ready = await until(
      () =>
        /ready: gateway (http:\/\/127\.0\.0\.1:\d+), B2C Service emulator (http:\/\/127\.0\.0\.1:\d+), webhook signatures required/.exec(
          stack.output(),
        ),
      stack,
    );
    gateway = ready[1]!;
    curl = (await until(() => /^ {2}(curl .*)$/m.exec(stack.output()), stack))[1]!;
  });
  afterAll(async () => {
    stack.child.kill('SIGTERM');
    await stack.exited;
    await rm(cwd, { recursive: true, force: true });
  });

  it('prints a signed curl that the function accepts', async () => {
    // Act
    const { stdout } = await sh('sh', ['-c', `${curl} -w '\\n%{http_code}'`]);

    // Assess
    expect(stack.output()).toContain('try (signed as the function checks it):');
    expect(curl).toContain('X-Twilio-Signature: ');
    expect(stdout.trim().split('\n').at(-1)).toBe('200');
  });

  it('answers a request signed for another URL with a 403 that names the URL it checked', async () => {
    // Act: the same signature, sent to another host name for the same gateway
    const other = curl.replace(gateway, gateway.replace('127.0.0.1', 'localhost'));
    const { stdout } = await sh('sh', ['-c', `${other} -w '\\n%{http_code}'`]);

    // Assess
    const [body, status] = stdout.trim().split('\n');
    expect(status).toBe('403');
    const port = new URL(gateway).port;
    expect(JSON.parse(body!).message).toBe(
      `invalid signature: X-Twilio-Signature or bodySHA256 does not match (checked against https://localhost:${port}/webhooks/sms-to-incident?…; if the provider calls another URL, set webhook_public_url to it)`,
    );
  });
});

describe('npm start GET /runs', () => {
  let stack: Started;
  let cwd: string;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'npm-start-'));
    stack = start({ PORT: '0' }, cwd);
  });
  afterAll(async () => {
    stack.child.kill('SIGTERM');
    await stack.exited;
    await rm(cwd, { recursive: true, force: true });
  });

  it('reads the run journal: a failed run redriven from the CLI shows as succeeded', async () => {
    // Prepare: the next incident creation is refused for good, so the message's run fails
    const ready = await until(
      () =>
        /ready: gateway (http:\/\/127\.0\.0\.1:\d+), B2C Service emulator (http:\/\/127\.0\.0\.1:\d+)/.exec(
          stack.output(),
        ),
      stack,
    );
    const [, gateway, emulator] = ready as unknown as [string, string, string];
    const journal = (await until(() => /--journal (file:\S+)/.exec(stack.output()), stack))[1]!;
    await fetch(`${emulator}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ method: 'POST', path: '/incidents', action: 'status', status: 400, times: 1 }),
    });
    const body = JSON.stringify({
      sid: 'SM33333333333333333333333333333333',
      from: '+13365550652',
      to: '+15558675310',
      body: 'printer on fire',
      num_media: '0',
      account_sid: 'ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
    });
    const failed = await fetch(`${gateway}/webhooks/sms-to-incident`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body,
    });
    const runId = ((await failed.json()) as { runId: string }).runId;
    const before = (await (await fetch(`${gateway}/runs`)).json()) as {
      journal: string;
      runs: { runId: string; status: string; show: string[] }[];
    };

    // Act: the redrive the runbook gives, from the folder npm start runs in (its newest session)
    const redrive = await cli(
      ['runs', 'redrive', runId.slice(0, 8)],
      {
        b2cservice_hostname: emulator,
        b2cservice_username: 'admin',
        b2cservice_password: 'admin',
        webhook_signature: 'off',
      },
      { cwd },
    );
    const after = (await (await fetch(`${gateway}/runs`)).json()) as {
      journal: string;
      runs: { runId: string; status: string; show: string[] }[];
    };

    // Assess
    expect(failed.status).toBe(502);
    expect(before.journal).toBe(journal);
    expect(before.runs).toEqual([expect.objectContaining({ runId, status: 'failed' })]);
    expect(redrive.code).toBe(0);
    expect(after.runs).toEqual([expect.objectContaining({ runId, status: 'succeeded' })]);
    expect(after.runs[0]!.show.join('\n')).toMatch(/history[\s\S]*redrive +cli@/);
  });
});

describe('npm start on a busy port', () => {
  it('says which port is taken and which variable picks another, exit 1, no stack trace', async () => {
    // Prepare
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    const cwd = await mkdtemp(join(tmpdir(), 'npm-start-'));

    // Act
    const stack = start({ PORT: String(port) }, cwd);
    const code = await stack.exited;

    // Assess
    busy.close();
    await rm(cwd, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(stack.output()).toContain(
      `npm start: port ${port} on 127.0.0.1 is in use (another npm start?). Stop it, or pick a free port: PORT=${port + 1} npm start`,
    );
    expect(stack.output()).not.toMatch(/^\s+at /m);
  });
});
