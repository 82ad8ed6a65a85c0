import { generateKeyPairSync } from 'node:crypto';
import * as common from 'oci-common';
import { ObjectStorageClient } from 'oci-objectstorage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimRun, JournalError, type RunJournal } from '../../src/journal/index.js';
import { objectStorageJournal } from '../../src/journal/object-storage-store.js';
import { ociClientConfiguration } from '../../src/oci/index.js';
import { startObjectStorageStandin, type ObjectStorageStandin } from '../helpers/object-storage-standin.js';
import { sampleRecord } from '../unit/journal/sample-record.js';
import { findRun } from '../../src/cli/list-runs.js';

const TENANCY = 'ocid1.tenancy.oc1..journaltest';
const USER = 'ocid1.user.oc1..journaltest';
const FINGERPRINT = '20:3b:97:13:55:1c:aa:66:11:22:33:44:55:66:77:88';

function keyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const trusted = keyPair();
let standin: ObjectStorageStandin;

function journalSignedWith(privateKeyPem: string, prefix = 'sms/'): RunJournal {
  const auth = new common.SimpleAuthenticationDetailsProvider(
    TENANCY,
    USER,
    FINGERPRINT,
    privateKeyPem,
    null,
    common.Region.US_ASHBURN_1,
  );
  const client = new ObjectStorageClient(
    { authenticationDetailsProvider: auth },
    ociClientConfiguration({ circuitBreaker: false, maxAttempts: 3, retryDelayMs: 10 }),
  );
  client.endpoint = standin.url;
  return objectStorageJournal({ client, namespace: 'tenancyns', bucket: 'runs', prefix });
}

beforeEach(async () => {
  standin = await startObjectStorageStandin({
    keys: new Map([[`${TENANCY}/${USER}/${FINGERPRINT}`, trusted.publicKeyPem]]),
    pageSize: 2,
  });
});
afterEach(async () => {
  await standin.close();
});

describe('Object Storage journal through the signed OCI SDK client', () => {
  it('creates with if-none-match: * and refuses a second create of the same run', async () => {
    // Prepare
    const journal = journalSignedWith(trusted.privateKeyPem);

    // Act
    const first = await journal.create(sampleRecord('k1'));
    const second = await journal.create(sampleRecord('k1', { payloadHash: 'other' }));

    // Assess
    expect(first?.version).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).toBeUndefined();
    expect((await journal.get('k1'))?.record.payloadHash).toBe('h1');
    const puts = standin.requests().filter((r) => r.method === 'PUT' && r.path.includes('%2Fruns%2F'));
    expect(puts.map((r) => [r.ifNoneMatch, r.status])).toEqual([
      ['*', 200],
      ['*', 412],
    ]);
    expect(puts[0]!.path).toMatch(/^\/n\/tenancyns\/b\/runs\/o\/sms%2Fruns%2F[0-9a-f]{40}\.json$/);
  });

  it('updates only with the current ETag (if-match)', async () => {
    // Prepare
    const journal = journalSignedWith(trusted.privateKeyPem);
    const created = await journal.create(sampleRecord('k2'));

    // Act
    const updated = await journal.update({ ...created!.record, status: 'succeeded' }, created!.version);
    const stale = await journal.update({ ...created!.record, status: 'failed' }, created!.version);

    // Assess
    expect(updated?.version).not.toBe(created!.version);
    expect(stale).toBeUndefined();
    expect((await journal.get('k2'))?.record.status).toBe('succeeded');
    expect(
      standin
        .requests()
        .filter((r) => r.method === 'PUT' && r.ifMatch !== undefined)
        .map((r) => r.status),
    ).toEqual([200, 412]);
  });

  it('lets one of five concurrent claims, from two clients, own the run', async () => {
    // Prepare
    const one = journalSignedWith(trusted.privateKeyPem);
    const two = journalSignedWith(trusted.privateKeyPem);
    const request = (owner: string) => ({
      key: 'twilio:SM9',
      runId: `run-${owner}`,
      workflow: 'wf',
      provider: 'twilio',
      messageId: 'SM9',
      payloadHash: 'h',
      payload: {},
      owner,
      now: Date.now(),
      leaseExpiresAt: Date.now() + 30_000,
    });

    // Act
    const claims = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((o, i) => claimRun(i % 2 === 0 ? one : two, request(o))),
    );

    // Assess
    expect(claims.filter((c) => c.kind === 'run')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'busy')).toHaveLength(4);
  });

  it('lists every run across pages, under its prefix only', async () => {
    // Prepare
    const journal = journalSignedWith(trusted.privateKeyPem);
    const other = journalSignedWith(trusted.privateKeyPem, 'other/');
    for (const key of ['a', 'b', 'c', 'd', 'e']) await journal.create(sampleRecord(key));
    await other.create(sampleRecord('z'));

    // Act
    const all = await journal.list();

    // Assess
    expect(all.map((r) => r.key).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(standin.requests().filter((r) => r.method === 'GET' && r.path.includes('/o?')).length).toBe(3);
  });

  it('answers undefined for a missing run and survives a transient 503 (SDK retry)', async () => {
    // Prepare
    const journal = journalSignedWith(trusted.privateKeyPem);
    await journal.create(sampleRecord('k3'));
    standin.failNext(503, 1);

    // Act
    const found = await journal.get('k3');
    const missing = await journal.get('nope');

    // Assess
    expect(found?.record.key).toBe('k3');
    expect(missing).toBeUndefined();
  });

  it('fails with a JournalError, never a silent pass, when the signature is not trusted', async () => {
    // Prepare
    const journal = journalSignedWith(keyPair().privateKeyPem);

    // Act
    const attempt = journal.create(sampleRecord('k4'));

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(JournalError);
    await expect(journal.create(sampleRecord('k4'))).rejects.toThrow(/401/);
    expect(standin.objects().size).toBe(0);
  });

  it('finds a run by a unique start of its run id from the run-id index, and refuses one that starts two', async () => {
    // Prepare
    const journal = journalSignedWith(trusted.privateKeyPem);
    // as the claim writes runs: each record and, beside it, its index entries
    for (const [key, runId] of [
      ['m1', '3f2a91c0-0000-4000-8000-000000000001'],
      ['m2', '3f2a91c0-0000-4000-8000-000000000002'],
      ['m3', '77aa0011-0000-4000-8000-000000000003'],
    ] as const) {
      const record = sampleRecord(key, { runId });
      await Promise.all([journal.create(record), journal.indexRun!(record)]);
    }

    // Act
    const found = await findRun(journal, '77aa0011');
    const ambiguous = findRun(journal, '3f2a91c0');

    // Assess
    expect(found?.key).toBe('m3');
    await expect(ambiguous).rejects.toThrow(
      '3f2a91c0 starts 2 run ids (3f2a91c0-0000-4000-8000-000000000001, 3f2a91c0-0000-4000-8000-000000000002): give more of it',
    );
    expect(await findRun(journal, '99999999')).toBeUndefined();
  });
});
