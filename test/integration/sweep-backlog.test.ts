/**
 * The sweeper after an outage, through the fdk: a backlog of failed runs (as an outage leaves them
 * when the provider never redelivers, as Twilio does not) is drained within one invocation, runs
 * whose back-off grew during the outage are not left waiting once the site answers again, and a
 * pass that meets a site still down stops instead of failing every run in turn.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fileJournal, type RunRecord } from '../../src/journal/index.js';
import { messageHash } from '../../src/idempotency/index.js';
import type { InboundSms } from '../../src/inbound/index.js';
import { startFunction, type FnProcess } from '../../src/local/index.js';
import { FROM, startTwoContainers, type TwoContainers } from '../helpers/exactly-once-stack.js';
import { ENTRY, readAnswer } from '../helpers/stack.js';

let stack: TwoContainers | undefined;
const sweepers: FnProcess[] = [];

afterEach(async () => {
  await Promise.allSettled(sweepers.splice(0).map((s) => s.stop()));
  await stack?.stop();
  stack = undefined;
});

/** The sweeper as deploy/terraform/sweeper.tf deploys it: the webhook's config plus its role. */
async function startSweeper(s: TwoContainers, timeoutMs: number, env: Record<string, string> = {}) {
  const fn = await startFunction({ entry: ENTRY, timeoutMs, env: { ...s.env, function_role: 'sweeper', ...env } });
  sweepers.push(fn);
  return fn;
}

interface Swept {
  runs: { key: string; outcome: string }[];
  waiting: number;
  deferred: number;
  siteDown: boolean;
}

/** As the resource schedule invokes it: directly, no body. */
async function sweep(fn: FnProcess): Promise<{ status: number; report: Swept }> {
  const answer = readAnswer(await fn.invoke({ intent: 'invoke', method: 'POST', url: '/', body: '' }));
  return { status: answer.status, report: answer.json as unknown as Swept };
}

const sms = (n: number): InboundSms => ({
  provider: 'twilio',
  messageId: `SM${String(n).padStart(32, '0')}`,
  from: FROM,
  to: '+15558675310',
  text: `outage message ${n}`,
  media: [],
});

/**
 * A run as a delivery during the outage left it: failed retryably (B2C answered 503), after
 * `executions` executions, the last one ended at `endedAt`; nothing was written to the site.
 */
function failedRun(n: number, endedAt: number, extra: Partial<RunRecord> = {}): RunRecord {
  const message = sms(n);
  const startedAt = endedAt - 600_000;
  return {
    schema: 1,
    key: `twilio:${message.messageId}`,
    runId: `run-${n}`,
    workflow: 'sms-to-incident',
    provider: 'twilio',
    messageId: message.messageId,
    payloadHash: messageHash(message),
    payload: message,
    status: 'failed',
    executions: 1,
    duplicates: 0,
    steps: [],
    compensation: 'none',
    failedStep: 'lookup-contact',
    error: { type: 'HTTP 503', message: 'lookup-contact: B2C Service answered 503', retryable: true },
    startedAt,
    updatedAt: endedAt,
    finishedAt: endedAt,
    history: [
      { at: startedAt, event: 'claimed', owner: 'call/outage' },
      { at: endedAt, event: 'failed', owner: 'call/outage', detail: 'lookup-contact: HTTP 503' },
    ],
    ...extra,
  };
}

async function seed(s: TwoContainers, runs: RunRecord[]): Promise<void> {
  const journal = fileJournal(s.journalDir);
  for (const run of runs) await journal.create(run);
}

const records = async (s: TwoContainers) =>
  new Map((await fileJournal(s.journalDir).list()).map((r) => [r.runId, r] as const));

/** Every run succeeded after exactly one more execution (the sweep's), with one incident and one note on the site. */
async function expectEachFinishedOnce(s: TwoContainers, seeded: readonly RunRecord[]): Promise<void> {
  const byId = await records(s);
  for (const r of seeded)
    expect(byId.get(r.runId), r.runId).toMatchObject({ status: 'succeeded', executions: r.executions + 1 });
  const { incidents } = s.emulator.state();
  expect(incidents).toHaveLength(seeded.length);
  expect(incidents.every((i) => i.threads.length === 1)).toBe(true);
}

