import { afterEach, describe, expect, it } from 'vitest';
import { parseRunRecord } from '../../src/journal/index.js';
import { ociTestIdentity } from '../helpers/oci-keys.js';
import { startObjectStorageStandin, type ObjectStorageStandin } from '../helpers/object-storage-standin.js';
import { calls, startTwoContainers, webhook, type TwoContainers } from '../helpers/exactly-once-stack.js';

let stack: TwoContainers | undefined;
let standin: ObjectStorageStandin | undefined;
afterEach(async () => {
  await Promise.allSettled([stack?.stop(), standin?.close()]);
  stack = undefined;
  standin = undefined;
});

describe("exactly once with the Object Storage journal, signed with the function's resource principal", () => {
  it('claims with create-only PUTs, and answers a redelivery in the other container from the bucket', async () => {
    // Prepare
    const identity = ociTestIdentity();
    standin = await startObjectStorageStandin({ keys: new Map([[identity.keyId, identity.publicKeyPem]]) });
    stack = await startTwoContainers({
      env: {
        ...identity.env,
        run_journal: 'oci-os://tenancyns/sms-runs/prod',
        oci_objectstorage_endpoint: standin.url,
      },
    });
    const [a, b] = stack.fns;

    // Act
    const first = await stack.post(a, webhook());
    const callsAfterFirst = calls(stack.emulator).length;
    const second = await stack.post(b, webhook());

    // Assess
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.json).toEqual(first.json);
    expect(calls(stack.emulator)).toHaveLength(callsAfterFirst);
    expect(stack.emulator.state().incidents).toHaveLength(1);
    // one run record, its two index entries (time, run id), the duplicate's two written in vain beside its refused
    // create (a time entry naming the same run, a run-id entry naming a run never created), and one ledger mark
    // (the new number's contact; the incident needs none: its note, created with it, names the message)
    const objects = [...standin.objects().entries()].filter(([name]) => name.includes('/runs/'));
    expect(objects).toHaveLength(1);
    expect(
      [...standin.objects().keys()]
        .filter((name) => !name.includes('/runs/'))
        .map((n) =>
          n
            .replace(/\d{13}_[0-9a-f]{40}$/, '<ms>_<hash>')
            .replace(/by-run\/.*/, 'by-run/<runId>')
            .replace(/marks\/.*/, 'marks/<fact>'),
        )
        .sort(),
    ).toEqual([
      'tenancyns/sms-runs/prod/by-run/<runId>',
      'tenancyns/sms-runs/prod/by-run/<runId>',
      'tenancyns/sms-runs/prod/by-time/<ms>_<hash>',
      'tenancyns/sms-runs/prod/by-time/<ms>_<hash>',
      'tenancyns/sms-runs/prod/marks/<fact>',
    ]);
    expect(objects[0]![0]).toMatch(/^tenancyns\/sms-runs\/prod\/runs\/[0-9a-f]{40}\.json$/);
    const record = parseRunRecord(JSON.parse(objects[0]![1].body));
    expect(record).toMatchObject({
      status: 'succeeded',
      key: 'twilio:SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
      executions: 1,
      duplicates: 1,
    });
    expect(standin.objects().has(`tenancyns/sms-runs/prod/by-run/${record.runId}`)).toBe(true);
    expect(record.steps.find((s) => s.name === 'create-incident')?.output).toEqual({
      incidentId: first.json.incidentId,
      referenceNumber: first.json.referenceNumber,
      noted: true,
    });
    const puts = standin.requests().filter((r) => r.method === 'PUT' && r.path.includes('%2Fruns%2F'));
    expect(puts[0]).toMatchObject({ ifNoneMatch: '*', status: 200 });
    // the redelivery's claim is a create-only PUT too, refused with 412 (no read before it); every other write is if-match
    expect(puts.filter((r) => r.ifNoneMatch === '*').map((r) => r.status)).toEqual([200, 412]);
    expect(puts.filter((r) => r.ifNoneMatch === undefined).every((r) => r.ifMatch !== undefined)).toBe(true);
  });

  it('fails closed with 503 and no call to B2C Service when the bucket refuses the function', async () => {
    // Prepare: the stand-in does not know this key
    const identity = ociTestIdentity();
    standin = await startObjectStorageStandin({ keys: new Map() });
    stack = await startTwoContainers({
      env: { ...identity.env, run_journal: 'oci-os://tenancyns/sms-runs', oci_objectstorage_endpoint: standin.url },
    });

    // Act
    const res = await stack.post(stack.fns[0], webhook());

    // Assess
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(calls(stack.emulator)).toEqual([]);
    expect(stack.fns[0].output()).toContain('"message":"run journal unavailable"');
  });
});
