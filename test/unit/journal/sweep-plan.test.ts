import { describe, expect, it } from 'vitest';
import { givenUp, planSweep, sweepDecision, type SweepPolicy } from '../../../src/journal/sweep-plan.js';
import { sampleRecord } from './sample-record.js';

const POLICY: SweepPolicy = {
  giveUpAfterMs: 86_400_000,
  backoffInitialMs: 30_000,
  backoffMaxMs: 180_000,
  lateWriteWindowMs: 10_000,
};
const T0 = 1_000_000;
const retryable = { type: 'OSC-CREST-00035', message: 'throttled', retryable: true };
const failed = (extra: Parameters<typeof sampleRecord>[1] = {}) =>
  sampleRecord('twilio:SM1', {
    status: 'failed',
    lease: undefined,
    error: retryable,
    compensation: 'completed',
    startedAt: T0,
    updatedAt: T0 + 2_000,
    finishedAt: T0 + 2_000,
    ...extra,
  });

describe('sweepDecision: which runs a sweep finishes, and when', () => {
  it('restarts a retryably failed run once its back-off has passed, doubling per execution up to the cap', () => {
    expect(sweepDecision(failed(), T0 + 2_000 + 29_999, POLICY)).toEqual({
      kind: 'wait',
      dueAt: T0 + 32_000,
      dueOnceUp: T0 + 32_000,
    });
    expect(sweepDecision(failed(), T0 + 32_000, POLICY)).toEqual({ kind: 'due', mode: 'restart', dueAt: T0 + 32_000 });
    expect(sweepDecision(failed({ executions: 3 }), T0 + 2_000 + 119_999, POLICY).kind).toBe('wait');
    expect(sweepDecision(failed({ executions: 3 }), T0 + 2_000 + 120_000, POLICY).kind).toBe('due');
    // the back-off never exceeds its maximum, however many executions
    expect(sweepDecision(failed({ executions: 40 }), T0 + 2_000 + 180_000, POLICY).kind).toBe('due');
  });

  it('resumes a run cut off under an expired lease only after the late-write window, never under a live lease', () => {
    const cutOff = sampleRecord('twilio:SM1', {
      status: 'running',
      lease: { owner: 'call-1/x', expiresAt: T0 + 40_000 },
      startedAt: T0,
      updatedAt: T0 + 1_000,
    });
    expect(sweepDecision(cutOff, T0 + 39_999, POLICY)).toEqual({ kind: 'busy', until: T0 + 40_000 });
    // back-off 30 s from the lease's end, which also covers the 10 s window
    expect(sweepDecision(cutOff, T0 + 40_000 + 29_999, POLICY).kind).toBe('wait');
    expect(sweepDecision(cutOff, T0 + 70_000, POLICY)).toEqual({ kind: 'due', mode: 'resume', dueAt: T0 + 70_000 });
    // with no back-off, the late-write window still holds
    const eager = { ...POLICY, backoffInitialMs: 0 };
    expect(sweepDecision(cutOff, T0 + 49_999, eager)).toEqual({
      kind: 'wait',
      dueAt: T0 + 50_000,
      dueOnceUp: T0 + 50_000,
    });
  });

  it('waits out the late-write window after a write the last execution abandoned', () => {
    const abandoned = failed({ abandonedAt: T0 + 60_000 });
    expect(sweepDecision(abandoned, T0 + 69_999, { ...POLICY, backoffInitialMs: 0 })).toEqual({
      kind: 'wait',
      dueAt: T0 + 70_000,
      dueOnceUp: T0 + 70_000,
    });
    expect(sweepDecision(abandoned, T0 + 70_000, { ...POLICY, backoffInitialMs: 0 }).kind).toBe('due');
  });

  it('also runs a run marked for a redrive, and leaves finished, permanent and half-undone runs alone', () => {
    expect(sweepDecision(failed({ status: 'queued', error: undefined }), T0 + 40_000, POLICY).kind).toBe('due');
    expect(sweepDecision(sampleRecord('k', { status: 'succeeded', lease: undefined }), T0, POLICY)).toEqual({
      kind: 'final',
    });
    expect(
      sweepDecision(failed({ error: { type: 'OSC-CREST-00006', message: 'bad', retryable: false } }), T0 + 1e9, POLICY),
    ).toEqual({ kind: 'final' });
    expect(sweepDecision(failed({ compensation: 'failed' }), T0 + 1e9, POLICY)).toEqual({ kind: 'final' });
  });

  it('gives a run up once at the cap: the give-up is recorded, and the next sweep sees it was', () => {
    const old = failed();
    const at = T0 + 86_400_000;
    expect(sweepDecision(old, at - 1, POLICY).kind).not.toMatch(/give/);
    expect(sweepDecision(old, at, POLICY)).toEqual({ kind: 'give-up' });
    const recorded = givenUp(old, at, 'sweep/abc', POLICY);
    expect(recorded).toMatchObject({ status: 'failed', error: retryable });
    expect(recorded.history.at(-1)).toEqual({
      at,
      event: 'failed',
      owner: 'sweep/abc',
      detail: 'gave up after 24 h: OSC-CREST-00035',
    });
    expect(sweepDecision(recorded, at + 60_000, POLICY)).toEqual({ kind: 'given-up' });
    // a cut-off run at the cap becomes failed (retryable: a redrive can still finish it), without its lease
    const cut = givenUp(
      sampleRecord('k', { startedAt: T0, lease: { owner: 'o', expiresAt: T0 + 5 } }),
      at,
      'sweep/abc',
      POLICY,
    );
    expect(cut).toMatchObject({ status: 'failed', error: { type: 'SweepGaveUp', retryable: true } });
    expect(cut.lease).toBeUndefined();
    // a later execution (a redrive) that fails again is given up again: it pages again
    const redriven = {
      ...recorded,
      history: [
        ...recorded.history,
        { at: at + 1, event: 'restarted' as const, owner: 'cli@h/x' },
        { at: at + 2, event: 'failed' as const, owner: 'cli@h/x' },
      ],
    };
    expect(sweepDecision(redriven, at + 3, POLICY)).toEqual({ kind: 'give-up' });
  });
});

