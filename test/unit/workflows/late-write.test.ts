import { describe, expect, it } from 'vitest';
import { runWorkflow } from '../../../src/engine/index.js';
import { type ServiceDesk, smsToIncident } from '../../../workflows/sms-to-incident.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';
import { fakeDesk } from '../../helpers/fake-desk.js';
import { sms } from '../../helpers/sample-sms.js';

/**
 * The late-write wait: after a create whose outcome is unknown, a reconcile read that finds nothing
 * proves nothing until the write can no longer land (the late-write window, for one abandoned in
 * flight) and the searches show it (the search lag). Until then the write is not sent again.
 */

const WINDOW = 10_000;
const LAG = 2_000;
/** Abandoned in flight (a timeout): B2C Service may still apply it. */
const timedOut = Object.assign(new Error('create-incident timed out'), { retryable: true, inDoubt: 'in-flight' });
/** Answer lost after the request was sent in full: applied by now, or never. */
const hungUp = Object.assign(new Error('socket hang up'), { retryable: true, inDoubt: 'settled' });

/**
 * A site that applies the first create late, `landsAfterMs` after it was sent, or never; every
 * create's time is kept.
 */
function lateSite(error: Error, landsAfterMs?: number) {
  const clock = new FakeClock();
  const { desk, site, log } = fakeDesk({
    contacts: [{ id: 3, phones: [sms.from] }],
    fail: { createIncident: { error, times: 1 } },
  });
  const createdAt: number[] = [];
  let late: { at: number; subject: string; primaryContactId: number } | undefined;
  const apply = () => {
    if (late !== undefined && clock.now() >= late.at) {
      site.incidents.push({ id: 41, referenceNumber: 'ref-41', ...late, notes: [] });
      late = undefined;
    }
  };
  const slow: ServiceDesk = {
    ...desk,
    createIncident: async (i, o) => {
      createdAt.push(clock.now());
      if (createdAt.length === 1 && landsAfterMs !== undefined)
        late = { at: clock.now() + landsAfterMs, subject: i.subject, primaryContactId: i.primaryContactId };
      return desk.createIncident(i, o);
    },
    findIncidents: async (q, o) => {
      apply();
      return desk.findIncidents(q, o);
    },
  };
  const run = () =>
    runWorkflow(
      smsToIncident(slow, { lateWriteWindowMs: WINDOW, searchLagMs: LAG, now: () => clock.now() }),
      { sms },
      { runId: 'run-1', deadline: T0 + 60_000, clock, random: () => 0 },
    );
  return { clock, site, log, createdAt, run };
}

const incidentStep = (result: Awaited<ReturnType<ReturnType<typeof lateSite>['run']>>) =>
  result.steps.find((s) => s.name === 'create-incident')!;

describe('smsToIncident: the late-write wait', () => {
  it('adopts a create abandoned in flight that lands within the window, instead of creating a second incident', async () => {
    // Prepare: the timed-out create lands 5 s after it was sent, after the next attempt's first read
    const { site, createdAt, run } = lateSite(timedOut, 5_000);

    // Act
    const result = await run();

    // Assess
    expect(result.status).toBe('succeeded');
    expect(result.state).toMatchObject({ incidentId: 41 });
    expect(createdAt).toHaveLength(1);
    expect(site.incidents.map((i) => i.id)).toEqual([41]);
    const attempts = incidentStep(result).attempts;
    expect(attempts.map((a) => a.error?.type ?? a.outcome)).toEqual(['Error', 'OutcomeInDoubt', 'succeeded']);
  });

  it('creates again only once the window and the search lag have passed since the abandoned create', async () => {
    // Prepare: the timed-out create never lands
    const { site, createdAt, run } = lateSite(timedOut);

    // Act
    const result = await run();

    // Assess
    expect(result.status).toBe('succeeded');
    expect(createdAt).toHaveLength(2);
    expect(createdAt[1]! - createdAt[0]!).toBeGreaterThanOrEqual(WINDOW + LAG);
    expect(site.incidents).toHaveLength(1);
  });

  it('after a lost answer (settled), waits only for the search lag', async () => {
    // Prepare
    const { createdAt, run } = lateSite(hungUp);

    // Act
    const result = await run();

    // Assess: the second create comes after the lag, well before the window would have ended
    expect(result.status).toBe('succeeded');
    expect(createdAt).toHaveLength(2);
    expect(createdAt[1]! - createdAt[0]!).toBeGreaterThanOrEqual(LAG);
    expect(createdAt[1]! - createdAt[0]!).toBeLessThan(WINDOW);
  });
});
