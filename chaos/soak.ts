/**
 * The soak: the built function under the real fdk in two processes sharing one journal (files, or
 * an Object Storage stand-in that checks signatures and conditional PUTs), the B2C emulator over
 * HTTP, faults at both, processes SIGKILLed and restarted, providers that redeliver; then every
 * message once more with the faults off, and the site's state checked.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { startFunction, type FnProcess } from '../src/local/index.js';
import {
  startObjectStorageStandin,
  type ObjectStorageStandin,
  type StandinFault,
} from '../test/helpers/object-storage-standin.js';
import { ociTestIdentity } from '../test/helpers/oci-keys.js';
import { check, type Verdict } from './check.js';
import { b2cFaults, type FaultCounts } from './faults.js';
import { messages as draw, senders, type SoakMessage } from './messages.js';
import { seeded, type Random } from './random.js';

export interface SoakOptions {
  readonly messages: number;
  readonly seed: number;
  /** The function's deadline (func.yaml timeout), ms. */
  readonly deadlineMs: number;
  readonly journal: 'file' | 'oci-os';
  /** Share of B2C requests faulted. */
  readonly b2cFaultRate: number;
  /** Share of journal requests faulted (Object Storage only). */
  readonly journalFaultRate: number;
  /** Messages in flight at once. */
  readonly concurrency: number;
  /** Mean seconds between SIGKILLs (0: none). */
  readonly killEverySeconds: number;
  readonly leaseMarginMs: number;
  readonly lateWriteWindowMs: number;
  readonly log?: (line: string) => void;
}

export interface SoakReport extends Verdict {
  readonly options: SoakOptions;
  readonly answers: Map<string, number>;
  readonly finalAnswers: Map<string, number>;
  readonly deliveries: number;
  readonly kills: number;
  readonly b2cFaults: FaultCounts;
  readonly journalFaults: FaultCounts;
  readonly seconds: number;
}

const DIST = new URL('../dist/', import.meta.url).pathname;
const CREDENTIALS = { username: 'soak', password: 'soak-password' };
const CALL_TIMEOUT_MS = 8_000;

