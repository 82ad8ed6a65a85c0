// Benchmarks: what sms-incident costs over the seed port (bench/baseline-func.mjs: the guide's five
// straight-line B2C Service calls with fetch), from spawn to first answer and warm, in the shapes
// users run. Shared, noisy machine: subjects and seed port are measured in the same run,
// interleaved (cold starts one after the other, warm calls in alternating blocks), and compared by
// medians; absolute times drift, ratios much less.
//
// Row sets (BENCH_SETS, comma-separated; default `production,fast`):
//   production  B2C Service BENCH_B2C_MS (100 ms) away, the OCI services BENCH_OCI_MS (30 ms) away:
//               telemetry on (Vault, Monitoring, Logging, OTLP stand-ins) and the run journal on
//               the Object Storage stand-in, all checking every OCI signature. Prints the round
//               trips each webhook waited for (journal, telemetry, B2C).
//   fast        B2C Service BENCH_FAST_B2C_MS (5 ms) away, telemetry off, memory journal.
//   soak        RSS over BENCH_SOAK (10,000) warm runs, no latency: memory journal, file journal,
//               telemetry on with the Object Storage journal.
//
// Latency is a proxy in front of each stand-in (bench/latency-proxy.ts): one round trip per request.
// Run: npm run bench  (BENCH_CALLS warm calls, BENCH_COLD cold starts per subject; BENCH_NODE22=0
// measures this runtime only)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmulator } from '../src/emulator/index.js';
import { type FnProcess, startFunction } from '../src/local/index.js';
import { startObjectStorageStandin } from '../test/helpers/object-storage-standin.js';
import { ociTestIdentity } from '../test/helpers/oci-keys.js';
import { startOciStandIns } from '../test/helpers/oci-stand-ins.js';
import { type CriticalPath, criticalPath } from './critical-path.js';
import { startLatencyProxy, type Trip } from './latency-proxy.js';
import { benchRuntimes, type Runtime } from './runtimes.js';

