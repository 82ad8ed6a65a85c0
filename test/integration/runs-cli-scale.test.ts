/**
 * The runs CLI over the Object Storage journal at production scale: `list --since` reads only its
 * window through the time index, `show` reads single objects, and an unreadable record makes a
 * partial listing with a warning rather than a failure. Through the signed OCI SDK client against
 * the signature-checking Object Storage stand-in.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from '../../src/cli/index.js';
import { findRun, listRuns } from '../../src/cli/list-runs.js';
import { objectStorageOpener, type RunJournal } from '../../src/journal/index.js';
import { ociTestIdentity } from '../helpers/oci-keys.js';
import { startObjectStorageStandin, type ObjectStorageStandin } from '../helpers/object-storage-standin.js';
import { sampleRecord } from '../unit/journal/sample-record.js';

const identity = ociTestIdentity();
const LOCATION = 'oci-os://tenancyns/runs/prod';
let standin: ObjectStorageStandin;
let env: Record<string, string>;

beforeEach(async () => {
  standin = await startObjectStorageStandin({ keys: new Map([[identity.keyId, identity.publicKeyPem]]), pageSize: 7 });
  env = { ...identity.env, oci_objectstorage_endpoint: standin.url };
});
afterEach(() => standin.close());

function journal(): RunJournal {
  return objectStorageOpener({ env, endpoint: standin.url })({
    kind: 'oci-os',
    namespace: 'tenancyns',
    bucket: 'runs',
    prefix: 'prod/',
  });
}

const HOUR = 3_600_000;
/** 40 runs, one every 2 hours back from now: 1 in the last hour, 12 in the last day. */
async function seed(j: RunJournal, now: number): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const startedAt = now - i * 2 * HOUR - 60_000;
    const record = sampleRecord(`twilio:SM${String(i).padStart(32, '0')}`, {
      runId: `run-${i}`,
      messageId: `SM${String(i).padStart(32, '0')}`,
      startedAt,
      updatedAt: startedAt,
      status: i % 3 === 0 ? 'failed' : 'succeeded',
      lease: undefined,
    });
    // as the claim writes a run: its record and, beside it, its two index entries
    await Promise.all([j.create(record), j.indexRun!(record)]);
  }
}

const recordGets = () => standin.requests().filter((r) => r.method === 'GET' && /\/o\/prod%2Fruns%2F/.test(r.path));

describe('runs CLI over Object Storage at scale', () => {
  it('list --since reads only the window through the time index, newest first', async () => {
    // Prepare
    const j = journal();
    const now = Date.now();
    await seed(j, now);
    const before = standin.requests().length;

    // Act
    const lastDay = await listRuns(j, { since: now - 24 * HOUR, limit: 50 }, now);
    const gets = recordGets().length;
    const failed = await listRuns(j, { since: now - 24 * HOUR, status: 'failed', limit: 50 }, now);
    const newestTwo = await listRuns(j, { since: now - 24 * HOUR, limit: 2 }, now);

    // Assess
    expect(lastDay.views.map((v) => v.runId)).toEqual(Array.from({ length: 12 }, (_, i) => `run-${i}`));
    expect(lastDay.unreadable).toEqual([]);
    expect(gets).toBe(12); // not 40
    expect(failed.views.map((v) => v.runId)).toEqual(['run-0', 'run-3', 'run-6', 'run-9']);
    expect(newestTwo.views.map((v) => v.runId)).toEqual(['run-0', 'run-1']);
    // the index was listed from the window's start: no page before it
    const lists = standin
      .requests()
      .slice(before)
      .filter((r) => r.method === 'GET' && r.path.includes('prefix=prod%2Fby-time%2F'));
    expect(lists.every((r) => r.path.includes('start='))).toBe(true);
  });

  it('show reads single objects by run id or message id, with no listing', async () => {
    const j = journal();
    await seed(j, Date.now());
    const before = standin.requests().length;

    const byRun = await findRun(j, 'run-17');
    const byMessage = await findRun(j, `SM${String(23).padStart(32, '0')}`);

    expect(byRun?.runId).toBe('run-17');
    expect(byMessage?.runId).toBe('run-23');
    const made = standin.requests().slice(before);
    expect(made.every((r) => r.method === 'GET' && !r.path.includes('prefix='))).toBe(true);
    expect(made.length).toBeLessThanOrEqual(3 + 4);
  });

  it('lists what it can read and warns of what it cannot, through the built command', async () => {
    // Prepare: one record in the window is corrupt
    const j = journal();
    const now = Date.now();
    await seed(j, now);
    const [corrupt] =
      [...standin.objects().entries()]
        .filter(([name]) => name.includes('/prod/runs/'))
        .find(([, o]) => o.body.includes('"runId":"run-2"')) ?? [];
    standin.objects().set(corrupt!, { body: '{not json', etag: 'x' });
    const out: string[] = [];
    const err: string[] = [];

    // Act
    const code = await runCli(
      ['runs', 'list', '--since', '1d', '--journal', LOCATION],
      { env, out: (t) => out.push(t), err: (t) => err.push(t) },
      COMMANDS,
    );

    // Assess
    expect(code).toBe(0);
    expect(
      out
        .join('\n')
        .split('\n')
        .filter((l) => /run-\d+/.test(l)),
    ).toHaveLength(11);
    expect(err.join('\n')).toMatch(
      /warning: partial listing: 1 run in the window could not be read: prod\/runs\/[0-9a-f]{40}\.json \(object .* is not JSON\)/,
    );
  });
});
