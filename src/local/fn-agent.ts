/**
 * A local stand-in for the Fn agent: runs a function built with @fnproject/fdk as a child
 * process and calls it over its unix socket exactly as the agent behind OCI API Gateway does
 * (see shared/notes/fn-fdk.md §1.3–1.8, §2 and §4.1). No Docker involved.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How to run one function process. */
export interface FnProcessOptions {
  /** Path to the function's JS entry, e.g. `dist/func.js`. */
  entry: string;
  /**
   * Function config. Added to a minimal env (PATH, HOME, and NODE_OPTIONS only if set), not to the
   * whole parent env, so tests control exactly what the function sees.
   */
  env?: Record<string, string>;
  /** The function's timeout (func.yaml `timeout`) in ms: Fn-Deadline = now + timeoutMs. @default 30000 */
  timeoutMs?: number;
  /** The node binary to run it with (benchmarks compare runtimes). @default process.execPath */
  node?: string;
  /** Node's own options before the entry, as the image's ENTRYPOINT gives them (e.g. V8 heap sizes). */
  nodeArgs?: readonly string[];
  /** Called with each line the function prints. */
  onOutput?: (stream: 'stdout' | 'stderr', line: string) => void;
}

/** One client request, as OCI API Gateway hands it to the Fn agent. */
export interface FnInvocation {
  /**
   * `httprequest` (default): a client request through the gateway (`Fn-Intent`, `Fn-Http-*` headers).
   * `invoke`: a direct invocation, as the gateway calls an authorizer function: no `Fn-Http-*`
   * headers, `method`/`url` unused, `headers` sent as they are.
   */
  intent?: 'httprequest' | 'invoke';
  /** The client's HTTP method. */
  method: string;
  /** Path and query as OCI API Gateway passes it (deployment prefix included), e.g. `/webhooks/sms-to-incident?x=1`. */
  url: string;
  /** The client's headers. */
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** @default a fresh ULID-like id */
  callId?: string;
  /** Overrides the process default for this call's Fn-Deadline. */
  timeoutMs?: number;
}

/** What the client gets back, derived from the fdk's answer the way the gateway does it. */
export interface FnAnswer {
  /** The client status: fdk 200 → `Number(Fn-Http-Status ?? 200)`; fdk 502/504 → 502/504; anything else, a crash or a hang-up → 502. */
  status: number;
  /** Client headers: the `Fn-Http-H-*` headers with the prefix stripped (lower-case), plus `content-type`. */
  headers: Record<string, string>;
  body: Buffer;
  /** What the fdk answered on the socket; 0 if no answer arrived. */
  fdkStatus: number;
  callId: string;
  durationMs: number;
  /** Why the call failed, e.g. `function crashed: socket hang up` or `deadline exceeded`. */
  error?: string;
}

