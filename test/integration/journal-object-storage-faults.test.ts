import { generateKeyPairSync } from 'node:crypto';
import * as common from 'oci-common';
import { ObjectStorageClient } from 'oci-objectstorage';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WorkflowDefinition } from '../../src/engine/index.js';
import {
  claimRun,
  objectStorageJournal,
  runJournaled,
  type ClaimRequest,
  type RunJournal,
} from '../../src/journal/index.js';
import { ociClientConfiguration } from '../../src/oci/index.js';
import {
  startObjectStorageStandin,
  type ObjectStorageStandin,
  type StandinFault,
} from '../helpers/object-storage-standin.js';

/**
 * The Object Storage journal when the journal itself has hiccups: through the signed OCI SDK
 * client (with its own retries), against the stand-in that injects faults after checking signatures.
 */

const TENANCY = 'ocid1.tenancy.oc1..faults';
const USER = 'ocid1.user.oc1..faults';
const FINGERPRINT = '20:3b:97:13:55:1c:aa:66:11:22:33:44:55:66:77:99';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

let standin: ObjectStorageStandin;
beforeEach(async () => {
  standin = await startObjectStorageStandin({
    keys: new Map([
      [`${TENANCY}/${USER}/${FINGERPRINT}`, publicKey.export({ type: 'spki', format: 'pem' }).toString()],
    ]),
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await standin.close();
});

function journal(): RunJournal {
  const auth = new common.SimpleAuthenticationDetailsProvider(
    TENANCY,
    USER,
    FINGERPRINT,
    privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    null,
    common.Region.US_ASHBURN_1,
  );
  // As the function configures it: two attempts per call (the SDK re-sends a PUT it got no answer for).
  const client = new ObjectStorageClient(
    { authenticationDetailsProvider: auth },
    ociClientConfiguration({ circuitBreaker: false, maxAttempts: 2, retryDelayMs: 10, attemptTimeoutMs: 1_500 }),
  );
  client.endpoint = standin.url;
  // As the function opens it: existence by listing (no 404 per new message).
  return objectStorageJournal({ client, namespace: 'ns', bucket: 'runs', prefix: 'sms/', existenceByListing: true });
}

/** Faults for the record PUTs numbered in `plan` (1-based, in arrival order); every other request (index writes too) passes. */
function onPuts(plan: Record<number, StandinFault>): void {
  let puts = 0;
  standin.setFaultPolicy(({ method, path }) =>
    method === 'PUT' && path.includes('%2Fruns%2F') ? plan[++puts] : undefined,
  );
}

const request = (owner: string): ClaimRequest => ({
  key: 'twilio:SM1',
  runId: 'run-1',
  workflow: 'ab',
  provider: 'twilio',
  messageId: 'SM1',
  payloadHash: 'h',
  payload: {},
  owner,
  now: Date.now(),
  leaseExpiresAt: Date.now() + 30_000,
});

const ab: WorkflowDefinition<{ a?: number; b?: number }> = {
  name: 'ab',
  steps: [
    { name: 'a', run: async () => ({ a: 1 }) },
    { name: 'b', run: async () => ({ b: 2 }) },
  ],
};

async function claimed(j: RunJournal, owner: string) {
  const claim = await claimRun(j, request(owner));
  if (claim.kind !== 'run') throw new Error(`expected to own the run, got ${claim.kind}`);
  return claim.claimed;
}

describe('Object Storage journal faults', () => {
  it('recognises a claim applied but answered with a dropped connection as its own, instead of locking the message until the lease ends', async () => {
    // Prepare
    const j = journal();
    onPuts({ 1: { kind: 'apply-then-drop' } });

    // Act
    const claim = await claimRun(j, request('o1'));

    // Assess
    expect(claim.kind).toBe('run');
    expect((await j.get('twilio:SM1'))?.record.lease?.owner).toBe('o1');
  });

  it('recognises its own checkpoint when the SDK re-sends a PUT that was applied and gets 412: the run carries on and is saved', async () => {
    // Prepare: PUT 1 is the claim, PUT 2 the first checkpoint: applied, answer lost; the SDK's second copy meets if-match 412
    const j = journal();
    const mine = await claimed(j, 'o1');
    onPuts({ 1: { kind: 'apply-then-drop' } });

    // Act
    const outcome = await runJournaled({
      journal: j,
      claimed: mine,
      owner: 'o1',
      workflow: ab,
      initialState: {},
      options: { deadline: Date.now() + 30_000 },
      answer: () => ({ status: 200, body: {} }),
    });

    // Assess
    expect(outcome.saved).toBe(true);
    expect(outcome.result.status).toBe('succeeded');
    const stored = (await j.get('twilio:SM1'))!.record;
    expect(stored.status).toBe('succeeded');
    expect(stored.steps.map((s) => s.output)).toEqual([{ a: 1 }, { b: 2 }]);
    expect(
      standin
        .requests()
        .filter((r) => r.method === 'PUT')
        .map((r) => r.status),
    ).toContain(412);
  });

  it('ends a run whose checkpoint cannot be written as retryable at the next step, and the next delivery restarts it', async () => {
    // Prepare: the first checkpoint (written while step b runs) meets 503 on every attempt (two SDK attempts, read back, two more)
    const j = journal();
    const mine = await claimed(j, 'o1');
    onPuts({
      1: { kind: 'status', status: 503 },
      2: { kind: 'status', status: 503 },
      3: { kind: 'status', status: 503 },
      4: { kind: 'status', status: 503 },
    });
    const ran: string[] = [];
    // Step b ends once the four refusals have been answered (and the write has given up).
    const refused = async (): Promise<void> => {
      while (standin.requests().filter((r) => r.status === 503).length < 4) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 50));
    };
    const abc: typeof ab = {
      name: 'abc',
      steps: ['a', 'b', 'c'].map((name) => ({
        name,
        run: async () => {
          ran.push(name);
          if (name === 'b') await refused();
          return {};
        },
      })),
    };

    // Act
    const outcome = await runJournaled({
      journal: j,
      claimed: mine,
      owner: 'o1',
      workflow: abc,
      initialState: {},
      options: { deadline: Date.now() + 30_000 },
      answer: () => ({ status: 503, body: {} }),
    });
    const next = await claimRun(j, request('o2'));

    // Assess
    expect(ran).toEqual(['a', 'b']);
    expect(outcome.result).toMatchObject({
      status: 'failed',
      failedStep: 'b',
      compensation: 'none',
      error: { type: 'JournalError', retryable: true },
    });
    expect(outcome.saved).toBe(true);
    expect(next).toMatchObject({ kind: 'run', mode: 'restart' });
  });

  it('hands the claim over once its index entries have landed, written beside the create (one slow round trip, not two)', async () => {
    // Prepare: the client is warm (SDK loaded, key parsed); index PUTs take 800 ms, then every PUT does
    const j = journal();
    await j.list();
    const slow = { kind: 'delay', delayMs: 800 } as const;
    let everyPut = false;
    standin.setFaultPolicy(({ method, path }) =>
      method === 'PUT' && (everyPut || !path.includes('%2Fruns%2F')) ? slow : undefined,
    );

    // Act
    const timed = async (owner: string, key: string) => {
      const t0 = Date.now();
      const claim = await claimRun(j, { ...request(owner), key, runId: `run-${owner}` });
      return { claim, took: Date.now() - t0 };
    };
    const indexSlow = await timed('o1', 'twilio:slow-index');
    everyPut = true;
    const allSlow = await timed('o2', 'twilio:all-slow');

    // Assess
    expect(indexSlow.claim.kind).toBe('run');
    expect(indexSlow.took).toBeGreaterThanOrEqual(800);
    expect(allSlow.claim.kind).toBe('run');
    expect(allSlow.took).toBeLessThan(1_600);
    const index = [...standin.objects().keys()].filter((k) => k.includes('/by-')).map((k) => k.split('/')[3]);
    expect(index.sort()).toEqual(['by-run', 'by-run', 'by-time', 'by-time']);
  });

  it('claims a new message without a 404 (the SDK prints a stderr warning for each one)', async () => {
    // Prepare
    const j = journal();
    const warn = vi.spyOn(console, 'warn');

    // Act
    const claim = await claimRun(j, request('o1'));

    // Assess
    expect(claim.kind).toBe('run');
    expect(standin.requests().map((r) => r.status)).not.toContain(404);
    expect(warn).not.toHaveBeenCalled();
  });
});
