// `runs list` at production scale: a bucket of BENCH_RUNS runs (default 100,000) spread over 7 days,
// in the signature-checking Object Storage stand-in; `list --since 1h` through the time index, and,
// as the baseline measured in the same run, the full scan (every record read: what `list` did
// before the index) over a BENCH_SCAN_RUNS-run bucket (default 2,000), since scanning 100,000 takes minutes.
//
// Run: npm run bench:runs
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { listRuns } from '../src/cli/list-runs.js';
import { objectStorageOpener, type RunRecord } from '../src/journal/index.js';
import { ociTestIdentity } from '../test/helpers/oci-keys.js';
import { startObjectStorageStandin } from '../test/helpers/object-storage-standin.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 100_000);
const SCAN_RUNS = Number(process.env.BENCH_SCAN_RUNS ?? 2_000);
const SPAN_MS = 7 * 24 * 3_600_000;
const identity = ociTestIdentity();

function record(i: number, now: number, total: number): RunRecord {
  const startedAt = now - Math.floor((i / total) * SPAN_MS) - 1_000;
  const messageId = `SM${String(i).padStart(32, '0')}`;
  return {
    schema: 1,
    key: `twilio:${messageId}`,
    runId: `run-${i}`,
    workflow: 'sms-to-incident',
    provider: 'twilio',
    messageId,
    payloadHash: 'h',
    payload: { from: '+14155550101' },
    status: i % 20 === 0 ? 'failed' : 'succeeded',
    executions: 1,
    duplicates: 0,
    steps: ['lookup-contact', 'create-contact', 'add-phone', 'create-incident', 'add-thread'].map((name) => ({
      name,
      outcome: 'succeeded' as const,
      attempts: [{ attempt: 1, startedAt, durationMs: 40, outcome: 'succeeded' as const }],
      durationMs: 40,
      finishedAt: startedAt + 200,
    })),
    compensation: 'none',
    startedAt,
    updatedAt: startedAt + 250,
    finishedAt: startedAt + 250,
    history: [{ at: startedAt, event: 'claimed', owner: 'call/x' }],
  };
}

/** Fills the bucket as the journal writes it (record + two index entries), without 300,000 PUTs. */
function seed(objects: Map<string, { body: string; etag: string }>, total: number, now: number): void {
  for (let i = 0; i < total; i++) {
    const r = record(i, now, total);
    const hash = createHash('sha256').update(r.key).digest('hex').slice(0, 40);
    objects.set(`ns/runs/prod/runs/${hash}.json`, { body: JSON.stringify(r), etag: `e${i}` });
    objects.set(`ns/runs/prod/by-time/${String(r.startedAt).padStart(13, '0')}_${hash}`, { body: '', etag: `t${i}` });
    objects.set(`ns/runs/prod/by-run/${r.runId}`, { body: `prod/runs/${hash}.json`, etag: `r${i}` });
  }
}

async function measure(
  total: number,
  scan: boolean,
  filter: { limit: number; status?: 'failed' } = { limit: 100_000 },
): Promise<{ ms: number; listed: number; requests: number; rssMb: number }> {
  const standin = await startObjectStorageStandin({ keys: new Map([[identity.keyId, identity.publicKeyPem]]) });
  const now = Date.now();
  seed(standin.objects(), total, now);
  const journal = objectStorageOpener({ env: identity.env, endpoint: standin.url, maxAttempts: 4 })({
    kind: 'oci-os',
    namespace: 'ns',
    bucket: 'runs',
    prefix: 'prod/',
  });
  await journal.get('warm-up'); // client and SDK loaded outside the timing
  const before = standin.requests().length;
  const rss = process.memoryUsage().rss;
  const started = performance.now();
  const listing = await listRuns(journal, { since: now - 3_600_000, scan, ...filter }, now);
  const ms = performance.now() - started;
  const result = {
    ms,
    listed: listing.views.length,
    requests: standin.requests().length - before,
    rssMb: Math.max(0, process.memoryUsage().rss - rss) / 1e6,
  };
  await standin.close();
  return result;
}

const line = (label: string, r: { ms: number; listed: number; requests: number; rssMb: number }) =>
  `${label.padEnd(44)} ${(r.ms / 1000).toFixed(2).padStart(7)} s  ${String(r.listed).padStart(5)} runs listed  ${String(r.requests).padStart(6)} requests  +${r.rssMb.toFixed(0)} MB rss`;

const small = await measure(SCAN_RUNS, false);
const smallScan = await measure(SCAN_RUNS, true);
const big = await measure(RUNS, false);
const bigDefault = await measure(RUNS, false, { limit: 50 });
const bigFailed = await measure(RUNS, false, { limit: 50, status: 'failed' });
console.log(`runs list --since 1h over the Object Storage stand-in (Node ${process.version})`);
console.log(line(`index, ${SCAN_RUNS.toLocaleString('en')} runs in the bucket`, small));
console.log(line(`full scan (baseline), ${SCAN_RUNS.toLocaleString('en')} runs`, smallScan));
console.log(line(`index, ${RUNS.toLocaleString('en')} runs, all of the last hour`, big));
console.log(line(`index, ${RUNS.toLocaleString('en')} runs, newest 50 (the default)`, bigDefault));
console.log(line(`index, ${RUNS.toLocaleString('en')} runs, --status failed`, bigFailed));
console.log(
  `index vs full scan at ${SCAN_RUNS.toLocaleString('en')} runs: ${(smallScan.ms / small.ms).toFixed(1)}× faster, ${(smallScan.requests / small.requests).toFixed(0)}× fewer requests`,
);