describe('after an outage: a back-off grown while the site was down is waived once it answers again', () => {
  it('says when a waiting run is due if the site is up: the initial back-off from its last execution', () => {
    // four executions: its back-off has grown to the 3-min cap
    const grown = failed({ executions: 4 });
    expect(sweepDecision(grown, T0 + 2_000 + 30_000, POLICY)).toEqual({
      kind: 'wait',
      dueAt: T0 + 2_000 + 180_000,
      dueOnceUp: T0 + 2_000 + 30_000,
    });
  });

  it('never waives the late-write window: a write abandoned late in the outage still settles first', () => {
    const abandoned = failed({ executions: 4, abandonedAt: T0 + 1_500 + 40_000 });
    expect(sweepDecision(abandoned, T0 + 40_000, POLICY)).toMatchObject({
      kind: 'wait',
      dueOnceUp: T0 + 1_500 + 40_000 + 10_000,
    });
  });

  it('plans a pass: due runs longest-due first (give-ups before all), then the runs due once the site is up', () => {
    const now = T0 + 200_000;
    const records = [
      failed({ key: 'due-late', finishedAt: T0 + 100_000 }), // due at T0+130 s
      failed({ key: 'due-early', finishedAt: T0 + 10_000 }), // due at T0+40 s
      failed({ key: 'too-old', startedAt: now - 86_400_000 }), // at the cap
      failed({ key: 'grown-a', executions: 4, finishedAt: T0 + 150_000 }), // due at +330 s, once up at +180 s
      failed({ key: 'grown-b', executions: 4, finishedAt: T0 + 120_000 }), // due at +300 s, once up at +150 s
      failed({ key: 'fresh', finishedAt: now - 1_000 }), // within even the initial back-off
      sampleRecord('done', { status: 'succeeded', lease: undefined }),
      sampleRecord('live', { lease: { owner: 'o', expiresAt: now + 1 } }),
    ];

    const plan = planSweep(records, now, POLICY);

    expect(plan.due.map((r) => r.key)).toEqual(['too-old', 'due-early', 'due-late']);
    expect(plan.dueOnceUp.map((r) => r.key)).toEqual(['grown-b', 'grown-a']);
    expect(plan.waiting).toBe(3);
    expect(plan.givenUp).toBe(0);
  });
});