/** A running function process. */
export interface FnProcess {
  readonly socketPath: string;
  readonly pid: number | undefined;
  /**
   * Calls the function once. Calls are sent one at a time, as the agent does with a container;
   * a queued call's deadline starts when it is sent. Never rejects for a function failure:
   * that is an answer with status 502/504 and `error` set.
   */
  invoke(inv: FnInvocation): Promise<FnAnswer>;
  /** Everything the function printed so far (stdout and stderr interleaved). */
  output(): string;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, waits for the exit (SIGKILL after 2 s), then removes the temp dir. */
  stop(): Promise<void>;
  /** Resolves with the exit code (null when killed by a signal) once the process is gone. */
  readonly exited: Promise<number | null>;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** fn-format.md: the fdk must listen within 5 s of start. */
const LISTEN_TIMEOUT_MS = 5_000;
const POLL_MS = 10;
const STOP_GRACE_MS = 2_000;
/** unix socket paths are limited to 107 bytes; the fdk appends `.tmp`. */
const MAX_SOCKET_PATH = 100;
/** How long to wait for a hung-up process to be reported dead, so the next call sees it. */
const CRASH_SETTLE_MS = 250;

/** Hop-by-hop headers: the gateway and the agent never forward them. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Starts `node [nodeArgs] <entry>` (this process's node unless told) under Fn's env and resolves once the fdk listens. */
export async function startFunction(opts: FnProcessOptions): Promise<FnProcess> {
  const dir = await makeSocketDir();
  const socketPath = join(dir, 'lsnr.sock');
  const defaultTimeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  let child: ChildProcess;
  try {
    child = spawn(opts.node ?? process.execPath, [...(opts.nodeArgs ?? []), opts.entry], {
      env: functionEnv(opts.env, socketPath),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  let printed = '';
  const collect = (stream: 'stdout' | 'stderr', line: string): void => {
    printed += `${line}\n`;
    try {
      opts.onOutput?.(stream, line);
    } catch {
      // A faulty log sink must not take the agent down.
    }
  };
  if (child.stdout) splitLines(child.stdout, (line) => collect('stdout', line));
  if (child.stderr) splitLines(child.stderr, (line) => collect('stderr', line));

  let running = true;
  // Set when the agent gives up on the process, so later calls fail fast even before it has exited.
  let retired = false;
  let spawnError: Error | undefined;
  child.on('exit', () => {
    running = false;
  });
  const exited = new Promise<number | null>((resolve) => {
    // 'close' comes after the stdio streams end, so output() is complete by then.
    child.on('close', (code) => resolve(code));
    child.on('error', (err) => {
      running = false;
      spawnError = err;
      resolve(null);
    });
  });

  const killChild = (signal: NodeJS.Signals): void => {
    if (running) child.kill(signal);
  };
  const retire = (): void => {
    retired = true;
    killChild('SIGKILL');
  };

  try {
    await waitForListener(socketPath, () => !running);
  } catch (err) {
    killChild('SIGKILL');
    await exited;
    await rm(dir, { recursive: true, force: true });
    const why = spawnError ? `could not spawn: ${spawnError.message}` : (err as Error).message;
    throw new Error(`function ${opts.entry} did not start: ${why}\n--- output ---\n${printed}`);
  }

  // The agent sends one call at a time to a container: chain calls.
  let queue: Promise<unknown> = Promise.resolve();

  const invokeNow = async (inv: FnInvocation, callId: string, startedAt: number): Promise<FnAnswer> => {
    if (!running || retired) return failure(callId, startedAt, 0, 502, 'function not running');
    const timeoutMs = inv.timeoutMs ?? defaultTimeoutMs;
    const outcome = await callFdk(socketPath, agentHeaders(inv, callId, Date.now() + timeoutMs), inv.body, timeoutMs);
    // What the function printed before answering is already in its stdout pipe, but the pipe's
    // 'data' may be handled after the socket's answer: one event-loop turn lets output() catch up.
    await new Promise((resolve) => setImmediate(resolve));
    switch (outcome.kind) {
      case 'deadline':
        // The real agent gives up on the container once the deadline passes.
        retire();
        return failure(callId, startedAt, outcome.fdkStatus, 504, 'deadline exceeded');
      case 'failed': {
        await settle(exited, CRASH_SETTLE_MS);
        const what = running ? 'function call failed' : 'function crashed';
        return failure(callId, startedAt, outcome.fdkStatus, 502, `${what}: ${outcome.message}`);
      }
      case 'answered':
        return toClientAnswer(outcome.res, outcome.body, callId, startedAt, retire);
    }
  };

  const stop = async (): Promise<void> => {
    killChild('SIGTERM');
    const timer = setTimeout(() => killChild('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
    await rm(dir, { recursive: true, force: true });
  };

  return {
    socketPath,
    pid: child.pid,
    invoke(inv) {
      const callId = inv.callId ?? newCallId();
      const startedAt = Date.now();
      const answer = queue.then(() => invokeNow(inv, callId, startedAt));
      queue = answer.catch(() => undefined);
      return answer;
    },
    output: () => printed,
    kill: (signal = 'SIGTERM') => killChild(signal),
    stop,
    exited,
  };
}

/** A fresh dir per process: the fdk trips over a stale socket or symlink (notes §1.3). */
async function makeSocketDir(): Promise<string> {
  const fits = (base: string): boolean => join(base, 'fn-XXXXXX', 'lsnr.sock.tmp').length < MAX_SOCKET_PATH;
  const base = fits(tmpdir()) ? tmpdir() : '/tmp';
  return mkdtemp(join(base, 'fn-'));
}

/** What Fn's `buildConfig` gives a container, on top of a deliberately small host env. */
function functionEnv(config: Record<string, string> | undefined, socketPath: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const key of ['PATH', 'HOME', 'NODE_OPTIONS'] as const) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return {
    ...env,
    ...config,
    FN_FORMAT: 'http-stream',
    FN_LISTENER: `unix:${socketPath}`,
    FN_APP_ID: 'ocid1.fnapp.oc1..local',
    FN_FN_ID: 'ocid1.fnfunc.oc1..local',
    FN_MEMORY: '256',
    FN_TYPE: 'sync',
  };
}

/** The fdk creates the symlink only once its socket is listening and chmod'ed (notes §1.3). */
async function waitForListener(socketPath: string, hasExited: () => boolean): Promise<void> {
  const giveUpAt = Date.now() + LISTEN_TIMEOUT_MS;
  for (;;) {
    if (await exists(socketPath)) return;
    if (hasExited()) throw new Error('the process exited before listening');
    if (Date.now() > giveUpAt) throw new Error(`not listening on ${socketPath} within ${LISTEN_TIMEOUT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  });
  stream.on('end', () => {
    if (partial) onLine(partial);
    partial = '';
  });
}

/** The headers the agent behind OCI API Gateway sends on `POST /call` (notes §1.4, §2.2c, §4.1). */
function agentHeaders(inv: FnInvocation, callId: string, deadline: number): Record<string, string> {
  if (inv.intent === 'invoke') {
    return {
      ...inv.headers,
      'Fn-Call-Id': callId,
      'Fn-Deadline': new Date(deadline).toISOString(),
      'Fn-Invoke-Type': 'sync',
    };
  }
  const headers: Record<string, string> = {
    'Fn-Call-Id': callId,
    'Fn-Deadline': new Date(deadline).toISOString(),
    'Fn-Intent': 'httprequest',
    'Fn-Invoke-Type': 'sync',
    'Fn-Http-Method': inv.method.toUpperCase(),
    'Fn-Http-Request-Url': inv.url,
  };
  for (const [name, value] of Object.entries(inv.headers ?? {})) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    headers[`Fn-Http-H-${canonHeader(name)}`] = value;
    // Content-Type also travels raw, so the fdk's ctx.contentType works.
    if (lower === 'content-type') headers['Content-Type'] = value;
  }
  return headers;
}

/** The fdk's own canonical form: `x-twilio-signature` → `X-Twilio-Signature`. */
function canonHeader(name: string): string {
  return name
    .replace(/_/g, '-')
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');
}

type CallOutcome =
  | { kind: 'answered'; res: IncomingMessage; body: Buffer }
  | { kind: 'deadline'; fdkStatus: number }
  | { kind: 'failed'; fdkStatus: number; message: string };

/** One `POST /call` over the socket, abandoned when the deadline passes. */
function callFdk(
  socketPath: string,
  headers: Record<string, string>,
  body: string | Buffer | undefined,
  timeoutMs: number,
): Promise<CallOutcome> {
  return new Promise((resolve) => {
    let fdkStatus = 0;
    let done = false;
    const finish = (outcome: CallOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    // agent: false — a reused keep-alive socket gives EPIPE after an fdk 400 (notes §2.2).
    const req = http.request({ socketPath, path: '/call', method: 'POST', headers, agent: false }, (res) => {
      fdkStatus = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => finish({ kind: 'answered', res, body: Buffer.concat(chunks) }));
      res.on('error', (err) => finish({ kind: 'failed', fdkStatus, message: err.message }));
      res.on('aborted', () => finish({ kind: 'failed', fdkStatus, message: 'response aborted' }));
    });
    const timer = setTimeout(() => {
      finish({ kind: 'deadline', fdkStatus });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) => finish({ kind: 'failed', fdkStatus, message: err.message }));
    req.end(body);
  });
}

/** The agent's "200/502/504 only" rule plus the gateway's Fn-Http-Status / Fn-Http-H-* translation (notes §1.7). */
function toClientAnswer(
  res: IncomingMessage,
  body: Buffer,
  callId: string,
  startedAt: number,
  shutDown: () => void,
): FnAnswer {
  const fdkStatus = res.statusCode ?? 0;
  if (fdkStatus === 502) return failure(callId, startedAt, fdkStatus, 502, 'function failed');
  if (fdkStatus === 504) return failure(callId, startedAt, fdkStatus, 504, 'function timed out');
  if (fdkStatus !== 200) {
    // The agent shuts a container down after an invalid status (fn issue #1403).
    shutDown();
    return failure(callId, startedAt, fdkStatus, 502, `invalid function response: fdk status ${fdkStatus}`);
  }
  const rawStatus = headerValue(res.headers['fn-http-status']);
  const status = rawStatus === undefined ? 200 : Number(rawStatus);
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    return failure(callId, startedAt, fdkStatus, 502, `invalid Fn-Http-Status: ${rawStatus}`);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) {
    const v = headerValue(value);
    if (v === undefined) continue;
    if (name.startsWith('fn-http-h-')) headers[name.slice('fn-http-h-'.length)] = v;
  }
  const contentType = headerValue(res.headers['content-type']);
  if (contentType !== undefined && headers['content-type'] === undefined) headers['content-type'] = contentType;
  return { status, headers, body, fdkStatus, callId, durationMs: Date.now() - startedAt };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** A gateway-style error answer: the function's own error body is never forwarded. */
function failure(callId: string, startedAt: number, fdkStatus: number, status: 502 | 504, error: string): FnAnswer {
  const message = status === 504 ? 'Gateway Timeout' : 'Bad Gateway';
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify({ message })),
    fdkStatus,
    callId,
    durationMs: Date.now() - startedAt,
    error,
  };
}

/** Waits for `p`, but no longer than `ms`. */
async function settle(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-like call id: 10 chars of time, 16 of randomness, Crockford base32. */
function newCallId(): string {
  let time = Date.now();
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = CROCKFORD.charAt(time % 32) + head;
    time = Math.floor(time / 32);
  }
  const tail = Array.from(randomBytes(16), (b) => CROCKFORD.charAt(b % 32)).join('');
  return head + tail;
}