/** The most POST /incidents the site received within any `windowMs`: the runs under way at once when each takes longer. */
function mostCreatesWithin(s: TwoContainers, windowMs: number): number {
  const at = s.emulator
    .requests()
    .filter((r) => r.method === 'POST' && r.resource === '/incidents')
    .map((r) => r.at)
    .sort((a, b) => a - b);
  return Math.max(0, ...at.map((t, i) => at.slice(i).filter((u) => u - t < windowMs).length));
}

describe('the sweeper drains an outage backlog', { timeout: 180_000 }, () => {
  it('finishes in one invocation a backlog one run at a time could not: 24 runs of 2 s each within a 60 s sweep, at most sweep_concurrency at once', async () => {
    // Prepare: 24 runs the outage failed, all due; each incident creation takes 2 s (a site under load).
    // One at a time they need 48 s; the sweep has 60 s, less the 25 s budget of its last run: 32 s to start runs.
    stack = await startTwoContainers();
    stack.emulator.seedContact(FROM);
    const now = Date.now();
    const backlog = Array.from({ length: 24 }, (_, i) => failedRun(i + 1, now - 300_000));
    await seed(stack, backlog);
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'delay', delayMs: 2_000, times: 24 });
    const sweeper = await startSweeper(stack, 60_000, { sweep_concurrency: '8' });

    // Act
    const { status, report } = await sweep(sweeper);

    // Assess
    expect(status).toBe(200);
    expect(report).toMatchObject({ deferred: 0, waiting: 0, siteDown: false });
    expect(report.runs.map((r) => r.outcome)).toEqual(Array(24).fill('completed'));
    await expectEachFinishedOnce(stack, backlog);
    // bounded: never more than sweep_concurrency runs under way (each holds its create 2 s)
    const most = mostCreatesWithin(stack, 1_500);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(8);
  });

  it('is safe with two sweepers at once, each taking runs concurrently: every run is executed by one of them, once', async () => {
    // Prepare
    stack = await startTwoContainers();
    stack.emulator.seedContact(FROM);
    const now = Date.now();
    const backlog = Array.from({ length: 20 }, (_, i) => failedRun(100 + i, now - 300_000));
    await seed(stack, backlog);
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'delay', delayMs: 300, times: 20 });
    const [s1, s2] = await Promise.all([
      startSweeper(stack, 60_000, { sweep_concurrency: '8' }),
      startSweeper(stack, 60_000, { sweep_concurrency: '8' }),
    ]);

    // Act
    const [a, b] = await Promise.all([sweep(s1), sweep(s2)]);

    // Assess
    const outcomes = [...a.report.runs, ...b.report.runs];
    expect(outcomes.filter((r) => r.outcome === 'completed')).toHaveLength(20);
    expect(outcomes.every((r) => ['completed', 'busy', 'done'].includes(r.outcome))).toBe(true);
    // one execution by the sweep per run (the journal's claim settled each race)
    await expectEachFinishedOnce(stack, backlog);
  });

  it('once a run completes, also takes the runs whose back-off grew during the outage, but never one whose late write may still land', async () => {
    // Prepare: back-off 60 s, doubled per execution, at most 3 min; late-write window 2 min
    stack = await startTwoContainers();
    stack.emulator.seedContact(FROM);
    const now = Date.now();
    const due = failedRun(201, now - 600_000);
    // four executions each: back-off 3 min, of which only 90 s have passed
    const grown = [202, 203].map((n) => failedRun(n, now - 90_000, { executions: 4 }));
    // ended just now: not even the initial back-off has passed
    const fresh = failedRun(204, now, { executions: 4 });
    // a write abandoned just now may still land: the window must pass first
    const abandoned = failedRun(205, now - 90_000, { executions: 4, abandonedAt: now });
    await seed(stack, [due, ...grown, fresh, abandoned]);
    const sweeper = await startSweeper(stack, 60_000, {
      sweep_backoff_initial_ms: '60000',
      b2cservice_late_write_window_ms: '120000',
    });

    // Act
    const { report } = await sweep(sweeper);

    // Assess
    // the due run first, alone (the site may still be down); then the two, at once
    expect(report.runs[0]).toMatchObject({ key: due.key, outcome: 'completed' });
    expect(report.runs.map((r) => [r.key, r.outcome]).sort()).toEqual([due, ...grown].map((r) => [r.key, 'completed']));
    expect(report.waiting).toBe(2);
    const byId = await records(stack);
    for (const r of [due, ...grown]) expect(byId.get(r.runId)).toMatchObject({ status: 'succeeded' });
    for (const r of [fresh, abandoned]) expect(byId.get(r.runId)).toMatchObject({ status: 'failed', executions: 4 });
    expect(stack.emulator.state().incidents).toHaveLength(3);
  });

  it('with nothing due, one run whose back-off grew finds out whether the site answers again, then the rest follow', async () => {
    // Prepare: every run of the outage was tried late in it: back-off 3 min, of which 90 s have passed
    stack = await startTwoContainers();
    stack.emulator.seedContact(FROM);
    const now = Date.now();
    const grown = [401, 402, 403, 404].map((n) => failedRun(n, now - 90_000 + n, { executions: 4 }));
    await seed(stack, grown);
    const sweeper = await startSweeper(stack, 60_000, { sweep_backoff_initial_ms: '60000' });

    // Act
    const { report } = await sweep(sweeper);

    // Assess: the soonest first, alone; then the others
    expect(report.runs[0]).toMatchObject({ key: grown[0]!.key, outcome: 'completed' });
    expect(report.runs.map((r) => r.outcome)).toEqual(Array(4).fill('completed'));
    expect(report).toMatchObject({ waiting: 0, deferred: 0 });
    await expectEachFinishedOnce(stack, grown);
  });

  it('reads the journal again after a long batch while its time lasts: a run that fell due meanwhile is taken in the same invocation', async () => {
    // Prepare: 16 due runs of 3 s each, 2 at a time: a batch of about 24 s or more. One more run failed at the end of
    // the outage (back-off grown; 15 s of the initial 30 s left): not due when the pass starts, due once up after it.
    stack = await startTwoContainers();
    stack.emulator.seedContact(FROM);
    const now = Date.now();
    const backlog = Array.from({ length: 16 }, (_, i) => failedRun(501 + i, now - 300_000));
    const late = failedRun(520, now - 15_000, { executions: 4 });
    await seed(stack, [...backlog, late]);
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'delay', delayMs: 3_000, times: 16 });
    const sweeper = await startSweeper(stack, 120_000, { sweep_concurrency: '2' });

    // Act
    const { report } = await sweep(sweeper);

    // Assess
    expect(report.runs.map((r) => r.outcome)).toEqual(Array(17).fill('completed'));
    expect(report.runs.at(-1)).toMatchObject({ key: late.key });
    expect(report).toMatchObject({ waiting: 0, deferred: 0 });
    await expectEachFinishedOnce(stack, [...backlog, late]);
  });

  it('stops a pass after 3 runs in a row failed on a site still down, and drains the rest once it answers', async () => {
    // Prepare: 10 due runs; every request to B2C Service answered 503 by a load balancer
    stack = await startTwoContainers();
    stack.emulator.seedContact(FROM);
    const now = Date.now();
    const backlog = Array.from({ length: 10 }, (_, i) => failedRun(301 + i, now - 300_000 + i));
    await seed(stack, backlog);
    stack.emulator.setFaultPolicy(({ method, resource }) => ({
      method,
      path: resource === '' ? '/' : resource,
      action: 'status',
      status: 503,
      body: 'html',
    }));
    const sweeper = await startSweeper(stack, 60_000);

    // Act: a pass during the outage, then one after it
    const during = await sweep(sweeper);
    stack.emulator.setFaultPolicy(undefined);
    const after = await sweep(sweeper);

    // Assess: the longest-due three were tried, one at a time, and the pass stopped
    expect(during.report).toMatchObject({ siteDown: true, deferred: 7 });
    expect(during.report.runs.map((r) => [r.key, r.outcome])).toEqual(
      backlog.slice(0, 3).map((r) => [r.key, 'failed']),
    );
    // after: the seven completed; the three that just failed wait out their initial back-off
    expect(after.report).toMatchObject({ siteDown: false, deferred: 0, waiting: 3 });
    expect(after.report.runs.map((r) => r.outcome)).toEqual(Array(7).fill('completed'));
    const byId = await records(stack);
    for (const r of backlog.slice(0, 3)) expect(byId.get(r.runId)).toMatchObject({ status: 'failed', executions: 2 });
    for (const r of backlog.slice(3)) expect(byId.get(r.runId)).toMatchObject({ status: 'succeeded', executions: 2 });
  });
});
