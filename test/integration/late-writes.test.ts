/**
 * The sweeper's late-write watch through the fdk (issue 16 item 8): a create whose connection was
 * dropped is applied by the site only after the late-write window, when the run has already made
 * the incident again. The run cannot see it; the sweeper's next pass finds it and removes what is
 * provably the run's, and leaves (logged, counted) what is not.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FnProcess } from '../../src/local/index.js';
import { startTwoContainers, until, webhook, type TwoContainers } from '../helpers/exactly-once-stack.js';
import { CREDENTIALS } from '../helpers/stack.js';
import { ociTestIdentity } from '../helpers/oci-keys.js';
import { startOciStandIns, type OciStandIns } from '../helpers/oci-stand-ins.js';
import { startSweeper, sweepOnce } from '../helpers/sweeper.js';

const identity = ociTestIdentity();
let standIns: OciStandIns;
let stack: TwoContainers | undefined;
let sweeper: FnProcess | undefined;

beforeAll(async () => {
  standIns = await startOciStandIns({ keys: new Map([[identity.keyId, identity.publicKeyPem]]) });
});
afterAll(() => standIns.close());
afterEach(async () => {
  await sweeper?.stop();
  sweeper = undefined;
  await stack?.stop();
  stack = undefined;
  standIns.metricPosts.length = 0;
});

/** A run whose first incident lands 2.5 s after its connection dropped, past a 500 ms late-write window. */
async function runWithALateIncident(env: Record<string, string>) {
  stack = await startTwoContainers({
    env: { b2cservice_late_write_window_ms: '500', b2cservice_search_lag_ms: '0', ...env },
  });
  stack.emulator.addFault({
    method: 'POST',
    path: '/incidents',
    action: 'drop-then-commit',
    commitAfterMs: 2_500,
    times: 1,
  });
  const res = await stack.post(stack.fns[0], webhook());
  const emulator = stack.emulator;
  await until(() => emulator.state().incidents.length === 2, 10_000);
  return res;
}

describe('the late-write watch', { timeout: 60_000 }, () => {
  it.each<{ how: string; env: Record<string, string> }>([
    { how: 'by its note', env: {} },
    { how: 'by its note and the custom field', env: { b2cservice_incident_sms_field: 'sms_id' } },
  ])('removes the incident a dropped create left after the window, proved the run’s $how', async ({ env }) => {
    // Prepare: the run answered with its second incident; the first landed later, with the message's note
    const res = await runWithALateIncident(env);
    sweeper = await startSweeper(stack!, standIns, identity.env);
    const late = stack!.emulator.state().incidents.find((i) => i.id !== res.json.incidentId)!;

    // Act
    const swept = await sweepOnce(sweeper);

    // Assess
    expect(res.status).toBe(200);
    expect(late.threads).toHaveLength(1);
    expect(swept.status).toBe(200);
    expect(swept.json).toMatchObject({
      lateWrites: { runs: 1, findings: [{ kind: 'duplicate-incident', id: late.id, ours: true, fixed: 'deleted' }] },
    });
    const incidents = stack!.emulator.state().incidents;
    expect(incidents.map((i) => [i.id, i.threads.length])).toEqual([[res.json.incidentId, 1]]);
    expect(standIns.datapoints('LateWrite')).toEqual([
      { value: 1, dimensions: { functionName: 'sms-incident', kind: 'duplicate-incident', outcome: 'fixed' } },
    ]);
    // a second pass finds nothing left
    const again = await sweepOnce(sweeper);
    expect(again.json).toMatchObject({ lateWrites: { runs: 1, findings: [] } });
  });

  it('leaves a note-less look-alike it cannot prove is the run’s (no custom field), and says so in a log line and LateWrite', async () => {
    // Prepare: beside the late duplicate, someone made an incident with the same contact and subject, and no note
    const res = await runWithALateIncident({});
    const { subject } = stack!.emulator.state().incidents[0]!;
    const lookAlike = await fetch(`${stack!.emulator.url}/services/rest/connect/v1.4/incidents`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64')}`,
        'osvc-crest-application-context': 'agent-console',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ subject, primaryContact: { id: res.json.contactId } }),
    });
    const agents = ((await lookAlike.json()) as { id: number }).id;
    sweeper = await startSweeper(stack!, standIns, identity.env);

    // Act
    const swept = await sweepOnce(sweeper);

    // Assess
    expect(lookAlike.status).toBe(201);
    expect(swept.json).toMatchObject({
      lateWrites: {
        runs: 1,
        findings: expect.arrayContaining([
          expect.objectContaining({ kind: 'noteless-incident', id: agents, ours: false }),
        ]),
      },
    });
    expect(stack!.emulator.state().incidents.map((i) => i.id)).toEqual([res.json.incidentId, agents]);
    expect(standIns.datapoints('LateWrite')).toEqual(
      expect.arrayContaining([
        { value: 1, dimensions: { functionName: 'sms-incident', kind: 'noteless-incident', outcome: 'left' } },
      ]),
    );
    expect(sweeper.output()).toContain('"message":"late write left for a person"');
  });

  it('reads nothing for runs whose writes were never in doubt, and nothing at all with sweep_watch_ms=0', async () => {
    // Prepare: a clean run
    stack = await startTwoContainers();
    const res = await stack.post(stack.fns[0], webhook());
    const reads = () => stack!.emulator.requests().length;
    sweeper = await startSweeper(stack, standIns, identity.env);
    const before = reads();

    // Act
    const swept = await sweepOnce(sweeper);
    await sweeper.stop();
    sweeper = await startSweeper(stack, standIns, identity.env, { sweep_watch_ms: '0' });
    const off = await sweepOnce(sweeper);

    // Assess
    expect(res.status).toBe(200);
    expect(swept.json).toMatchObject({ lateWrites: { runs: 0, findings: [] } });
    expect(off.json).not.toHaveProperty('lateWrites');
    expect(reads()).toBe(before);
  });
});
