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
//               telemetry on with the Object Storage journal (BENCH_SOAK_SUBJECTS=seed,off,file,prod
//               to pick).
//   burst       BENCH_BURST (100) webhooks at once into one container, production shape, three
//               times: the highest RSS, and every one answered (no out-of-memory).
//
// sms-incident runs as the image starts it: the node options of the Dockerfile's ENTRYPOINT (V8
// heap sizes; bench/image-entry.ts). BENCH_V8_DEFAULTS=1 adds each subject without them, in the
// same run ("V8 defaults"), to compare.
//
// Latency is a proxy in front of each stand-in (bench/latency-proxy.ts): one round trip per request.
// Run: npm run bench  (BENCH_CALLS warm calls, BENCH_COLD cold starts per subject; BENCH_NODE22=0
// measures this runtime only)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { burstOnce } from './burst.js';
import { imageEntry } from './image-entry.js';
import { benchRuntimes, type Runtime } from './runtimes.js';

const SETS = (process.env.BENCH_SETS ?? 'production,fast').split(',').map((s) => s.trim());
const B2C_MS = Number(process.env.BENCH_B2C_MS ?? 100);
const OCI_MS = Number(process.env.BENCH_OCI_MS ?? 30);
const FAST_B2C_MS = Number(process.env.BENCH_FAST_B2C_MS ?? 5);
const SOAK = Number(process.env.BENCH_SOAK ?? 10_000);
const BURST = Number(process.env.BENCH_BURST ?? 100);
const V8_DEFAULTS = process.env.BENCH_V8_DEFAULTS === '1';
const IMAGE = imageEntry('function');
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

/**
 * seed: the seed port; off: telemetry off, memory journal; file: off with the file journal; prod: telemetry on,
 * Object Storage journal. `:v8`: the same without the image's node options (V8 sizes the heap from the host).
 */
type Base = 'seed' | 'off' | 'file' | 'prod';
type Subject = Base | `${Exclude<Base, 'seed'>}:v8`;
const BASE_LABEL: Record<Base, string> = {
  seed: 'seed port',
  off: 'telemetry off, memory journal',
  file: 'telemetry off, file journal',
  prod: 'telemetry on, Object Storage journal',
};
const baseOf = (s: Subject): Base => s.split(':')[0] as Base;
const label = (s: Subject): string => `${BASE_LABEL[baseOf(s)]}${s.endsWith(':v8') ? " (V8's default heap)" : ''}`;
/** The subject and, with BENCH_V8_DEFAULTS=1, the same without the image's node options. */
const withDefaults = (s: Exclude<Base, 'seed'>): Subject[] => (V8_DEFAULTS ? [s, `${s}:v8`] : [s]);

let journalSeq = 0;
function envOf(subject: Base): Record<string, string> {
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

// Every webhook comes from a new sender with a new message id (the seed port's five B2C calls,
// sms-incident's four: its incident carries the note), so no cache can answer.
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

// The seed port runs as the guide deploys it: `node func.js`.
const start = (rt: Runtime, subject: Subject): Promise<FnProcess> =>
  startFunction({
    entry: subject === 'seed' ? SEED : FUNC,
    env: envOf(baseOf(subject)),
    node: rt.node,
    nodeArgs: subject === 'seed' || subject.endsWith(':v8') ? [] : IMAGE.nodeArgs,
  });

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

/** VmRSS (now) or VmHWM (the highest since start, or since resetPeak) of a process, in MB. */
function rssMb(pid: number | undefined, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) / 1024;
}

/** Starts VmHWM again from the current RSS (proc(5), clear_refs "5"), so it holds the peak from now on. */
function resetPeak(pid: number | undefined): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

