/**
 * The local Fn agent and API Gateway stand-ins, driven against a real fdk function
 * (test/fixtures/echo-func.mjs) over real unix sockets and real child processes.
 */
import { lstat, readlink } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFunction, startGateway } from '../../src/local/index.js';
import type { FnAnswer, FnProcess, FnProcessOptions, RunningGateway } from '../../src/local/index.js';

const ECHO = fileURLToPath(new URL('../fixtures/echo-func.mjs', import.meta.url));

/** What echo-func.mjs answers with. */
interface Echo {
  callID: string | null;
  deadline: string | null;
  rawDeadline: string | null;
  intent: string | null;
  invokeType: string | null;
  method: string | null;
  requestURL: string | null;
  contentType: string | null;
  rawHost: string | null;
  headers: {
    host: string | null;
    contentType: string | null;
    custom: string | null;
    forwardedFor: string | null;
    realIp: string | null;
    connection: string | null;
  };
  gatewayHeaderNames: string[];
  appID: string | null;
  fnID: string | null;
  memory: number;
  fnType: string | null;
  envKeys: string[];
  config: string | null;
  body: string;
  bodyBytes: number;
}

const echoOf = (answer: FnAnswer): Echo => JSON.parse(answer.body.toString('utf8')) as Echo;

const started: FnProcess[] = [];

/** Starts the echo function and remembers it for cleanup. */
async function startEcho(opts: Partial<FnProcessOptions> = {}): Promise<FnProcess> {
  const fn = await startFunction({ entry: ECHO, ...opts });
  started.push(fn);
  return fn;
}

async function stopAll(): Promise<void> {
  await Promise.all(started.splice(0).map((fn) => fn.stop()));
}

