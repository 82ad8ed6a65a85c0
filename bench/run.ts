// Benchmarks: what sms-incident costs over a bare straight-line fdk function making the same five
// B2C Service calls with fetch (bench/baseline-func.mjs), from spawn to first answer and warm, on
// Node 20 and Node 22. Shared, noisy machine: subjects and baseline are measured in the same run,
// interleaved (cold starts one after the other, warm calls in alternating blocks), and compared by
// medians; absolute times drift, ratios much less.
//
//   off  telemetry off, memory journal (the defaults)
//   on   Vault, Monitoring, Logging and OTLP stand-ins (signatures checked), file journal
//
// Run: npm run bench  (BENCH_CALLS warm calls per process, BENCH_COLD cold starts, BENCH_B2C_MS latency)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmulator } from '../src/emulator/index.js';
import { startFunction, type FnProcess } from '../src/local/index.js';
import { ociTestIdentity } from '../test/helpers/oci-keys.js';
import { startOciStandIns } from '../test/helpers/oci-stand-ins.js';
import { benchRuntimes, type Runtime } from './runtimes.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const COLD = Number(process.env.BENCH_COLD ?? 9);
const B2C_MS = Number(process.env.BENCH_B2C_MS ?? 5);
const BLOCK = 50;
const WARMUP = 20;
const FUNC = process.env.BENCH_FUNC ?? new URL('../dist/func.js', import.meta.url).pathname;
const BASELINE = new URL('./baseline-func.mjs', import.meta.url).pathname;
const guide = JSON.parse(
  readFileSync(new URL('../test/fixtures/providers/twilio-message-resource.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

// ── the world: B2C Service emulator with latency, OCI stand-ins ─────────────────────────────────
const emulator = await startEmulator({ username: 'bench', password: 'bench' });
for (const path of ['/contacts', '/contacts/*', '/incidents', '/incidents/*'])
  emulator.addFault({ method: '*', path, action: 'delay', delayMs: B2C_MS });
const identity = ociTestIdentity();
const APM_KEY = 'bench-apm-data-key';
const standIns = await startOciStandIns({
  keys: new Map([[identity.keyId, identity.publicKeyPem]]),
  apmDataKey: APM_KEY,
});
standIns.secrets.set('ocid1.vaultsecret.oc1.iad.bench.user', 'bench');
standIns.secrets.set('ocid1.vaultsecret.oc1.iad.bench.password', 'bench');
standIns.secrets.set('ocid1.vaultsecret.oc1.iad.bench.apm', APM_KEY);
const journals = mkdtempSync(join(tmpdir(), 'bench-journal-'));

const b2cEnv = { b2cservice_hostname: emulator.url, b2cservice_username: 'bench', b2cservice_password: 'bench' };
type Subject = 'baseline' | 'off' | 'on';
const SUBJECTS: readonly Subject[] = ['baseline', 'off', 'on'];
let journalSeq = 0;
function envOf(subject: Subject): Record<string, string> {
  if (subject === 'baseline') return b2cEnv;
  const common = { ...b2cEnv, webhook_signature: 'off' };
  if (subject === 'off') return common;
  return {
    ...common,
    ...identity.env,
    OTEL_SERVICE_NAME: 'sms-incident',
    b2cservice_username: 'unused',
    b2cservice_password: 'unused',
    b2cservice_username_ocid: 'ocid1.vaultsecret.oc1.iad.bench.user',
    b2cservice_password_ocid: 'ocid1.vaultsecret.oc1.iad.bench.password',
    oci_secrets_endpoint: standIns.url,
    oci_monitoring_endpoint: standIns.url,
    oci_logging_endpoint: standIns.url,
    oci_monitoring_compartment_id: 'ocid1.compartment.oc1..bench',
    oci_log_id: 'ocid1.log.oc1.iad.bench',
    oci_apm_endpoint: standIns.url,
    oci_apm_data_key_ocid: 'ocid1.vaultsecret.oc1.iad.bench.apm',
    run_journal: `file:${join(journals, String(++journalSeq))}`,
  };
}

// Every webhook comes from a new sender with a new message id: five B2C calls, no cache can answer.
let seq = 0;
function webhook(): string {
  const n = ++seq;
  return JSON.stringify({
    ...guide,
    sid: `SM${n.toString(16).padStart(32, '0')}`,
    from: `+1555${String(1_000_000 + n).slice(1)}`,
  });
}

async function invoke(fn: FnProcess): Promise<number> {
  const t0 = performance.now();
  const res = await fn.invoke({
    method: 'POST',
    url: '/webhooks/sms-to-incident',
    headers: { 'Content-Type': 'application/json' },
    body: webhook(),
  });
  const ms = performance.now() - t0;
  if (res.status !== 200)
    throw new Error(`answered ${res.status}: ${res.body.toString()}\n${fn.output().slice(-2_000)}`);
  return ms;
}

const start = (rt: Runtime, subject: Subject): Promise<FnProcess> =>
  startFunction({ entry: subject === 'baseline' ? BASELINE : FUNC, env: envOf(subject), node: rt.node });

/** Spawn → first answer: what the first caller of a new container waits for. */
async function coldOnce(rt: Runtime, subject: Subject): Promise<number> {
  const t0 = performance.now();
  const fn = await start(rt, subject);
  try {
    await invoke(fn);
    return performance.now() - t0;
  } finally {
    await fn.stop();
  }
}

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

interface Warm {
  times: number[];
  /** [calls so far, RSS MB] after each block. */
  rss: [number, number][];
}

/** CALLS warm calls per subject, in alternating blocks, RSS sampled after each block. */
async function warm(rt: Runtime): Promise<Record<Subject, Warm>> {
  const fns = Object.fromEntries(
    await Promise.all(SUBJECTS.map(async (s) => [s, await start(rt, s)] as const)),
  ) as Record<Subject, FnProcess>;
  const out: Record<Subject, Warm> = {
    baseline: { times: [], rss: [] },
    off: { times: [], rss: [] },
    on: { times: [], rss: [] },
  };
  try {
    for (const s of SUBJECTS) for (let i = 0; i < WARMUP; i++) await invoke(fns[s]); // JIT, pools, lazy loads
    for (let done = 0; done < CALLS; done += BLOCK) {
      for (const s of (done / BLOCK) % 2 === 0 ? SUBJECTS : [...SUBJECTS].reverse()) {
        for (let i = 0; i < Math.min(BLOCK, CALLS - done); i++) out[s].times.push(await invoke(fns[s]));
        out[s].rss.push([WARMUP + out[s].times.length, rssMb(fns[s].pid)]);
      }
    }
  } finally {
    await Promise.all(SUBJECTS.map((s) => fns[s].stop()));
  }
  return out;
}

const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? Number.NaN;
const median = (xs: number[]): number => quantile(xs, 0.5);
/**
 * RSS growth in MB per 1000 calls between the middle and the end of the run, each the median of
 * three samples (one per block): the garbage collector's sawtooth would swamp a least-squares fit.
 */
function trend(rss: [number, number][]): number {
  if (rss.length < 6) return Number.NaN;
  const at = (i: number): [number, number] => {
    const window = rss.slice(i - 1, i + 2);
    return [median(window.map(([x]) => x)), median(window.map(([, y]) => y))];
  };
  const [x0, y0] = at(Math.floor(rss.length / 2));
  const [x1, y1] = at(rss.length - 2);
  return ((y1 - y0) / (x1 - x0)) * 1000;
}

// ── run ─────────────────────────────────────────────────────────────────────────────────────────
const { runtimes, missing } = benchRuntimes();
const load0 = loadavg()[0]!;
const cold = new Map<string, Record<Subject, number[]>>();
const warmRuns = new Map<string, Record<Subject, Warm>>();
for (const rt of runtimes) {
  process.stderr.write(`${rt.label}: ${COLD} cold starts each…\n`);
  const times: Record<Subject, number[]> = { baseline: [], off: [], on: [] };
  for (let i = 0; i < COLD; i++) {
    for (const s of i % 2 === 0 ? SUBJECTS : [...SUBJECTS].reverse()) times[s].push(await coldOnce(rt, s));
  }
  cold.set(rt.label, times);
  process.stderr.write(`${rt.label}: ${CALLS} warm calls each…\n`);
  warmRuns.set(
    rt.label,
    CALLS > 0
      ? await warm(rt)
      : { baseline: { times: [], rss: [] }, off: { times: [], rss: [] }, on: { times: [], rss: [] } },
  );
}
const load1 = loadavg()[0]!;
await emulator.close();
await standIns.close();
rmSync(journals, { recursive: true, force: true });

// ── the table ───────────────────────────────────────────────────────────────────────────────────
const ms = (x: number): string => `${x.toFixed(x < 100 ? 1 : 0)} ms`;
const ratio = (a: number, b: number): string => `**${(a / b).toFixed(2)}×**`;
function cell(rt: Runtime, row: string): string {
  const c = cold.get(rt.label)!;
  const w = warmRuns.get(rt.label)!;
  const base = median(c.baseline);
  const wb = median(w.baseline.times);
  switch (row) {
    case 'cold-off':
      return `${ratio(median(c.off), base)} (${ms(median(c.off))} / ${ms(base)})`;
    case 'cold-on':
      return `${ratio(median(c.on), base)} (${ms(median(c.on))} / ${ms(base)})`;
    case 'warm-off':
      return `${ratio(median(w.off.times), wb)} (${ms(median(w.off.times))} / ${ms(wb)})`;
    case 'warm-on':
      return `${ratio(median(w.on.times), wb)} (${ms(median(w.on.times))} / ${ms(wb)})`;
    case 'p99':
      return `${ms(quantile(w.off.times, 0.99))} / ${ms(quantile(w.on.times, 0.99))} (baseline ${ms(quantile(w.baseline.times, 0.99))})`;
    case 'rss': {
      if (w.off.rss.length === 0) return '';
      const last = (x: Warm): string =>
        `${x.rss.at(-1)![1].toFixed(0)} MB, ${trend(x.rss) >= 0 ? '+' : ''}${trend(x.rss).toFixed(1)} MB/1000`;
      return `${last(w.off)} / ${last(w.on)} (baseline ${last(w.baseline)})`;
    }
    default:
      return '';
  }
}
const rows: [string, string, string][] = [
  [
    'cold: spawn → first webhook answered (new sender, 5 B2C calls), telemetry off, memory journal',
    '≤ 2.0×',
    'cold-off',
  ],
  ['cold: the same, telemetry on (Vault, Monitoring, Logging, OTLP stand-ins), file journal', '≤ 2.5×', 'cold-on'],
  ['warm median, telemetry off', '≤ 1.10×', 'warm-off'],
  ['warm median, telemetry on', '≤ 1.20×', 'warm-on'],
  ['warm p99, telemetry off / on', '—', 'p99'],
  [
    `RSS after ${WARMUP + CALLS} warm runs and its trend (middle → end), telemetry off / on`,
    '≤ 128 MB, no growth',
    'rss',
  ],
];
const cpu = cpus();
const git = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
console.log(
  `sms-incident benchmark (commit ${git}): ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, load ${load0.toFixed(1)} → ${load1.toFixed(1)}; ` +
    `B2C latency ${B2C_MS} ms per call; ${COLD} cold starts and ${CALLS} warm calls (+${WARMUP} warm-up) per subject, interleaved; medians.\n` +
    'Ratios: sms-incident ÷ bare straight-line fdk function (bench/baseline-func.mjs), same runtime, same run.\n',
);
console.log(`| measure | target | ${runtimes.map((r) => r.label).join(' | ')} |`);
console.log(`|---|---|${runtimes.map(() => '---').join('|')}|`);
for (const [label, target, key] of rows)
  console.log(`| ${label} | ${target} | ${runtimes.map((r) => cell(r, key)).join(' | ')} |`);
if (missing) console.log(`\n${missing}`);
