// The gateway authorizer's footprint (docs/performance.md, "The authorizer"): dist/authorizer.js under
// the real fdk (the local Fn agent), invoked as API Gateway invokes a CUSTOM_AUTHENTICATION function.
// Three configurations: a plain token (`auth_token`, no OCI SDK); the deployed one, the token from
// Vault by OCID with a resource principal (the OCI SDK loads on the first read; cached 600 s) against
// the signature-checking Vault stand-in; and the worst case for memory, Vault read (and signed for)
// on every call (TTL 0) with the V8 heap capped as a 128 MB container would cap it. Per runtime: COLD
// cold starts (spawn → first admission), then CALLS warm admissions in one process, RSS sampled.
//
// Run: node --import tsx bench/authorizer.ts   (after npm run build; BENCH_COLD, BENCH_CALLS)
import { readFileSync } from 'node:fs';
import { startFunction, type FnProcess } from '../src/local/index.js';
import { ociTestIdentity } from '../test/helpers/oci-keys.js';
import { startOciStandIns } from '../test/helpers/oci-stand-ins.js';
import { benchRuntimes, type Runtime } from './runtimes.js';

const ENTRY = new URL('../dist/authorizer.js', import.meta.url).pathname;
const BASELINE = new URL('./baseline-authorizer.mjs', import.meta.url).pathname;
const COLD = Number(process.env.BENCH_COLD ?? 9);
const CALLS = Number(process.env.BENCH_CALLS ?? 1000);
const TOKEN = 'bench-webhook-token-0123456789';
const SECRET = 'ocid1.vaultsecret.oc1.iad.amaaaaaabenchtoken';

const identity = ociTestIdentity();
const standIns = await startOciStandIns({ keys: new Map([[identity.keyId, identity.publicKeyPem]]) });
standIns.secrets.set(SECRET, TOKEN);

type Subject = 'baseline' | 'token' | 'vault' | 'vault-every-call';
const SUBJECTS: Subject[] = ['baseline', 'token', 'vault', 'vault-every-call'];
const LABELS: Record<Subject, string> = {
  baseline: 'baseline: bare fdk function (bench/baseline-authorizer.mjs)',
  token: 'plain token',
  vault: 'token from Vault (OCI SDK), cached 600 s',
  'vault-every-call': `token from Vault on every call, heap ≤ ${process.env.BENCH_HEAP_MB ?? 64} MB`,
};
const vault = { ...identity.env, auth_token_ocid: SECRET, oci_secrets_endpoint: standIns.url };
const envOf = (s: Subject): Record<string, string> =>
  s === 'token' || s === 'baseline'
    ? { auth_token: TOKEN }
    : s === 'vault'
      ? vault
      : {
          ...vault,
          oci_secret_ttl_seconds: '0',
          NODE_OPTIONS: `--max-old-space-size=${process.env.BENCH_HEAP_MB ?? 64}`,
        };

async function admit(fn: FnProcess): Promise<void> {
  const body = JSON.stringify({ type: 'USER_DEFINED', data: { token: TOKEN } });
  const res = await fn.invoke({
    intent: 'invoke',
    method: 'POST',
    url: '/',
    headers: { 'Content-Type': 'application/json' },
    body,
  });
  const answer = res.status === 200 ? (JSON.parse(res.body.toString('utf8')) as { active?: boolean }) : {};
  if (answer.active !== true)
    throw new Error(`not admitted (${res.status}): ${res.body.toString()}\n${fn.output().slice(-2_000)}`);
}

function rssMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

async function coldOnce(rt: Runtime, s: Subject): Promise<{ ms: number; rss: number }> {
  const t0 = performance.now();
  const fn = await startFunction({ entry: s === 'baseline' ? BASELINE : ENTRY, env: envOf(s), node: rt.node });
  try {
    await admit(fn);
    return { ms: performance.now() - t0, rss: rssMb(fn.pid) };
  } finally {
    await fn.stop();
  }
}

async function warm(rt: Runtime, s: Subject): Promise<{ medianMs: number; rss: number[] }> {
  const fn = await startFunction({ entry: s === 'baseline' ? BASELINE : ENTRY, env: envOf(s), node: rt.node });
  try {
    const times: number[] = [];
    const rss: number[] = [];
    for (let i = 1; i <= CALLS; i++) {
      const t0 = performance.now();
      await admit(fn);
      times.push(performance.now() - t0);
      if (i % Math.max(1, Math.floor(CALLS / 4)) === 0) rss.push(rssMb(fn.pid));
    }
    return { medianMs: median(times), rss };
  } finally {
    await fn.stop();
  }
}

const { runtimes, missing } = benchRuntimes();
if (missing) process.stderr.write(`${missing}\n`);
const rows: string[] = [];
for (const rt of runtimes) {
  const cold: Record<Subject, { ms: number; rss: number }[]> = {
    baseline: [],
    token: [],
    vault: [],
    'vault-every-call': [],
  };
  for (let i = 0; i < COLD; i++)
    for (const s of i % 2 === 0 ? SUBJECTS : [...SUBJECTS].reverse()) cold[s].push(await coldOnce(rt, s));
  for (const s of SUBJECTS) {
    const w = await warm(rt, s);
    const ms = cold[s].map((c) => c.ms);
    rows.push(
      `| ${rt.label} | ${LABELS[s]} | ${median(ms).toFixed(0)} ms (${Math.min(...ms).toFixed(0)}–${Math.max(...ms).toFixed(0)}) | ` +
        `${median(cold[s].map((c) => c.rss)).toFixed(0)} MB | ${w.rss.map((r) => r.toFixed(0)).join(' → ')} MB | ${w.medianMs.toFixed(1)} ms |`,
    );
    process.stderr.write(`${rows.at(-1)}\n`);
  }
}
await standIns.close();
process.stdout.write(
  [
    `${COLD} cold starts and ${CALLS} warm admissions per configuration and runtime`,
    '',
    '| runtime | configuration | cold: spawn → first admission, median (range) | RSS after the first | RSS over the warm calls | warm median |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
);
