/**
 * The outage drill: B2C Service answers 503 (a load balancer's page) for the middle `outage` of a
 * `duration`-long run, while one message a second arrives through the Twilio-like provider (one
 * request, one fallback, never a redelivery) and the sweeper runs on its schedule, as deployed.
 * Nobody types a command. The check: every message is one incident with one note within
 * `recoveryBound` of B2C's recovery, and the site holds the whole promise at the end.
 *
 * Time can be compressed (`timeScale`): the drill's own times (duration, outage, the recovery
 * bound) and the sweeper's (its schedule, `sweep_backoff_initial_ms`, `sweep_backoff_max_ms`,
 * `sweep_give_up_after_ms`) are divided by it; messages still arrive one per real second (so a
 * scaled drill sends fewer); the function's own times (deadline, leases, late-write window,
 * retries) and Twilio's 15 s patience stay real.
 */
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../src/emulator/index.js';
import { startFunction, type FnProcess } from '../src/local/index.js';
import { imageEntry } from '../bench/image-entry.js';
import { check, type Verdict } from './check.js';
import { messages as draw, senders, type SoakMessage } from './messages.js';
import { seeded } from './random.js';
import { SIGNATURE_ENV } from './signed-requests.js';
import { REALISTIC_QUIRKS } from './soak.js';
import { startSweeper, type SweepCounts } from './sweeper.js';
import { deliverLikeTwilio, type ProviderOutcome } from './twilio-like.js';

export interface DrillOptions {
  /** Simulated ms of the whole run. @default 1200000 (20 min) */
  readonly durationMs: number;
  /** Simulated ms of the outage, centred in the run. @default 600000 (10 min) */
  readonly outageMs: number;
  /** Simulated ms per real ms. @default 1 */
  readonly timeScale: number;
  /** Simulated ms after recovery by which every message must be one incident with one note. @default 300000 (5 min) */
  readonly recoveryBoundMs: number;
  /** The sweeper's schedule, simulated ms. @default 60000 */
  readonly sweepEveryMs: number;
  /** Messages per real second. @default 1 */
  readonly ratePerSecond: number;
  /** The function's deadline, real ms. @default 30000 */
  readonly deadlineMs: number;
  /** Function processes the deliveries are spread over. @default 4 */
  readonly containers: number;
  readonly seed: number;
  readonly log?: (line: string) => void;
}

export interface DrillReport extends Verdict {
  readonly options: DrillOptions;
  /** Messages sent before, during and after the outage. */
  readonly sent: { before: number; during: number; after: number };
  /** Real seconds from recovery until every message sent by then was one incident with one note (× timeScale: simulated); undefined: not within the bound. */
  readonly completeAfterS?: number;
  /** Primary requests not answered 2xx in time, by status (`timeout`: no answer within Twilio's patience). */
  readonly primaryFailed: Map<string, number>;
  readonly fallbacks: Map<string, number>;
  readonly sweeps: SweepCounts;
  readonly seconds: number;
}

export const DRILL_DEFAULTS: Omit<DrillOptions, 'log'> = {
  durationMs: 1_200_000,
  outageMs: 600_000,
  timeScale: 1,
  recoveryBoundMs: 300_000,
  sweepEveryMs: 60_000,
  ratePerSecond: 1,
  deadlineMs: 30_000,
  containers: 4,
  seed: 1,
};

const DIST = new URL('../dist/', import.meta.url).pathname;
const CREDENTIALS = { username: 'drill', password: 'drill-password' };
const WEBHOOK_URL = 'https://gw.example.com/webhooks/sms-to-incident';
/** The sweeper's defaults (src/journal/sweep-config.ts), scaled with the drill's time. */
const SWEEP_BACKOFF_INITIAL_MS = 30_000;
const SWEEP_BACKOFF_MAX_MS = 180_000;
const SWEEP_GIVE_UP_AFTER_MS = 86_400_000;
/** The sweeper function's timeout as deployed (deploy/terraform/sweeper.tf `timeout_in_seconds`): real time. */
const SWEEPER_TIMEOUT_MS = 300_000;

