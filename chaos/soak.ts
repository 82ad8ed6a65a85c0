/**
 * The soak: the built function under the real fdk in two processes sharing one journal (files, or
 * an Object Storage stand-in that checks signatures and conditional PUTs), the B2C emulator over
 * HTTP, faults at both, processes SIGKILLed and restarted, providers that redeliver; then every
 * message once more with the faults off, and the site's state checked.
 *
 * With `site: 'realistic'` the site strays as a real one may (chaos/faults.ts, and quirks: searches
 * that lag, text stored with CRLF and trimmed), signatures are on, Twilio's messages come from a
 * provider that behaves as Twilio documents (chaos/twilio-like.ts: one request, one fallback,
 * never a redelivery), the sweeper runs on a timer as it is deployed, and nothing is delivered
 * again at the end: once the faults stop, the site must come right on its own.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileJournal, type RunRecord } from '../src/journal/index.js';
import { startEmulator, type EmulatorQuirks, type RunningEmulator } from '../src/emulator/index.js';
import { startFunction, type FnAnswer, type FnProcess } from '../src/local/index.js';
import { imageEntry } from '../bench/image-entry.js';
import {
  startObjectStorageStandin,
  type ObjectStorageStandin,
  type StandinFault,
} from '../test/helpers/object-storage-standin.js';
import { ociTestIdentity } from '../test/helpers/oci-keys.js';
import { type AuditResult, auditSoak } from './audit.js';
import { check, type Verdict } from './check.js';
import { b2cFaults, type FaultCounts } from './faults.js';
import { messages as draw, senders, type SoakMessage } from './messages.js';
import { seeded, type Random } from './random.js';
import { SIGNATURE_ENV, signedRequest } from './signed-requests.js';
import { startSweeper, type SweepCounts, type Sweeper } from './sweeper.js';
import { deliverLikeTwilio, type ProviderOutcome, type ProviderRequest } from './twilio-like.js';

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
  /** `realistic`: see the module comment. @default 'ideal' */
  readonly site?: 'ideal' | 'realistic';
  /** Function processes ("containers") deliveries are spread over. @default 2 */
  readonly containers?: number;
  /** The Twilio-like provider's patience (realistic site), ms. @default 15000 */
  readonly twilioPatienceMs?: number;
  /** How often the sweeper is invoked (realistic site), ms; 0: never. @default 60000 (the deployed schedule) */
  readonly sweepEveryMs?: number;
  /** How long after the faults stop the site may take to come right (realistic site), ms. @default 600000 */
  readonly settleMs?: number;
  readonly log?: (line: string) => void;
}

export interface TwilioCounts {
  /** Messages the Twilio-like provider sent. */
  messages: number;
  /** Primary requests not answered 2xx, by status (`timeout`: no answer within its patience). */
  primaryFailed: Map<string, number>;
  /** Fallback requests, by status. */
  fallbacks: Map<string, number>;
}

export interface SoakReport extends Verdict {
  readonly options: SoakOptions;
  readonly answers: Map<string, number>;
  readonly finalAnswers: Map<string, number>;
  readonly deliveries: number;
  readonly kills: number;
  readonly b2cFaults: FaultCounts;
  readonly journalFaults: FaultCounts;
  /** Realistic site: what the Twilio-like provider met, and the sweeper's passes. */
  readonly twilio?: TwilioCounts;
  readonly sweeps?: SweepCounts;
  /** Realistic site: seconds from the faults' end until the site held the promise; undefined if it never did within `settleMs`. */
  readonly settledAfterS?: number;
  /** `runs audit --since 24h` at the end (its findings and unreadable runs are breaches when the build has it). */
  readonly audit: AuditResult;
  readonly seconds: number;
}

/** The realistic site's quirks: searches a second and a half behind (the lag issue 16 measured against), text stored as a site may store it. */
export const REALISTIC_QUIRKS: EmulatorQuirks = {
  searchLagMs: 1_500,
  threadLineEnds: 'crlf',
  threadTrim: 'lines',
  subjectTrim: true,
};

const DIST = new URL('../dist/', import.meta.url).pathname;
const CREDENTIALS = { username: 'soak', password: 'soak-password' };
const CALL_TIMEOUT_MS = 8_000;
const HOST = 'gw.example.com';
const ROUTE = '/webhooks/sms-to-incident';
const WEBHOOK_URL = `https://${HOST}${ROUTE}`;
const FALLBACK_URL = `${WEBHOOK_URL}?fallback=1`;