interface Warm {
  times: number[];
  /** [calls so far, RSS MB] after each block. */
  rss: [number, number][];
  /** The kernel's peak RSS (VmHWM) from the 1,000th call to the end, MB; NaN for fewer calls. */
  peakAfter1000: number;
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
    subjects.map((s) => [s, { times: [], rss: [], paths: [], timelines: [], peakAfter1000: Number.NaN }]),
  );
  try {
    for (const s of subjects) for (let i = 0; i < WARMUP; i++) await invoke(fns[s]); // JIT, pools, lazy loads
    for (let done = 0; done < calls; done += block) {
      for (const s of (done / block) % 2 === 0 ? subjects : [...subjects].reverse()) {
        for (let i = 0; i < Math.min(block, calls - done); i++) {
          out[s]!.times.push(await invoke(fns[s]));
          if (WARMUP + out[s]!.times.length === 1_000) resetPeak(fns[s].pid);
        }
        out[s]!.rss.push([WARMUP + out[s]!.times.length, rssMb(fns[s].pid)]);
      }
    }
    for (const s of subjects) if (WARMUP + calls >= 1_000) out[s]!.peakAfter1000 = rssMb(fns[s].pid, 'VmHWM');
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
  subjects: readonly Subject[],
  cold: number,
  calls: number,
): Promise<{ cold: Record<string, number[]>; warm: Record<string, Warm> }> {
  const times: Record<string, number[]> = Object.fromEntries(subjects.map((s) => [s, []]));
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

/** The ratio rows of one subject against the seed port: warm median, cold, warm p99. */
function ratioRows(
  r: Awaited<ReturnType<typeof coldAndWarm>>,
  s: Subject,
): { warm: string; cold: string; p99: string } {
  const w = (x: string): number[] => r.warm[x]!.times;
  const c = (x: string): number[] => r.cold[x]!;
  return {
    warm: `${ratio(median(w(s)), median(w('seed')))} (${ms(median(w(s)))} / ${ms(median(w('seed')))})`,
    cold: `${ratio(median(c(s)), median(c('seed')))} (${ms(median(c(s)))} / ${ms(median(c('seed')))})`,
    p99: `${ms(quantile(w(s), 0.99))} / ${ms(quantile(w('seed'), 0.99))}`,
  };
}

const V8_ROW = " with V8's default heap (no ENTRYPOINT node options)";

async function production(runtimes: readonly Runtime[]): Promise<SetResult> {
  setLatency(B2C_MS, OCI_MS);
  const cold = Number(process.env.BENCH_COLD ?? 5);
  const calls = Number(process.env.BENCH_CALLS ?? 100);
  let footer: string | undefined;
  const rows: SetResult['rows'] = [
    ['warm median (new sender), sms-incident / seed port', '≤ 1.20×', {}],
    ['cold: spawn → first webhook answered, sms-incident / seed port', '≤ 2.0×', {}],
    ['warm p99, sms-incident / seed port', '—', {}],
    ['round trips per webhook, sms-incident', '—', {}],
    ['round trips per webhook, seed port', '—', {}],
  ];
  if (V8_DEFAULTS) rows.push([`warm median${V8_ROW}`, '—', {}], [`cold${V8_ROW}`, '—', {}]);
  for (const rt of runtimes) {
    const r = await coldAndWarm(rt, ['seed', ...withDefaults('prod')], cold, calls);
    const prod = ratioRows(r, 'prod');
    rows[0]![2][rt.label] = prod.warm;
    rows[1]![2][rt.label] = prod.cold;
    rows[2]![2][rt.label] = prod.p99;
    rows[3]![2][rt.label] = trips(r.warm.prod!.paths);
    rows[4]![2][rt.label] = trips(r.warm.seed!.paths);
    if (V8_DEFAULTS) {
      const v8 = ratioRows(r, 'prod:v8');
      rows[5]![2][rt.label] = v8.warm;
      rows[6]![2][rt.label] = v8.cold;
    }
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
    header: `Production shape: B2C Service ${B2C_MS} ms away, OCI services ${OCI_MS} ms away (a round trip per request; the seed port's floor: its 5 B2C calls = ${5 * B2C_MS} ms, sms-incident's: 4 = ${4 * B2C_MS} ms); ${label('prod')}; ${cold} cold starts and ${calls} warm calls (+${WARMUP} warm-up) per subject. ${imageLine()}`,
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
  if (V8_DEFAULTS) rows.push([`warm median${V8_ROW}`, '—', {}], [`cold${V8_ROW}`, '—', {}]);
  for (const rt of runtimes) {
    const r = await coldAndWarm(rt, ['seed', ...withDefaults('off')], cold, calls);
    const off = ratioRows(r, 'off');
    rows[0]![2][rt.label] = off.warm;
    rows[1]![2][rt.label] = off.cold;
    rows[2]![2][rt.label] = off.p99;
    if (V8_DEFAULTS) {
      const v8 = ratioRows(r, 'off:v8');
      rows[3]![2][rt.label] = v8.warm;
      rows[4]![2][rt.label] = v8.cold;
    }
  }
  return {
    name: 'fast',
    header: `B2C Service ${FAST_B2C_MS} ms away, ${label('off')}; ${cold} cold starts and ${calls} warm calls (+${WARMUP} warm-up) per subject. ${imageLine()}`,
    rows,
  };
}

const imageLine = (): string =>
  `sms-incident runs as the image starts it: \`node ${[...IMAGE.nodeArgs, IMAGE.script].join(' ')}\`.`;

/** RSS after the first thousand runs and at the end (after a block), the kernel's peak from the thousandth on, and the median call. */
function rssCell(w: Warm): string {
  const after = w.rss.filter(([n]) => n >= 1_000);
  if (after.length === 0) return '';
  return `${after[0]![1].toFixed(0)} → ${after.at(-1)![1].toFixed(0)} MB (peak ${w.peakAfter1000.toFixed(0)}); median call ${ms(median(w.times))}`;
}

async function soak(runtimes: readonly Runtime[]): Promise<SetResult> {
  setLatency(0, 0);
  const only = process.env.BENCH_SOAK_SUBJECTS?.split(',');
  const subjects = (['seed', ...(['off', 'file', 'prod'] as const).flatMap(withDefaults)] as Subject[]).filter(
    (s) => !only || only.includes(baseOf(s)),
  );
  const rows: SetResult['rows'] = subjects.map((s) => [
    `RSS after 1,000 → ${SOAK.toLocaleString('en')} warm runs (peak from the 1,000th on): ${label(s)}`,
    s === 'seed' || s.endsWith(':v8') ? '—' : '≤ 160 MB, flat',
    {},
  ]);
  for (const rt of runtimes) {
    process.stderr.write(`${rt.label}: ${SOAK} warm calls each (${subjects.join(', ')})…\n`);
    const w = await warm(rt, subjects, SOAK, 500);
    subjects.forEach((s, i) => {
      rows[i]![2][rt.label] = rssCell(w[s]!);
    });
  }
  return {
    name: 'soak',
    header: `RSS of one warm container over ${SOAK.toLocaleString('en')} webhooks (new sender each), no added latency; peak = the kernel's VmHWM, reset at the 1,000th. ${imageLine()}`,
    rows,
  };
}

async function burst(runtimes: readonly Runtime[]): Promise<SetResult> {
  setLatency(B2C_MS, OCI_MS);
  const subjects = withDefaults('prod');
  const rows: SetResult['rows'] = subjects.map((s) => [
    `${BURST} webhooks at once, 3 times, one container: answered 200 / peak RSS / heap limit: ${label(s)}`,
    s.endsWith(':v8') ? '—' : `all ${3 * BURST}, alive, peak ≤ 256 MB`,
    {},
  ]);
  for (const rt of runtimes) {
    for (const [i, s] of subjects.entries()) {
      process.stderr.write(`${rt.label}: ${BURST} at once × 3 (${s})…\n`);
      const fn = await start(rt, s);
      try {
        await invoke(fn); // the first answer: everything loaded
        resetPeak(fn.pid);
        let ok = 0;
        for (let round = 0; round < 3; round++) ok += await burstOnce(fn, Array.from({ length: BURST }, webhook));
        const alive = fn.pid !== undefined && rssMb(fn.pid) > 0;
        rows[i]![2][rt.label] =
          `${ok} of ${3 * BURST}${alive ? '' : ' (died)'} / ${rssMb(fn.pid, 'VmHWM').toFixed(0)} MB / ${heapLimitMb(fn)}`;
      } finally {
        await fn.stop();
      }
    }
  }
  return {
    name: 'burst',
    header: `Concurrency in one container: B2C Service ${B2C_MS} ms and OCI ${OCI_MS} ms away, ${label('prod')}; the calls go to the fdk's socket together (the local agent's queue bypassed). ${imageLine()}`,
    rows,
  };
}

/** V8's heap limit as the process's own options give it (the same node, the same options, no script). */
function heapLimitMb(fn: FnProcess): string {
  try {
    const args = readFileSync(`/proc/${fn.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const [node, ...rest] = args;
    const options = rest.filter((a) => a.startsWith('--'));
    const out = execFileSync(node!, [...options, '-p', 'v8.getHeapStatistics().heap_size_limit'], { encoding: 'utf8' });
    return `${(Number(out) / 2 ** 20).toFixed(0)} MB heap limit`;
  } catch {
    return 'heap limit unknown';
  }
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
  else if (set === 'burst') results.push(await burst(runtimes));
  else throw new Error(`unknown bench set ${set} (production, fast, soak, burst)`);
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