export async function outageDrill(options: DrillOptions): Promise<DrillReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const real = (simulatedMs: number): number => Math.round(simulatedMs / options.timeScale);
  const random = seeded(options.seed);
  const emulator = await startEmulator(CREDENTIALS);
  const base = await mkdtemp(join(tmpdir(), 'drill-'));
  await cp(DIST, join(base, 'fn'), { recursive: true });
  await writeFile(join(base, 'fn', 'package.json'), '{"type":"module"}');
  const entry = join(base, 'fn', 'func.js');
  const env: Record<string, string> = {
    b2cservice_hostname: emulator.url,
    b2cservice_username: CREDENTIALS.username,
    b2cservice_password: CREDENTIALS.password,
    run_journal: `file:${join(base, 'runs')}`,
    log_level: 'warn',
    ...SIGNATURE_ENV,
    sweep_backoff_initial_ms: String(real(SWEEP_BACKOFF_INITIAL_MS)),
    sweep_backoff_max_ms: String(real(SWEEP_BACKOFF_MAX_MS)),
    sweep_give_up_after_ms: String(Math.max(60_000, real(SWEEP_GIVE_UP_AFTER_MS))),
  };

  const count = Math.max(1, Math.round((real(options.durationMs) / 1000) * options.ratePerSecond));
  const pool = senders(Math.max(8, Math.round(count / 12)), 0.4, random);
  for (const number of pool.known) emulator.seedContact(number);
  // Turned on after the seeding, as in the soak: the known numbers stand for customers the site has had
  // for long, whom a lagging search already shows (seeded under the lag, a known number's first message
  // in the first 1.5 s found no contact and made a second one).
  emulator.setQuirks(REALISTIC_QUIRKS);
  // Twilio's messages only: the provider under test is the one that never redelivers.
  const all = draw(count * 8, pool, random, options.seed)
    .filter((m) => m.provider === 'twilio-form')
    .slice(0, count);

  let crashes = 0;
  const processes: FnProcess[] = [];
  const spawn = async (): Promise<FnProcess> => {
    const fn = await startFunction({
      entry,
      nodeArgs: imageEntry('function').nodeArgs,
      timeoutMs: options.deadlineMs,
      env,
    });
    processes.push(fn);
    void fn.exited.then((code) => {
      if (code !== 0 && code !== null) crashes++;
    });
    return fn;
  };
  const slots = await Promise.all(Array.from({ length: options.containers }, () => spawn()));
  const busy = slots.map(() => 0);
  const sweeper = startSweeper({
    entry,
    env,
    everyMs: real(options.sweepEveryMs),
    timeoutMs: SWEEPER_TIMEOUT_MS,
    log,
  });

  const outageStart = started + real((options.durationMs - options.outageMs) / 2);
  const outageEnd = outageStart + real(options.outageMs);
  const end = started + real(options.durationMs);
  let outage = false;
  const outageTimers = [
    setTimeout(() => {
      outage = true;
      log(`B2C down (503) at ${Math.round((Date.now() - started) / 1000)} s`);
      emulator.setFaultPolicy(({ method, resource }) => ({
        method,
        path: resource === '' ? '/' : resource,
        action: 'status',
        status: 503,
        body: 'html',
      }));
    }, outageStart - started),
    setTimeout(() => {
      outage = false;
      emulator.setFaultPolicy(undefined);
      log(`B2C back at ${Math.round((Date.now() - started) / 1000)} s`);
    }, outageEnd - started),
  ];

  const sent = { before: 0, during: 0, after: 0 };
  // Complete: every message sent by recovery is one incident with one note (later ones may still be under way).
  const complete = (messages: readonly SoakMessage[]): boolean => {
    const verdict = check(emulator.state(), messages, pool.known, new Map(), 0);
    return (
      verdict.breaches['lost messages'] === 0 &&
      verdict.breaches['duplicate incidents'] === 0 &&
      verdict.breaches['incidents with >1 SMS notes'] === 0
    );
  };
  // Watched from the moment B2C is back, until the bound.
  const bound = outageEnd + real(options.recoveryBoundMs);
  const watch = (async (): Promise<number | undefined> => {
    await sleep(outageEnd - Date.now());
    const byRecovery = all.slice(0, sent.before + sent.during);
    for (;;) {
      if (complete(byRecovery)) return Math.round((Date.now() - outageEnd) / 1000);
      if (Date.now() > bound) return undefined;
      await sleep(1_000);
    }
  })();
  const fallbacks = new Map<string, number>();
  const primaryFailed = new Map<string, number>();
  const deliveries: Promise<void>[] = [];
  const sendOne = async (message: SoakMessage): Promise<void> => {
    const result = await deliverLikeTwilio(
      { kind: 'form', body: message.body },
      async (request): Promise<ProviderOutcome> => {
        // The least busy container, as a platform that scales out would route it.
        const slot = busy.indexOf(Math.min(...busy));
        busy[slot]! += 1;
        try {
          const url = new URL(request.url);
          const res = await slots[slot]!.invoke({
            method: 'POST',
            url: `${url.pathname}${url.search}`,
            headers: { Host: url.host, ...request.headers },
            body: request.body,
          });
          return { status: res.status };
        } finally {
          busy[slot]! -= 1;
        }
      },
      { url: WEBHOOK_URL, fallbackUrl: `${WEBHOOK_URL}?fallback=1` },
    );
    if (result.fallback !== undefined) {
      primaryFailed.set(String(result.primary.status), (primaryFailed.get(String(result.primary.status)) ?? 0) + 1);
      fallbacks.set(String(result.fallback.status), (fallbacks.get(String(result.fallback.status)) ?? 0) + 1);
    }
  };
  for (const [i, message] of all.entries()) {
    const due = started + (i * 1000) / options.ratePerSecond;
    if (due > Date.now()) await sleep(due - Date.now());
    if (Date.now() < outageStart) sent.before++;
    else if (outage) sent.during++;
    else sent.after++;
    deliveries.push(sendOne(message));
  }
  if (end > Date.now()) await sleep(end - Date.now());
  log(`all ${all.length} messages sent; waiting for every one to be one incident with one note`);

  const completeAfterS = await watch;
  // Whatever the bound said, the whole promise at the end: every message, every check.
  await Promise.allSettled(deliveries);
  const settleUntil = Date.now() + real(options.recoveryBoundMs);
  while (Date.now() < settleUntil && !complete(all)) await sleep(2_000);
  const state = emulator.state();

  for (const t of outageTimers) clearTimeout(t);
  await sweeper.stop();
  await Promise.allSettled(processes.map((p) => p.stop()));
  await emulator.close();
  await rm(base, { recursive: true, force: true });
  const verdict = check(state, all, pool.known, new Map(), crashes);
  return {
    ...verdict,
    options,
    sent,
    ...(completeAfterS === undefined ? {} : { completeAfterS }),
    primaryFailed,
    fallbacks,
    sweeps: sweeper.counts,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