/** fn-agent.ts's error for a call that was never sent to the function. */
const NOT_STARTED = 'function not running';

type Delivery = { status: number; retryAfterS?: number; incidentId?: number };

export async function soak(options: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const realistic = options.site === 'realistic';
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
    ...(realistic ? SIGNATURE_ENV : {}),
    // Where writes may land after the window, the message id on the incident is what proves a late duplicate the
    // run's: the sweeper's late-write watch then removes it (docs/exactly-once.md).
    ...(realistic ? { b2cservice_incident_sms_field: 'sms_id' } : {}),
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
  // A real site's quirks hold for good: they stay on after the faults stop. Turned on after the seeding:
  // the known numbers stand for customers the site has had for long, whom a lagging search already shows.
  if (realistic) emulator.setQuirks(REALISTIC_QUIRKS);
  const all = draw(options.messages, pool, random, options.seed);

  // The "containers"; a killed one is replaced at once by a fresh process.
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
  const caused = new WeakSet<FnProcess>();
  const spawn = async (): Promise<FnProcess> => {
    const fn = await startFunction({
      entry,
      nodeArgs: imageEntry('function').nodeArgs,
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
  const containers = Math.max(1, options.containers ?? 2);
  const slots: Promise<FnProcess>[] = Array.from({ length: containers }, () => respawn());
  await Promise.all(slots);
  const fnAt = (i: number): Promise<FnProcess> => slots[i % containers]!;

  let kills = 0;
  let stopKilling = false;
  const killer = (async () => {
    if (options.killEverySeconds <= 0) return;
    while (!stopKilling) {
      await sleep(random() * 2 * options.killEverySeconds * 1000);
      if (stopKilling) break;
      const i = random.int(0, containers - 1);
      const victim = await slots[i]!;
      caused.add(victim);
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
        realistic,
      },
      random,
      b2cCounts,
    ),
  );
  standin?.setFaultPolicy(journalFaults(options.journalFaultRate, random, journalCounts));
  // The sweeper as deployed: on its schedule from the start, not only once the faults stop.
  const sweeper: Sweeper | undefined = realistic
    ? startSweeper({
        entry,
        env,
        everyMs: options.sweepEveryMs ?? 60_000,
        timeoutMs: Math.max(options.deadlineMs, 120_000),
        log,
      })
    : undefined;

  const answers = new Map<string, number>();
  // Each message's deliveries and their answers, printed for a message that breaches.
  const trail = new Map<string, string[]>();
  // Realistic site: the incident of a message's last 2xx JSON answer (TwiML names none).
  const answered = new Map<string, number | undefined>();
  let deliveries = 0;
  // Calls in flight per container. A container runs one call at a time; the Fn agent gives a call to an idle
  // container (or starts one) rather than queue it behind a busy one: the preferred slot, unless another is idler.
  const inFlight: number[] = Array.from({ length: containers }, () => 0);
  const route = (preferred: number): number => {
    const least = Math.min(...inFlight);
    const p = preferred % containers;
    return inFlight[p] === least ? p : inFlight.indexOf(least);
  };
  const send = async (request: ProviderRequest, preferred: number, message: SoakMessage): Promise<Delivery> => {
    deliveries++;
    const url = new URL(request.url);
    let res: FnAnswer;
    for (let handedOver = 0; ; handedOver++) {
      const slot = route(preferred + handedOver);
      inFlight[slot]!++;
      const fn = await fnAt(slot);
      res = await fn
        .invoke({
          method: 'POST',
          url: `${url.pathname}${url.search}`,
          headers: { Host: url.host, ...request.headers },
          body: request.body,
        })
        .finally(() => inFlight[slot]!--);
      // A call still waiting for its container when that container died (killed, or retired past a deadline)
      // never reached the function: the agent holds such a call and gives it to another container.
      if (res.error !== NOT_STARTED || handedOver >= 5) break;
    }
    const fallback = url.searchParams.has('fallback');
    trail.set(message.id, [...(trail.get(message.id) ?? []), `${fallback ? 'fallback ' : ''}${res.status}`]);
    answers.set(String(res.status), (answers.get(String(res.status)) ?? 0) + 1);
    const retryAfter = Number(res.headers['retry-after']);
    let incidentId: number | undefined;
    try {
      const json = JSON.parse(res.body.toString('utf8')) as { incidentId?: unknown };
      if (typeof json.incidentId === 'number') incidentId = json.incidentId;
    } catch {
      // TwiML or an fdk error: no id
    }
    if (realistic && res.status >= 200 && res.status < 300 && incidentId !== undefined)
      answered.set(message.id, incidentId);
    return {
      status: res.status,
      ...(Number.isFinite(retryAfter) ? { retryAfterS: retryAfter } : {}),
      ...(incidentId === undefined ? {} : { incidentId }),
    };
  };
  const deliver = (message: SoakMessage, slot: number): Promise<Delivery> =>
    send(
      realistic
        ? signedRequest(message, WEBHOOK_URL)
        : { url: WEBHOOK_URL, headers: { 'Content-Type': message.contentType }, body: message.body },
      slot,
      message,
    );

  // A provider that redelivers a non-2xx answer a few times with back-off (Retry-After honoured, capped).
  const redelivering = async (message: SoakMessage, r: Random): Promise<void> => {
    const duplicate = r.chance(0.2) ? r.pick(['sequential', 'concurrent'] as const) : undefined;
    if (duplicate === 'concurrent') void deliver(message, 1).catch(() => undefined);
    for (let attempt = 0; attempt < 6; attempt++) {
      const res = await deliver(message, attempt === 0 ? 0 : r.int(0, containers - 1)).catch(
        () => ({ status: 0 }) as Delivery,
      );
      if (res.status >= 200 && res.status < 300) break;
      await sleep(Math.min(10_000, Math.max((res.retryAfterS ?? 0) * 1000, 500 * 2 ** attempt * (0.5 + r()))));
    }
    if (duplicate === 'sequential') await deliver(message, r.int(0, containers - 1)).catch(() => undefined);
  };

  // Twilio as documented: one request, one fallback after a 5xx or 15 s, nothing more.
  const twilio: TwilioCounts = { messages: 0, primaryFailed: new Map(), fallbacks: new Map() };
  const likeTwilio = async (message: SoakMessage, r: Random): Promise<void> => {
    twilio.messages++;
    const slot = r.int(0, containers - 1);
    const outcome = (d: Delivery): ProviderOutcome => ({
      status: d.status,
      ...(d.incidentId === undefined ? {} : { incidentId: d.incidentId }),
    });
    const result = await deliverLikeTwilio(
      { kind: message.provider === 'twilio-form' ? 'form' : 'json', body: message.body },
      async (request) => outcome(await send(request, slot, message)),
      {
        url: WEBHOOK_URL,
        fallbackUrl: FALLBACK_URL,
        patienceMs: options.twilioPatienceMs ?? 15_000,
      },
    );
    const label = (o: ProviderOutcome): string => String(o.status);
    if (result.fallback !== undefined) {
      twilio.primaryFailed.set(label(result.primary), (twilio.primaryFailed.get(label(result.primary)) ?? 0) + 1);
      twilio.fallbacks.set(label(result.fallback), (twilio.fallbacks.get(label(result.fallback)) ?? 0) + 1);
    } else if (result.primary.status !== 'timeout' && (result.primary.status < 200 || result.primary.status >= 300)) {
      twilio.primaryFailed.set(label(result.primary), (twilio.primaryFailed.get(label(result.primary)) ?? 0) + 1);
    }
  };
  const isTwilio = (m: SoakMessage): boolean => m.provider === 'twilio' || m.provider === 'twilio-form';

  let done = 0;
  await inParallel(all, options.concurrency, async (message, i) => {
    const r = seeded(options.seed * 7919 + i);
    await (realistic && isTwilio(message) ? likeTwilio(message, r) : redelivering(message, r));
    if (++done % 100 === 0)
      log(`${done}/${all.length} messages delivered (${Math.round((Date.now() - started) / 1000)} s)`);
  });

  // Faults off, processes left alone.
  stopKilling = true;
  await killer;
  emulator.setFaultPolicy(undefined);
  emulator.clearFaults();
  standin?.setFaultPolicy(undefined);
  const finalAnswers = new Map<string, number>();
  let settledAfterS: number | undefined;
  if (realistic) {
    // Nothing is delivered again: the sweeper must finish what is left.
    log('faults off: waiting for the site to come right without any delivery');
    settledAfterS = await settle(emulator, all, pool.known, answered, options);
    log(
      settledAfterS === undefined
        ? 'the site did not come right in time'
        : `the site came right ${settledAfterS} s after the faults stopped`,
    );
  } else {
    // Every message once more, until it has its answer.
    log('faults off: final redelivery of every message');
    await inParallel(all, options.concurrency, async (message, i) => {
      let last: Delivery = { status: 0 };
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
  }

  // The SRE's net, as the last look: it must find nothing either.
  const audit = await auditSoak(join(base, 'fn', 'cli.js'), env);
  if (audit.available) for (const line of audit.lines.slice(0, 20)) log(`audit: ${line}`);
  else log(`runs audit not run: ${audit.reason}`);
  const state = emulator.state();
  await sweeper?.stop();
  for (const slot of slots) caused.add(await slot);
  await Promise.allSettled(slots.map(async (s) => (await s).stop()));
  await Promise.allSettled([emulator.close(), standin?.close()]);
  // The journal's view of the runs, printed for a message that breaches (the file journal; Object Storage is gone).
  const journaled =
    options.journal === 'file'
      ? await fileJournal(join(base, 'runs'))
          .list()
          .catch(() => [])
      : ([] as RunRecord[]);
  await rm(base, { recursive: true, force: true });
  if (crashes > 0) log(`unexpected exits; stderr:\n${stderr.join('\n')}`);
  const checked = check(state, all, pool.known, answered, crashes);
  const verdict: Verdict = audit.available
    ? {
        ...checked,
        breaches: {
          ...checked.breaches,
          'runs audit: findings': audit.findings,
          'runs audit: runs it could not read': audit.errors,
        },
      }
    : checked;
  for (const id of verdict.suspects.slice(0, 5)) {
    const run = journaled.find((r) => r.messageId === id);
    log(
      [
        `message ${id}: deliveries ${(trail.get(id) ?? []).join(', ') || 'none'}; journal: ${
          run === undefined
            ? options.journal === 'file'
              ? 'no run'
              : 'not read'
            : `${run.status}, ${run.executions} executions, ${run.history.map((h) => h.event).join(' ')}`
        }`,
        ...(linesOf.get(id) ?? ['(no warning or error logged)']),
      ].join('\n  '),
    );
  }
  return {
    ...verdict,
    options,
    answers,
    finalAnswers,
    deliveries,
    kills,
    b2cFaults: b2cCounts,
    journalFaults: journalCounts,
    audit,
    ...(realistic
      ? {
          twilio,
          ...(sweeper === undefined ? {} : { sweeps: sweeper.counts }),
          ...(settledAfterS === undefined ? {} : { settledAfterS }),
        }
      : {}),
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

/**
 * Polls the site until it holds the promise (no breach), but not before every late write a fault
 * scheduled can have landed (a dropped write applied after the window lands up to the window + 12 s
 * after its request); gives up after `settleMs`. Seconds since the faults stopped, or undefined.
 */
async function settle(
  emulator: RunningEmulator,
  all: readonly SoakMessage[],
  known: readonly string[],
  answered: ReadonlyMap<string, number | undefined>,
  options: SoakOptions,
): Promise<number | undefined> {
  const stoppedAt = Date.now();
  const earliest = stoppedAt + options.lateWriteWindowMs + 12_000;
  const limit = stoppedAt + (options.settleMs ?? 600_000);
  for (;;) {
    const now = Date.now();
    if (
      now >= earliest &&
      !Object.values(check(emulator.state(), all, known, answered, 0).breaches).some((n) => n > 0)
    ) {
      return Math.round((now - stoppedAt) / 1000);
    }
    if (now >= limit) return undefined;
    await sleep(2_000);
  }
}

/**
 * Journal faults at the Object Storage stand-in: 503, dropped connections, PUTs applied then dropped or then answered
 * 500 (a failure after the commit), slow answers.
 */
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
      ...(method === 'PUT'
        ? [{ kind: 'apply-then-drop' } as const, { kind: 'apply-then-status', status: 500 } as const]
        : []),
      { kind: 'delay', delayMs: random.int(500, 4_000) },
    ]);
    const label =
      fault.kind === 'status'
        ? `${fault.status}`
        : fault.kind === 'apply-then-status'
          ? `apply-then-${fault.status}`
          : fault.kind;
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