describe('fn agent', () => {
  afterEach(stopAll);

  it('starts the function on a symlinked unix socket with only the config it was given', async () => {
    // Prepare
    process.env.LOCAL_STACK_PARENT_ONLY = 'must not leak';
    try {
      // Act
      const fn = await startEcho({ env: { ECHO_CONFIG: 'from-config' } });
      const answer = await fn.invoke({ method: 'POST', url: '/x' });

      // Assess
      expect(fn.pid).toBeTypeOf('number');
      expect((await lstat(fn.socketPath)).isSymbolicLink()).toBe(true);
      expect(await readlink(fn.socketPath)).toBe('lsnr.sock.tmp');
      expect(Buffer.byteLength(`${fn.socketPath}.tmp`)).toBeLessThan(100);
      const echo = echoOf(answer);
      expect(echo.config).toBe('from-config');
      expect(echo.envKeys).not.toContain('LOCAL_STACK_PARENT_ONLY');
      expect(echo.envKeys).toEqual(expect.arrayContaining(['PATH', 'FN_FORMAT', 'FN_LISTENER']));
      expect(echo).toMatchObject({
        appID: 'ocid1.fnapp.oc1..local',
        fnID: 'ocid1.fnfunc.oc1..local',
        memory: 256,
        fnType: 'sync',
      });
    } finally {
      delete process.env.LOCAL_STACK_PARENT_ONLY;
    }
  });

  it('sends every Fn-* header the gateway agent sends when it invokes the function', async () => {
    // Prepare
    const fn = await startEcho({ timeoutMs: 10_000 });
    const before = Date.now();

    // Act
    const answer = await fn.invoke({
      method: 'put',
      url: '/webhooks/sms-to-incident?x=1&y=two',
      callId: '01TESTCALLID',
      headers: {
        host: 'gw.example.com',
        'content-type': 'application/x-www-form-urlencoded',
        'x-custom': 'custom value',
        connection: 'keep-alive',
      },
      body: 'From=%2B15551234567&Body=Hello',
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.callId).toBe('01TESTCALLID');
    const echo = echoOf(answer);
    expect(echo).toMatchObject({
      callID: '01TESTCALLID',
      intent: 'httprequest',
      invokeType: 'sync',
      method: 'PUT',
      requestURL: '/webhooks/sms-to-incident?x=1&y=two',
      contentType: 'application/x-www-form-urlencoded',
      rawHost: 'localhost',
      headers: {
        host: 'gw.example.com',
        contentType: 'application/x-www-form-urlencoded',
        custom: 'custom value',
        connection: null, // hop-by-hop: never forwarded
      },
      body: 'From=%2B15551234567&Body=Hello',
    });
    expect(echo.rawDeadline).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const deadline = Date.parse(echo.rawDeadline ?? '');
    expect(deadline).toBeGreaterThanOrEqual(before + 10_000);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 10_000);
  });

  it('gives each call a fresh ULID-like call id when none is given', async () => {
    // Prepare
    const fn = await startEcho();

    // Act
    const [a, b] = [await fn.invoke({ method: 'GET', url: '/' }), await fn.invoke({ method: 'GET', url: '/' })];

    // Assess
    expect(a.callId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(b.callId).not.toBe(a.callId);
    expect(echoOf(a).callID).toBe(a.callId);
  });

  it('answers the client with Fn-Http-Status and the fn-http-h-* headers when the function sets them', async () => {
    // Prepare
    const fn = await startEcho();

    // Act
    const answer = await fn.invoke({ method: 'POST', url: '/', headers: { 'x-want-status': '201' }, body: 'hi' });

    // Assess
    expect(answer.fdkStatus).toBe(200);
    expect(answer.status).toBe(201);
    expect(answer.headers).toEqual({ 'x-echo': '1', 'content-type': 'application/json' });
    expect(answer.error).toBeUndefined();
  });

  it('passes a UTF-8 body larger than 64 KiB through intact both ways', async () => {
    // Prepare
    const fn = await startEcho();
    const text = '€😀'.repeat(100_000);

    // Act
    const answer = await fn.invoke({ method: 'POST', url: '/', body: Buffer.from(text, 'utf8') });

    // Assess
    const echo = echoOf(answer);
    expect(echo.bodyBytes).toBe(Buffer.byteLength(text));
    expect(echo.body === text).toBe(true); // not toBe: a 600 KB diff is unreadable
  });

  it('answers 504, kills the process and then answers 502 when the deadline passes', async () => {
    // Prepare
    const fn = await startEcho({ timeoutMs: 30_000 });

    // Act
    const late = await fn.invoke({ method: 'POST', url: '/', body: 'sleep:5000', timeoutMs: 300 });
    const next = await fn.invoke({ method: 'POST', url: '/', body: 'hi' });

    // Assess
    expect(late).toMatchObject({ status: 504, fdkStatus: 0, error: 'deadline exceeded' });
    expect(late.durationMs).toBeGreaterThanOrEqual(290);
    expect(late.durationMs).toBeLessThan(3000);
    expect(await fn.exited).toBeNull(); // killed by a signal
    expect(next).toMatchObject({ status: 502, fdkStatus: 0, error: 'function not running' });
  });

  it('answers 502 with an error when the function crashes mid-call', async () => {
    // Prepare
    const fn = await startEcho();

    // Act
    const crashed = await fn.invoke({ method: 'POST', url: '/', body: 'crash' });
    const next = await fn.invoke({ method: 'POST', url: '/', body: 'hi' });

    // Assess
    expect(crashed.status).toBe(502);
    expect(crashed.error).toMatch(/^function crashed: /);
    expect(JSON.parse(crashed.body.toString())).toEqual({ message: 'Bad Gateway' });
    expect(await fn.exited).toBe(1);
    expect(next.error).toBe('function not running');
  });

  it('answers 502 without the fdk error body and keeps the process when the function throws', async () => {
    // Prepare
    const fn = await startEcho();

    // Act
    const failed = await fn.invoke({ method: 'POST', url: '/', body: 'throw' });
    const next = await fn.invoke({ method: 'POST', url: '/', body: 'hi' });

    // Assess
    expect(failed).toMatchObject({ status: 502, fdkStatus: 502, error: 'function failed' });
    expect(failed.body.toString()).not.toContain('Exception');
    expect(fn.output()).toContain('thrown as asked');
    expect(next.status).toBe(200);
  });

  it('sends calls one at a time when they are invoked concurrently', async () => {
    // Prepare
    const fn = await startEcho();
    const t0 = Date.now();

    // Act
    const answers = await Promise.all([
      fn.invoke({ method: 'POST', url: '/', body: 'sleep:300' }),
      fn.invoke({ method: 'POST', url: '/', body: 'sleep:300' }),
    ]);

    // Assess
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(590);
  });

  it('reports each printed line and keeps the whole output', async () => {
    // Prepare
    const lines: string[] = [];
    const fn = await startEcho({ onOutput: (stream, line) => lines.push(`${stream}:${line}`) });

    // Act
    await fn.invoke({ method: 'POST', url: '/', callId: 'CALL-A', body: 'abc' });

    // Assess
    expect(lines).toContain('stdout:echo-func: call CALL-A (3 bytes)');
    expect(fn.output()).toContain('echo-func: call CALL-A (3 bytes)\n');
  });

  it('rejects with the function output when the function exits before listening', async () => {
    // Prepare
    const start = startFunction({ entry: ECHO, env: { ECHO_FAIL_AT_START: '1' } });

    // Act + Assess
    await expect(start).rejects.toThrow(/exited before listening[\s\S]*failing at start as asked/);
  });

  it('removes its temp dir when stopped', async () => {
    // Prepare
    const fn = await startEcho();

    // Act
    await fn.stop();

    // Assess
    await expect(lstat(dirname(fn.socketPath))).rejects.toThrow(/ENOENT/);
    expect(await fn.exited).toBeNull();
  });
});

describe('gateway', () => {
  let gateway: RunningGateway;
  let echo: FnProcess;
  let crashy: FnProcess | undefined;
  let starts = 0;

  /** Restarts the function when it is gone, as a caller of GatewayRoute.fn may. */
  let crashyGone = true;
  async function crashyFn(): Promise<FnProcess> {
    if (!crashy || crashyGone) {
      const fn = await startEcho();
      crashyGone = false;
      void fn.exited.then(() => (crashyGone = true));
      crashy = fn;
      starts++;
    }
    return crashy;
  }

  beforeAll(async () => {
    echo = await startEcho();
    gateway = await startGateway({
      routes: [
        { path: '/webhooks/echo', methods: ['POST', 'put'], fn: () => echo },
        { path: '/webhooks/crashy', methods: ['ANY'], fn: crashyFn },
        { path: '/webhooks/broken', methods: ['POST'], fn: () => Promise.reject(new Error('no such function')) },
      ],
      maxBodyBytes: 64 * 1024,
      extraRoutes: {
        '/runs': (_req: IncomingMessage, res: ServerResponse) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ runs: ['r1'] }));
        },
      },
    });
  });

  afterAll(async () => {
    await gateway.close();
    await stopAll();
  });

  it('forwards a request on a route to the function and writes its answer back', async () => {
    // Prepare
    const { host } = new URL(gateway.url);

    // Act
    const res = await fetch(`${gateway.url}/webhooks/echo?x=1`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'x-custom': 'c1', 'x-want-status': '202' },
      body: 'héllo 😀',
    });

    // Assess
    expect(res.status).toBe(202);
    expect(res.headers.get('x-echo')).toBe('1');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('fn-fdk-version')).toBeNull();
    const body = (await res.json()) as Echo;
    expect(body).toMatchObject({
      method: 'POST',
      requestURL: '/webhooks/echo?x=1',
      contentType: 'text/plain; charset=utf-8',
      headers: { host, custom: 'c1', forwardedFor: '127.0.0.1', realIp: '127.0.0.1' },
      body: 'héllo 😀',
    });
  });

  it('appends the caller to X-Forwarded-For when the client sent one', async () => {
    // Act
    const res = await fetch(`${gateway.url}/webhooks/echo`, {
      method: 'PUT',
      headers: { 'x-forwarded-for': '203.0.113.7' },
      body: 'x',
    });

    // Assess
    const body = (await res.json()) as Echo;
    expect(body.headers.forwardedFor).toBe('203.0.113.7, 127.0.0.1');
  });

  it('answers 405 when the method is not allowed on the route', async () => {
    // Act
    const res = await fetch(`${gateway.url}/webhooks/echo`);

    // Assess
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({ message: 'Method not allowed' });
  });

  it('answers 404 when no route matches the path', async () => {
    // Act
    const res = await fetch(`${gateway.url}/webhooks/nope`, { method: 'POST', body: 'x' });

    // Assess
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Not Found' });
  });

  it('answers 413 without calling the function when the body is over the limit', async () => {
    // Prepare
    const before = echo.output();

    // Act
    const res = await fetch(`${gateway.url}/webhooks/echo`, { method: 'POST', body: 'x'.repeat(64 * 1024 + 1) });

    // Assess
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ message: 'Payload Too Large' });
    expect(echo.output()).toBe(before);
  });

  it('describes its routes on GET / when no info is given', async () => {
    // Act
    const res = await fetch(`${gateway.url}/`);

    // Assess
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      routes: expect.arrayContaining([{ path: '/webhooks/echo', methods: ['POST', 'put'] }]),
    });
  });

  it('serves info() on GET / when it is given', async () => {
    // Prepare
    const other = await startGateway({ routes: [], info: () => ({ hello: 'world' }) });

    try {
      // Act
      const res = await fetch(`${other.url}/`);

      // Assess
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ hello: 'world' });
    } finally {
      await other.close();
    }
  });

  it('hands an extra route to its handler', async () => {
    // Act
    const res = await fetch(`${gateway.url}/runs?limit=5`);

    // Assess
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ runs: ['r1'] });
  });

  it('answers 502 and gets a restarted function on the next request when the function crashes', async () => {
    // Act
    const crashed = await fetch(`${gateway.url}/webhooks/crashy`, { method: 'POST', body: 'crash' });
    const crashedBody = await crashed.json();
    const next = await fetch(`${gateway.url}/webhooks/crashy`, { method: 'DELETE', body: 'hi' });

    // Assess
    expect(crashed.status).toBe(502);
    expect(crashedBody).toEqual({ message: 'Bad Gateway' });
    expect(next.status).toBe(200);
    expect(((await next.json()) as Echo).method).toBe('DELETE');
    expect(starts).toBe(2);
  });

  it('answers 502 when the route cannot provide a function', async () => {
    // Act
    const res = await fetch(`${gateway.url}/webhooks/broken`, { method: 'POST', body: 'x' });

    // Assess
    expect(res.status).toBe(502);
  });

  it('survives a client that hangs up mid-request', async () => {
    // Prepare
    const controller = new AbortController();

    // Act
    const aborted = fetch(`${gateway.url}/webhooks/echo`, {
      method: 'POST',
      body: 'sleep:300',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(aborted).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const after = await fetch(`${gateway.url}/webhooks/echo`, { method: 'POST', body: 'still here' });

    // Assess
    expect(after.status).toBe(200);
    expect(((await after.json()) as Echo).body).toBe('still here');
  });
});
