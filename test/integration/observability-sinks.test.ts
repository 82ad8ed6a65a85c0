/** The metric and log sinks against the signature-verifying stand-ins, with real SDK clients. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ociAuthProvider } from '../../src/oci/index.js';
import { newLogBatch } from '../../telemetry/log-batch.js';
import { ociLogSink } from '../../telemetry/log-shipper.js';
import { MetricBatch } from '../../telemetry/metric-batch.js';
import { ociMetricsSink } from '../../telemetry/metrics-sink.js';
import { ociTestIdentity } from '../helpers/oci-keys.js';
import { startOciStandIns, type OciStandIns } from '../helpers/oci-stand-ins.js';

const identity = ociTestIdentity();
let standIns: OciStandIns;
beforeAll(async () => {
  standIns = await startOciStandIns({ keys: new Map([[identity.keyId, identity.publicKeyPem]]) });
});
afterAll(() => standIns.close());

describe('ociMetricsSink', () => {
  it('posts one signed PostMetricData with every stream, NON_ATOMIC, and returns what OCI refused', async () => {
    const auth = ociAuthProvider(identity.env)!;
    const batch = new MetricBatch();
    batch.add('IncidentCreationFailed', { functionName: 'f', provider: 'twilio' }, 0);
    batch.add('StepAttempts', { functionName: 'f', step: 'create-incident' }, 2);

    const ok = await ociMetricsSink(
      auth,
      { namespace: 'sms_incident', compartmentId: 'ocid1.compartment.oc1..m' },
      { endpoint: standIns.url },
    ).post(batch, 2000);
    expect(ok).toEqual({ posted: 2, refused: [] });
    expect(standIns.metricPosts.at(-1)).toMatchObject({
      batchAtomicity: 'NON_ATOMIC',
      metricData: [
        { name: 'IncidentCreationFailed', compartmentId: 'ocid1.compartment.oc1..m', metadata: { unit: 'count' } },
        { name: 'StepAttempts' },
      ],
    });

    // a namespace OCI reserves: a 200 that refuses every stream, which must not pass for success
    const refused = await ociMetricsSink(
      auth,
      { namespace: 'oci_reserved', compartmentId: 'ocid1.compartment.oc1..m' },
      { endpoint: standIns.url },
    ).post(batch, 2000);
    expect(refused.posted).toBe(0);
    expect(refused.refused).toEqual(['IncidentCreationFailed: invalid namespace', 'StepAttempts: invalid namespace']);
    expect(standIns.refused).toEqual([]);
  });
});

describe('ociLogSink', () => {
  it('sends the invocation’s lines as one PutLogs batch, each line an entry with its own time and id', async () => {
    const batch = newLogBatch();
    batch.push(JSON.stringify({ level: 'info', time: '2026-11-27T18:00:00.000Z', message: 'webhook accepted' }));
    batch.push(`{"level":"info","message":"${'x'.repeat(20_000)}"}`);
    const sent = await ociLogSink(ociAuthProvider(identity.env)!, 'ocid1.log.oc1.iad.amaaaaaalog', {
      endpoint: standIns.url,
    }).ship(batch, { source: 'sms-incident', subject: 'SM1' }, 2000);
    expect(sent).toBe(2);
    const post = standIns.logPosts.at(-1)!;
    expect(post.logId).toBe('ocid1.log.oc1.iad.amaaaaaalog');
    expect(post.body.specversion).toBe('1.0');
    const [b] = post.body.logEntryBatches;
    expect(b).toMatchObject({
      source: 'sms-incident',
      type: 'sms-incident.log',
      subject: 'SM1',
      defaultlogentrytime: expect.any(String),
    });
    expect(b!.entries[0]).toMatchObject({
      time: '2026-11-27T18:00:00.000Z',
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(b!.entries[1]!.data.length).toBeLessThanOrEqual(10_000);
    expect(b!.entries[1]!.data.endsWith('…[truncated]')).toBe(true);
  });
});
