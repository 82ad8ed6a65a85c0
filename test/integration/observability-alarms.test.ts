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
    const args = ['apply', '--compartment', 'ocid1.compartment.oc1..alarms', '--topic', 'ocid1.onstopic.oc1..t', '--endpoint', standIns.url, '--absence-minutes', '30'];
    const out: string[] = [];
    expect(await main(args, (l) => out.push(l))).toBe(0);
    expect(out.filter((l) => l.startsWith('created'))).toHaveLength(3);
    expect(standIns.refused).toEqual([]);
    const alarms = [...standIns.alarms.values()];
    expect(alarms.map((a) => a.query)).toContain('IncidentCreationFailed[5m]{functionName = "sms-incident"}.mean() > 0.2');
    expect(alarms[0]).toMatchObject({ namespace: 'sms_incident', destinations: ['ocid1.onstopic.oc1..t'], metricCompartmentId: 'ocid1.compartment.oc1..alarms', isEnabled: true });

    out.length = 0;
    expect(await main([...args, '--error-rate', '0.5'], (l) => out.push(l))).toBe(0);
    expect(out.filter((l) => l.startsWith('updated'))).toHaveLength(3);
    expect(standIns.alarms.size).toBe(3);
    expect([...standIns.alarms.values()].map((a) => a.query)).toContain('IncidentCreationFailed[5m]{functionName = "sms-incident"}.mean() > 0.5');
  });
});