const SETS = (process.env.BENCH_SETS ?? 'production,fast').split(',').map((s) => s.trim());
const B2C_MS = Number(process.env.BENCH_B2C_MS ?? 100);
const OCI_MS = Number(process.env.BENCH_OCI_MS ?? 30);
const FAST_B2C_MS = Number(process.env.BENCH_FAST_B2C_MS ?? 5);
const SOAK = Number(process.env.BENCH_SOAK ?? 10_000);
const BLOCK = 25;
const WARMUP = 20;
const TRACED = 7;
const FUNC = process.env.BENCH_FUNC ?? new URL('../dist/func.js', import.meta.url).pathname;
const SEED = new URL('./baseline-func.mjs', import.meta.url).pathname;
const guide = JSON.parse(
  readFileSync(new URL('../test/fixtures/providers/twilio-message-resource.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

// ── the world: B2C Service emulator, OCI stand-ins, each behind a latency proxy ────────────────
const emulator = await startEmulator({ username: 'bench', password: 'bench' });
const identity = ociTestIdentity();
const keys = new Map([[identity.keyId, identity.publicKeyPem]]);
const APM_KEY = 'bench-apm-data-key';
const standIns = await startOciStandIns({ keys, apmDataKey: APM_KEY });
standIns.secrets.set('ocid1.vaultsecret.oc1.iad.bench.user', 'bench');
standIns.secrets.set('ocid1.vaultsecret.oc1.iad.bench.password', 'bench');
standIns.secrets.set('ocid1.vaultsecret.oc1.iad.bench.apm', APM_KEY);
const objectStorage = await startObjectStorageStandin({ keys });
const b2c = await startLatencyProxy(emulator.url, 0, () => 'b2c');
const oci = await startLatencyProxy(standIns.url, 0, (path) => (path.startsWith('/20190301/') ? 'vault' : 'telemetry'));
const journal = await startLatencyProxy(objectStorage.url, 0, () => 'journal');
const journals = mkdtempSync(join(tmpdir(), 'bench-journal-'));

/** seed: the seed port; off: telemetry off, memory journal; file: off with the file journal; prod: telemetry on, Object Storage journal. */
type Subject = 'seed' | 'off' | 'file' | 'prod';
const LABEL: Record<Subject, string> = {
  seed: 'seed port',
  off: 'telemetry off, memory journal',
  file: 'telemetry off, file journal',
  prod: 'telemetry on, Object Storage journal',
};

let journalSeq = 0;
function envOf(subject: Subject): Record<string, string> {
  const b2cEnv = { b2cservice_hostname: b2c.url, b2cservice_username: 'bench', b2cservice_password: 'bench' };
  if (subject === 'seed') return b2cEnv;
  const common = { ...b2cEnv, webhook_signature: 'off' };
  if (subject === 'off') return common;
  if (subject === 'file') return { ...common, run_journal: `file:${join(journals, String(++journalSeq))}` };
  return {
    ...common,
    ...identity.env,
    OTEL_SERVICE_NAME: 'sms-incident',
    b2cservice_username: 'unused',
    b2cservice_password: 'unused',
    b2cservice_username_ocid: 'ocid1.vaultsecret.oc1.iad.bench.user',
    b2cservice_password_ocid: 'ocid1.vaultsecret.oc1.iad.bench.password',
    oci_secrets_endpoint: oci.url,
    oci_monitoring_endpoint: oci.url,
    oci_logging_endpoint: oci.url,
    oci_monitoring_compartment_id: 'ocid1.compartment.oc1..bench',
    oci_log_id: 'ocid1.log.oc1.iad.bench',
    oci_apm_endpoint: oci.url,
    oci_apm_data_key_ocid: 'ocid1.vaultsecret.oc1.iad.bench.apm',
    run_journal: `oci-os://benchns/bench-runs/r${++journalSeq}/`,
    oci_objectstorage_endpoint: journal.url,
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
  startFunction({ entry: subject === 'seed' ? SEED : FUNC, env: envOf(subject), node: rt.node });

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
  /** Round trips of a few webhooks made one at a time, after the timed calls. */
  paths: CriticalPath[];
  /** The requests of those webhooks, as the proxies saw them, with when each call was made and answered. */
  timelines: { t0: number; t1: number; trips: Trip[] }[];
}

/** `calls` warm calls per subject, in alternating blocks, RSS sampled after each block. */
async function warm(
  rt: Runtime,
  subjects: readonly Subject[],
  calls: number,
  block = BLOCK,
): Promise<Record<string, Warm>> {
  const fns = Object.fromEntries(
    await Promise.all(subjects.map(async (s) => [s, await start(rt, s)] as const)),
  ) as Record<Subject, FnProcess>;
  const out: Record<string, Warm> = Object.fromEntries(
    subjects.map((s) => [s, { times: [], rss: [], paths: [], timelines: [] }]),
  );
  try {
    for (const s of subjects) for (let i = 0; i < WARMUP; i++) await invoke(fns[s]); // JIT, pools, lazy loads
    for (let done = 0; done < calls; done += block) {
      for (const s of (done / block) % 2 === 0 ? subjects : [...subjects].reverse()) {
        for (let i = 0; i < Math.min(block, calls - done); i++) out[s]!.times.push(await invoke(fns[s]));
        out[s]!.rss.push([WARMUP + out[s]!.times.length, rssMb(fns[s].pid)]);
      }
    }
    for (const s of subjects) {
      for (let i = 0; i < TRACED; i++) {
        const t0 = performance.now();
        await invoke(fns[s]);
        const t1 = performance.now();
        await new Promise((r) => setTimeout(r, Math.max(50, 3 * OCI_MS))); // late requests land
        const seen = [b2c, oci, journal].flatMap((p) => p.tripsSince(t0));
        out[s]!.paths.push(criticalPath(seen, t0, t1));
        out[s]!.timelines.push({ t0, t1, trips: seen });
      }
    }
  } finally {
    await Promise.all(subjects.map((s) => fns[s].stop()));
  }
  return out;
}

const quantile = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? Number.NaN;
const median = (xs: number[]): number => quantile(xs, 0.5);
const ms = (x: number): string => `${x.toFixed(x < 100 ? 1 : 0)} ms`;
const ratio = (a: number, b: number): string => `**${(a / b).toFixed(2)}×**`;

/** Median round trips per kind, of the traced webhooks. */
function trips(paths: readonly CriticalPath[]): string {
  if (paths.length === 0) return '';
  const kinds = ['journal', 'telemetry', 'vault', 'b2c'];
  const med = (f: (p: CriticalPath) => number): number => median(paths.map(f));
  const on = kinds
    .map((k) => `${k} ${med((p) => p.byKind[k] ?? 0)}`)
    .filter((s) => !s.endsWith(' 0') || s.startsWith('journal') || s.startsWith('b2c'));
  const all = kinds.map((k) => `${k} ${med((p) => p.total[k] ?? 0)}`).filter((s) => !s.endsWith(' 0'));
  return `${on.join(' + ')} waited for (made: ${all.join(', ') || 'none'}; ${med((p) => p.afterAnswer)} after the answer)`;
}

interface SetResult {
  readonly name: string;
  readonly header: string;
  readonly rows: [string, string, Record<string, string>][];
  /** Printed after the table. */
  readonly footer?: string;
}

/** One webhook's requests in time order, ms from the call; `*` marks those on its critical path. */
function timeline(t: Warm['timelines'][number], path: CriticalPath): string {
  const on = new Set(path.chain);
  const short = (p: string): string =>
    decodeURIComponent(p.split('?')[0]!)
      .replace(/^\/services\/rest\/connect\/v[\d.]+/, '')
      .replace(/^\/n\/[^/]+\/b\/[^/]+\/o\//, '')
      .replace(/[0-9a-f]{16,}/g, (h) => `${h.slice(0, 6)}…`);
  const lines = [...t.trips]
    .filter((x) => x.start >= t.t0 && x.start <= t.t1)
    .sort((a, b) => a.start - b.start)
    .map(
      (x) =>
        `${on.has(x) ? '*' : ' '} ${(x.start - t.t0).toFixed(0).padStart(4)}–${(x.end - t.t0).toFixed(0).padStart(4)} ms  ${x.kind.padEnd(9)} ${x.method.padEnd(6)} ${short(x.path)}`,
    );
  return [`answered at ${(t.t1 - t.t0).toFixed(0)} ms`, ...lines].join('\n');
}

async function coldAndWarm(
  rt: Runtime,
  subject: Subject,
  cold: number,
  calls: number,
): Promise<{ cold: Record<string, number[]>; warm: Record<string, Warm> }> {
  const subjects: Subject[] = ['seed', subject];
  const times: Record<string, number[]> = { seed: [], [subject]: [] };
  process.stderr.write(`${rt.label}: ${cold} cold starts each (${subjects.join(', ')})…\n`);
  for (let i = 0; i < cold; i++)
    for (const s of i % 2 === 0 ? subjects : [...subjects].reverse()) times[s]!.push(await coldOnce(rt, s));
  process.stderr.write(`${rt.label}: ${calls} warm calls each…\n`);
  return { cold: times, warm: await warm(rt, subjects, calls) };
}

function setLatency(b2cMs: number, ociMs: number): void {
  b2c.latencyMs = b2cMs;
  oci.latencyMs = ociMs;
  journal.latencyMs = ociMs;
}

async function production(runtimes: readonly Runtime[]): Promise<SetResult> {
  setLatency(B2C_MS, OCI_MS);
  const cold = Number(process.env.BENCH_COLD ?? 5);
  const calls = Number(process.env.BENCH_CALLS ?? 100);
  let footer: string | undefined;
  const rows: SetResult['rows'] = [
    ['warm median (new sender: 5 B2C calls), sms-incident / seed port', '≤ 1.20×', {}],
    ['cold: spawn → first webhook answered, sms-incident / seed port', '≤ 2.0×', {}],
    ['warm p99, sms-incident / seed port', '—', {}],
    ['round trips per webhook, sms-incident', '—', {}],
    ['round trips per webhook, seed port', '—', {}],
  ];
  for (const rt of runtimes) {
    const r = await coldAndWarm(rt, 'prod', cold, calls);
    const w = (s: string): number[] => r.warm[s]!.times;
    rows[0]![2][rt.label] =
      `${ratio(median(w('prod')), median(w('seed')))} (${ms(median(w('prod')))} / ${ms(median(w('seed')))})`;
    rows[1]![2][rt.label] =
      `${ratio(median(r.cold.prod!), median(r.cold.seed!))} (${ms(median(r.cold.prod!))} / ${ms(median(r.cold.seed!))})`;
    rows[2]![2][rt.label] = `${ms(quantile(w('prod'), 0.99))} / ${ms(quantile(w('seed'), 0.99))}`;
    rows[3]![2][rt.label] = trips(r.warm.prod!.paths);
    rows[4]![2][rt.label] = trips(r.warm.seed!.paths);
    if (rt === runtimes[0]) {
      // The traced webhook of median duration, request by request.
      const p = r.warm.prod!;
      const order = p.timelines
        .map((_, i) => i)
        .sort((a, b) => p.timelines[a]!.t1 - p.timelines[a]!.t0 - (p.timelines[b]!.t1 - p.timelines[b]!.t0));
      const i = order[Math.floor(order.length / 2)];
      if (i !== undefined)
        footer = `One warm webhook (${rt.label}; \`*\` = on its critical path):\n\n\`\`\`\n${timeline(p.timelines[i]!, p.paths[i]!)}\n\`\`\``;
    }
  }
  return {
    name: 'production',
    ...(footer === undefined ? {} : { footer }),
    header: `Production shape: B2C Service ${B2C_MS} ms away, OCI services ${OCI_MS} ms away (a round trip per request; floor: 5 B2C calls = ${5 * B2C_MS} ms); ${LABEL.prod}; ${cold} cold starts and ${calls} warm calls (+${WARMUP} warm-up) per subject.`,
    rows,
  };
}

async function fast(runtimes: readonly Runtime[]): Promise<SetResult> {
  setLatency(FAST_B2C_MS, 0);
  const cold = Number(process.env.BENCH_COLD ?? 9);
  const calls = Number(process.env.BENCH_CALLS ?? 500);
  const rows: SetResult['rows'] = [
    ['warm median, sms-incident / seed port', '≤ 1.10×', {}],
    ['cold: spawn → first webhook answered, sms-incident / seed port', '≤ 2.0×', {}],
    ['warm p99, sms-incident / seed port', '—', {}],
  ];
  for (const rt of runtimes) {
    const r = await coldAndWarm(rt, 'off', cold, calls);
    const w = (s: string): number[] => r.warm[s]!.times;
    rows[0]![2][rt.label] =
      `${ratio(median(w('off')), median(w('seed')))} (${ms(median(w('off')))} / ${ms(median(w('seed')))})`;
    rows[1]![2][rt.label] =
      `${ratio(median(r.cold.off!), median(r.cold.seed!))} (${ms(median(r.cold.off!))} / ${ms(median(r.cold.seed!))})`;
    rows[2]![2][rt.label] = `${ms(quantile(w('off'), 0.99))} / ${ms(quantile(w('seed'), 0.99))}`;
  }
  return {
    name: 'fast',
    header: `B2C Service ${FAST_B2C_MS} ms away, ${LABEL.off}; ${cold} cold starts and ${calls} warm calls (+${WARMUP} warm-up) per subject.`,
    rows,
  };
}

/** RSS after the first thousand runs, at the end, and the highest sample after the first thousand. */
function rssCell(rss: [number, number][]): string {
  const after = rss.filter(([n]) => n >= 1_000);
  if (after.length === 0) return '';
  const first = after[0]![1];
  const last = after.at(-1)![1];
  const max = Math.max(...after.map(([, y]) => y));
  return `${first.toFixed(0)} → ${last.toFixed(0)} MB (max ${max.toFixed(0)})`;
}

async function soak(runtimes: readonly Runtime[]): Promise<SetResult> {
  setLatency(0, 0);
  const subjects: Subject[] = ['seed', 'off', 'file', 'prod'];
  const rows: SetResult['rows'] = subjects.map((s) => [
    `RSS after 1,000 → ${SOAK.toLocaleString('en')} warm runs: ${LABEL[s]}`,
    s === 'seed' ? '—' : '≤ 160 MB, flat',
    {},
  ]);
  for (const rt of runtimes) {
    process.stderr.write(`${rt.label}: ${SOAK} warm calls each (${subjects.join(', ')})…\n`);
    const w = await warm(rt, subjects, SOAK, 500);
    subjects.forEach((s, i) => {
      rows[i]![2][rt.label] = rssCell(w[s]!.rss);
    });
  }
  return {
    name: 'soak',
    header: `RSS of one warm container over ${SOAK.toLocaleString('en')} webhooks (new sender each), no added latency.`,
    rows,
  };
}

// ── run ─────────────────────────────────────────────────────────────────────────────────────────
const { runtimes, missing } =
  process.env.BENCH_NODE22 === '0'
    ? { runtimes: benchRuntimes().runtimes.slice(0, 1), missing: undefined }
    : benchRuntimes();
const load0 = loadavg()[0]!;
const results: SetResult[] = [];
for (const set of SETS) {
  if (set === 'production') results.push(await production(runtimes));
  else if (set === 'fast') results.push(await fast(runtimes));
  else if (set === 'soak') results.push(await soak(runtimes));
  else throw new Error(`unknown bench set ${set} (production, fast, soak)`);
}
const load1 = loadavg()[0]!;
await Promise.all([
  emulator.close(),
  standIns.close(),
  objectStorage.close(),
  b2c.close(),
  oci.close(),
  journal.close(),
]);
rmSync(journals, { recursive: true, force: true });

// ── the tables ──────────────────────────────────────────────────────────────────────────────────
const cpu = cpus();
const git = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
console.log(
  `sms-incident benchmark (commit ${git}): ${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, load ${load0.toFixed(1)} → ${load1.toFixed(1)}; interleaved; medians.\n` +
    'Ratios: sms-incident ÷ the seed port (bench/baseline-func.mjs: the five straight-line B2C calls), same runtime, same run.',
);
for (const r of results) {
  console.log(`\n${r.header}\n`);
  console.log(`| measure | target | ${runtimes.map((x) => x.label).join(' | ')} |`);
  console.log(`|---|---|${runtimes.map(() => '---').join('|')}|`);
  for (const [label, target, cells] of r.rows)
    console.log(`| ${label} | ${target} | ${runtimes.map((x) => cells[x.label] ?? '').join(' | ')} |`);
  if (r.footer) console.log(`\n${r.footer}`);
}
if (missing) console.log(`\n${missing}`);