export async function soak(options: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const random = seeded(options.seed);
  const emulator = await startEmulator(CREDENTIALS);
  const base = await mkdtemp(join(tmpdir(), 'chaos-'));
  // The function as built when the soak starts: a rebuild of dist/ meanwhile (a test run) cannot break it.
  await cp(DIST, join(base, 'fn'), { recursive: true });
  await writeFile(join(base, 'fn', 'package.json'), '{"type":"module"}');
  const entry = join(base, 'fn', 'func.js');
  const b2cCounts: FaultCounts = new Map();
  const journalCounts: FaultCounts = new Map();
  let standin: ObjectStorageStandin | undefined;
  const env: Record<string, string> = {
    b2cservice_hostname: emulator.url,
    b2cservice_username: CREDENTIALS.username,
    b2cservice_password: CREDENTIALS.password,
    webhook_signature: 'off',
    run_journal: `file:${join(base, 'runs')}`,
    run_journal_lease_margin_ms: String(options.leaseMarginMs),
    b2cservice_late_write_window_ms: String(options.lateWriteWindowMs),
    log_level: 'warn',
  };
  if (options.journal === 'oci-os') {
    const identity = ociTestIdentity();
    standin = await startObjectStorageStandin({ keys: new Map([[identity.keyId, identity.publicKeyPem]]) });
    Object.assign(env, identity.env, {
      run_journal: 'oci-os://soakns/soak-runs/chaos',
      oci_objectstorage_endpoint: standin.url,
    });
  }

  const pool = senders(Math.max(8, Math.round(options.messages / 12)), 0.4, random);
  for (const number of pool.known) emulator.seedContact(number);
  const all = draw(options.messages, pool, random, options.seed);

  // Two "containers"; a killed one is replaced at once by a fresh process.
  let exitsCaused = 0;
  let crashes = 0;
  const stderr: string[] = [];
  // The function's warnings and errors by message id: printed for a message that breaches.
  const linesOf = new Map<string, string[]>();
  const keep = (line: string): void => {
    const id = /"messageId":"([^"]+)"/.exec(line)?.[1];
    if (id === undefined) return;
    const lines = linesOf.get(id) ?? [];
    lines.push(line.length > 600 ? `${line.slice(0, 600)}…` : line);
    linesOf.set(id, lines.slice(-30));
  };
  const spawn = async (): Promise<FnProcess> => {
    const fn = await startFunction({
      entry,
      timeoutMs: options.deadlineMs,
      env,
      onOutput: (stream, line) => {
        if (stream === 'stderr' && stderr.length < 50) stderr.push(line);
        keep(line);
      },
    });
    void fn.exited.then(() => {
      if (!caused.has(fn)) crashes++;
    });
    return fn;
  };
  const caused = new WeakSet<FnProcess>();
  // A start can fail on a starved machine (the agent allows 5 s to listen): try again.
  const respawn = async (): Promise<FnProcess> => {
    for (let tries = 1; ; tries++) {
      try {
        return await spawn();
      } catch (error) {
        if (tries >= 5) throw error;
        log(
          `function did not start (try ${tries}): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        );
      }
    }
  };
  const slots: Promise<FnProcess>[] = [respawn(), respawn()];
  await Promise.all(slots);
  const fnAt = (i: number): Promise<FnProcess> => slots[i % 2]!;

  let kills = 0;
  let stopKilling = false;
  const killer = (async () => {
    if (options.killEverySeconds <= 0) return;
    while (!stopKilling) {
      await sleep(random() * 2 * options.killEverySeconds * 1000);
      if (stopKilling) break;
      const i = random.int(0, 1);
      const victim = await slots[i]!;
      caused.add(victim);
      exitsCaused++;
      kills++;
      victim.kill('SIGKILL');
      slots[i] = victim.exited.then(() => respawn());
      await slots[i];
    }
  })();

  // Faults on.
  emulator.setFaultPolicy(
    b2cFaults(
      {
        rate: options.b2cFaultRate,
        callTimeoutMs: CALL_TIMEOUT_MS,
        lateWriteWindowMs: options.lateWriteWindowMs,
        deadlineMs: options.deadlineMs,
      },
      random,
      b2cCounts,
    ),
  );
  standin?.setFaultPolicy(journalFaults(options.journalFaultRate, random, journalCounts));

  const answers = new Map<string, number>();
  let deliveries = 0;
  const deliver = async (
    message: SoakMessage,
    slot: number,
  ): Promise<{ status: number; retryAfterS?: number; incidentId?: number }> => {
    deliveries++;
    const fn = await fnAt(slot);
    const res = await fn.invoke({
      method: 'POST',
      url: '/webhooks/sms-to-incident',
      headers: { Host: 'gw.example.com', 'Content-Type': message.contentType },
      body: message.body,
    });
    answers.set(String(res.status), (answers.get(String(res.status)) ?? 0) + 1);
    const retryAfter = Number(res.headers['retry-after']);
    let incidentId: number | undefined;
    try {
      const json = JSON.parse(res.body.toString('utf8')) as { incidentId?: unknown };
      if (typeof json.incidentId === 'number') incidentId = json.incidentId;
    } catch {
      // TwiML or an fdk error: no id
    }
    return {
      status: res.status,
      ...(Number.isFinite(retryAfter) ? { retryAfterS: retryAfter } : {}),
      ...(incidentId === undefined ? {} : { incidentId }),
    };
  };

  // A provider: redelivers a non-2xx answer a few times with back-off (Retry-After honoured, capped).
  const provider = async (message: SoakMessage, r: Random): Promise<void> => {
    const duplicate = r.chance(0.2) ? r.pick(['sequential', 'concurrent'] as const) : undefined;
    if (duplicate === 'concurrent') void deliver(message, 1).catch(() => undefined);
    for (let attempt = 0; attempt < 6; attempt++) {
      const res = await deliver(message, attempt === 0 ? 0 : r.int(0, 1)).catch(
        () => ({ status: 0 }) as { status: number; retryAfterS?: number },
      );
      if (res.status >= 200 && res.status < 300) break;
      await sleep(Math.min(10_000, Math.max((res.retryAfterS ?? 0) * 1000, 500 * 2 ** attempt * (0.5 + r()))));
    }
    if (duplicate === 'sequential') await deliver(message, r.int(0, 1)).catch(() => undefined);
  };

  let done = 0;
  await inParallel(all, options.concurrency, async (message, i) => {
    await provider(message, seeded(options.seed * 7919 + i));
    if (++done % 100 === 0)
      log(`${done}/${all.length} messages delivered (${Math.round((Date.now() - started) / 1000)} s)`);
  });

  // Faults off, processes left alone: every message once more, until it has its answer.
  stopKilling = true;
  await killer;
  emulator.setFaultPolicy(undefined);
  emulator.clearFaults();
  standin?.setFaultPolicy(undefined);
  log('faults off: final redelivery of every message');
  const finalAnswers = new Map<string, number>();
  const answered = new Map<string, number | undefined>();
  await inParallel(all, options.concurrency, async (message, i) => {
    let last = { status: 0 } as { status: number; retryAfterS?: number; incidentId?: number };
    for (let attempt = 0; attempt < 12; attempt++) {
      last = await deliver(message, i + attempt).catch(() => ({ status: 0 }));
      if (last.status !== 503 && last.status !== 502 && last.status !== 504 && last.status !== 0) break;
      await sleep(
        Math.min(options.deadlineMs + options.leaseMarginMs + 1_000, Math.max((last.retryAfterS ?? 0) * 1000, 1_000)),
      );
    }
    finalAnswers.set(String(last.status), (finalAnswers.get(String(last.status)) ?? 0) + 1);
    answered.set(message.id, last.incidentId);
  });

  const state = emulator.state();
  for (const slot of slots) caused.add(await slot);
  await Promise.allSettled(slots.map(async (s) => (await s).stop()));
  await Promise.allSettled([emulator.close(), standin?.close()]);
  await rm(base, { recursive: true, force: true });
  if (crashes > 0) log(`unexpected exits; stderr:\n${stderr.join('\n')}`);
  const verdict = check(state, all, pool.known, answered, crashes);
  for (const id of verdict.suspects.slice(0, 5))
    log(`message ${id}:\n  ${(linesOf.get(id) ?? ['(no warning or error logged)']).join('\n  ')}`);
  return {
    ...verdict,
    options,
    answers,
    finalAnswers,
    deliveries,
    kills,
    b2cFaults: b2cCounts,
    journalFaults: journalCounts,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

/** Journal faults at the Object Storage stand-in: 503, dropped connections, PUTs applied then dropped, slow answers. */
function journalFaults(
  rate: number,
  random: Random,
  counts: FaultCounts,
): (request: { method: string }) => StandinFault | undefined {
  return ({ method }) => {
    if (!random.chance(rate)) return undefined;
    const fault = random.pick<StandinFault>([
      { kind: 'status', status: 503 },
      { kind: 'drop' },
      ...(method === 'PUT' ? [{ kind: 'apply-then-drop' } as const] : []),
      { kind: 'delay', delayMs: random.int(500, 4_000) },
    ]);
    const label = fault.kind === 'status' ? `${fault.status}` : fault.kind;
    counts.set(label, (counts.get(label) ?? 0) + 1);
    return fault;
  };
}

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i] as T, i);
      }
    }),
  );
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export type { RunningEmulator };
