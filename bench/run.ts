// Benchmarks: speed and memory of the function, as ratios against baselines measured in the
// same run (shared, noisy machines: absolute times drift, ratios much less).
//
//   cold start   dist/func.js vs a bare fdk function: spawn → first answer
//   warm call    one webhook through the fdk vs (a bare fdk call + the same five B2C calls made directly)
//   memory       RSS after the warm calls vs the bare fdk function's
//
// Run: npm run bench  (BENCH_CALLS, BENCH_COLD to change the sample sizes)
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { startEmulator } from '../src/emulator/index.js';
import { startFunction, type FnProcess } from '../src/local/index.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 200);
const COLD = Number(process.env.BENCH_COLD ?? 5);
const FUNC = new URL('../dist/func.js', import.meta.url).pathname;
const ECHO = new URL('../test/fixtures/echo-func.mjs', import.meta.url).pathname;
const guide = JSON.parse(readFileSync(new URL('../test/fixtures/providers/twilio-message-resource.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const emulator = await startEmulator({ username: 'bench', password: 'bench' });
const fnEnv = {
  b2cservice_hostname: emulator.url,
  b2cservice_username: 'bench',
  b2cservice_password: 'bench',
  webhook_signature: 'off',
  log_level: 'warn',
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] ?? Number.NaN;
const rssMb = (pid: number | undefined): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
};
/** A fresh, valid message id per call, so no layer can answer from a cache. */
const sid = (i: number): string => `SM${i.toString(16).padStart(32, '0')}`;
const phone = (i: number): string => `+1555${String(1_000_000 + i).slice(1)}`;

/** Spawn → first answer: what the first caller of a new container waits for (listening alone hides lazy loading). */
async function coldStart(entry: string, env: Record<string, string>, body: (i: number) => string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < COLD; i++) {
    const t0 = performance.now();
    const fn = await startFunction({ entry, env });
    const res = await fn.invoke({ method: 'POST', url: '/webhooks/sms-to-incident', headers: { 'Content-Type': 'application/json' }, body: body(1_000_000 + i) });
    times.push(performance.now() - t0);
    await fn.stop();
    if (res.status !== 200) throw new Error(`cold call answered ${res.status}: ${res.body.toString()}`);
  }
  return times;
}

async function warm(fn: FnProcess, body: (i: number) => string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < CALLS + 10; i++) {
    const t0 = performance.now();
    const res = await fn.invoke({ method: 'POST', url: '/webhooks/sms-to-incident', headers: { 'Content-Type': 'application/json' }, body: body(i) });
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`call ${i} answered ${res.status}: ${res.body.toString()}`);
    if (i >= 10) times.push(ms); // the first calls warm the JIT and the connection pools
  }
  return times;
}

/** The five B2C calls of a new sender, made directly: the floor no function can go below. */
async function directB2c(): Promise<number[]> {
  const auth = `Basic ${Buffer.from('bench:bench').toString('base64')}`;
  const headers = { authorization: auth, 'osvc-crest-application-context': 'bench', 'content-type': 'application/json' };
  const base = `${emulator.url}/services/rest/connect/v1.4`;
  const times: number[] = [];
  for (let i = 0; i < CALLS + 10; i++) {
    const t0 = performance.now();
    await (await fetch(`${base}/contacts?q=${encodeURIComponent(`phones.rawNumber = '${phone(100_000 + i).slice(1)}'`)}`, { headers })).text();
    const contact = (await (await fetch(`${base}/contacts`, { method: 'POST', headers, body: '{"name":{"first":"SMS","last":"User"}}' })).json()) as { id: number };
    await (await fetch(`${base}/contacts/${contact.id}`, { method: 'PATCH', headers, body: JSON.stringify({ phones: [{ number: phone(100_000 + i), phoneType: { lookupName: 'Mobile Phone' } }] }) })).text();
    const incident = (await (await fetch(`${base}/incidents`, { method: 'POST', headers, body: JSON.stringify({ subject: 'bench', primaryContact: { id: contact.id } }) })).json()) as { id: number };
    await (await fetch(`${base}/incidents/${incident.id}`, { method: 'PATCH', headers, body: JSON.stringify({ threads: [{ text: 'bench', entryType: { lookupName: 'Note' }, contentType: { lookupName: 'text/plain' } }] }) })).text();
    if (i >= 10) times.push(performance.now() - t0);
  }
  return times;
}

const webhookBody = (i: number): string => JSON.stringify({ ...guide, sid: sid(i), from: phone(i) });
const coldEcho = await coldStart(ECHO, {}, () => '{}');
const coldFunc = await coldStart(FUNC, fnEnv, webhookBody);

const echo = await startFunction({ entry: ECHO, env: {} });
const warmEcho = await warm(echo, () => '{}');
const echoRss = rssMb(echo.pid);
await echo.stop();

const direct = await directB2c();

const func = await startFunction({ entry: FUNC, env: fnEnv });
const warmFunc = await warm(func, webhookBody);
const funcRss = rssMb(func.pid);
await func.stop();
await emulator.close();

const floor = median(warmEcho) + median(direct);
const rows: [string, string, string, string][] = [
  ['cold start (spawn → first answer)', `${median(coldFunc).toFixed(0)} ms`, `bare fdk ${median(coldEcho).toFixed(0)} ms`, `${(median(coldFunc) / median(coldEcho)).toFixed(2)}×`],
  ['warm webhook, median', `${median(warmFunc).toFixed(2)} ms`, `fdk ${median(warmEcho).toFixed(2)} + B2C ${median(direct).toFixed(2)} ms`, `${(median(warmFunc) / floor).toFixed(2)}×`],
  ['warm webhook, p95', `${p95(warmFunc).toFixed(2)} ms`, `fdk ${p95(warmEcho).toFixed(2)} + B2C ${p95(direct).toFixed(2)} ms`, `${(p95(warmFunc) / (p95(warmEcho) + p95(direct))).toFixed(2)}×`],
  [`RSS after ${CALLS} calls`, `${funcRss.toFixed(1)} MB`, `bare fdk ${echoRss.toFixed(1)} MB`, `${(funcRss / echoRss).toFixed(2)}×`],
];
console.log(`sms-incident benchmark: node ${process.version}, ${CALLS} warm calls, ${COLD} cold starts each\n`);
console.log(['measure', 'sms-incident', 'baseline (same run)', 'ratio'].join(' | '));
console.log('--- | --- | --- | ---');
for (const row of rows) console.log(row.join(' | '));
