import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../telemetry/alarms-cli.js';
import { ociTestIdentity } from '../helpers/oci-keys.js';
import { startOciStandIns, type OciStandIns } from '../helpers/oci-stand-ins.js';

const identity = ociTestIdentity();
let standIns: OciStandIns;
const saved = { ...process.env };

beforeAll(async () => {
  standIns = await startOciStandIns({ keys: new Map([[identity.keyId, identity.publicKeyPem]]) });
  Object.assign(process.env, identity.env);
});
afterAll(async () => {
  for (const key of Object.keys(identity.env)) if (saved[key] === undefined) delete process.env[key];
  await standIns.close();
});

describe('npm run alarms -- apply', () => {
  it('creates the alarms with signed requests, then updates them in place on a second apply', async () => {
    const args = [
      'apply',
      '--compartment',
      'ocid1.compartment.oc1..alarms',
      '--topic',
      'ocid1.onstopic.oc1..t',
      '--endpoint',
      standIns.url,
      '--absence-minutes',
      '30',
      '--function-id',
      'ocid1.fnfunc.oc1.iad.f',
      '--journal',
      'oci-os://acme/runs',
    ];
    const out: string[] = [];
    expect(await main(args, (l) => out.push(l))).toBe(0);
    expect(out.filter((l) => l.startsWith('created'))).toHaveLength(5);
    expect(standIns.refused).toEqual([]);
    const alarms = [...standIns.alarms.values()];
    expect(alarms.map((a) => a.query)).toContain('IncidentCreationFailed[5m]{functionName = "sms-incident"}.sum() > 0');
    expect(alarms[0]).toMatchObject({
      namespace: 'sms_incident',
      destinations: ['ocid1.onstopic.oc1..t'],
      metricCompartmentId: 'ocid1.compartment.oc1..alarms',
      isEnabled: true,
      pendingDuration: 'PT1M',
    });
    expect(alarms[0]!.body).toContain(
      'sms-incident runs list --status failed --since 15m --journal oci-os://acme/runs',
    );
    expect(alarms.find((a) => String(a.displayName).endsWith('compensation failed'))).toMatchObject({
      repeatNotificationDuration: 'PT1H',
    });
    expect(alarms.find((a) => String(a.displayName).endsWith('OCI Functions error responses'))).toMatchObject({
      namespace: 'oci_faas',
    });

    out.length = 0;
    expect(await main([...args, '--absence-minutes', '45'], (l) => out.push(l))).toBe(0);
    expect(out.filter((l) => l.startsWith('updated'))).toHaveLength(5);
    expect(standIns.alarms.size).toBe(5);
    expect([...standIns.alarms.values()].map((a) => a.query)).toContain(
      'IncidentCreationFailed[45m]{functionName = "sms-incident"}.groupBy(functionName).absent()',
    );
  });
});
