/**
 * Auto-completion through the fdk: the built function deployed a second time with
 * `function_role=sweeper` (as deploy/terraform/sweeper.tf does), invoked directly as OCI's resource
 * schedule does, on the journal two webhook containers wrote. No provider redelivers here (Twilio
 * does not): the sweep alone finishes what failed or was cut off.
 */
import { mkdir } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileJournal, type RunRecord } from '../../src/journal/index.js';
import { startFunction, type FnProcess } from '../../src/local/index.js';
import { ENTRY } from '../helpers/stack.js';
import { calls, startTwoContainers, until, webhook, type TwoContainers } from '../helpers/exactly-once-stack.js';
import { readAnswer } from '../helpers/stack.js';
import { cli } from '../helpers/cli.js';
import { ociTestIdentity } from '../helpers/oci-keys.js';
import { startOciStandIns, type OciStandIns } from '../helpers/oci-stand-ins.js';

const identity = ociTestIdentity();
let standIns: OciStandIns;
let stack: TwoContainers | undefined;
const sweepers: FnProcess[] = [];

beforeAll(async () => {
  standIns = await startOciStandIns({ keys: new Map([[identity.keyId, identity.publicKeyPem]]) });
});
afterAll(() => standIns.close());
afterEach(async () => {
  await Promise.allSettled(sweepers.splice(0).map((s) => s.stop()));
  await stack?.stop();
  stack = undefined;
  standIns.metricPosts.length = 0;
});

/** The sweeper: same image and config as the webhook, plus its role; metrics to the Monitoring stand-in. */
async function startSweeper(s: TwoContainers, env: Record<string, string> = {}): Promise<FnProcess> {
  const fn = await startFunction({
    entry: ENTRY,
    timeoutMs: 60_000,
    env: {
      ...s.env,
      ...identity.env,
      function_role: 'sweeper',
      sweep_backoff_initial_ms: '0',
      oci_monitoring_endpoint: standIns.url,
      oci_monitoring_compartment_id: 'ocid1.compartment.oc1..metrics',
      OTEL_SERVICE_NAME: 'sms-incident',
      ...env,
    },
  });
  sweepers.push(fn);
  return fn;
}

/** As the resource schedule invokes a function: directly, not through the gateway, no body. */
async function sweep(fn: FnProcess) {
  return readAnswer(await fn.invoke({ intent: 'invoke', method: 'POST', url: '/', body: '' }));
}

/** The runs as the journal holds them (the store the functions wrote, read as the CLI reads it). */
async function records(dir: string): Promise<RunRecord[]> {
  return fileJournal(dir).list();
}

// Distinct texts: two look-alikes (same sender, same text) in flight at once are issue 16 item 5, not the sweep's.
const message = (n: number) => webhook({ sid: `SM${String(n).padStart(32, '0')}`, body: `message ${n}` });

describe('the sweeper finishes runs nobody redelivers', { timeout: 120_000 }, () => {
  it('completes a run that failed retryably (B2C throttled) once B2C answers again: one incident with its note, recorded on the run and in RunSwept', async () => {
    // Prepare: the incident creation is throttled on every attempt of the delivery; nothing redelivers
    stack = await startTwoContainers();
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 503,
      errorCode: 'OSC-CREST-00035',
      nextRequestAfterMs: 10,
      times: 3,
    });
    const failed = await stack.post(stack.fns[0], message(1));
    const sweeper = await startSweeper(stack);

    // Act
    const swept = await sweep(sweeper);

    // Assess
    expect(failed.status).toBe(502);
    expect(swept.status).toBe(200);
    expect(swept.json).toMatchObject({
      message: 'swept',
      runs: [{ runId: failed.json.runId, mode: 'restart', outcome: 'completed' }],
    });
    const { incidents, contacts } = stack.emulator.state();
    expect(incidents).toHaveLength(1);
    expect(contacts).toHaveLength(1);
    expect(incidents[0]!.threads).toHaveLength(1);
    const [record] = await records(stack.journalDir);
    expect(record).toMatchObject({
      status: 'succeeded',
      executions: 2,
      answer: { status: 200, body: { incidentId: incidents[0]!.id } },
    });
    const history = record!.history;
    expect(history.map((h) => h.event)).toEqual(['claimed', 'failed', 'restarted', 'succeeded']);
    expect(history[2]!.owner).toMatch(/^sweep\//);
    expect(standIns.datapoints('RunSwept')).toEqual([
      { value: 1, dimensions: { functionName: 'sms-incident', outcome: 'completed' } },
    ]);
    // the sweep's run is not a new failure: no IncidentCreationFailed from the sweeper
    expect(standIns.datapoints('IncidentCreationFailed')).toEqual([]);
    // a second sweep finds nothing to do
    const again = await sweep(sweeper);
    expect(again.json).toMatchObject({ runs: [] });
    expect(stack.emulator.state().incidents).toHaveLength(1);
  });

  it('resumes a run whose container was killed mid-write, once its lease and the late-write window have passed', async () => {
    // Prepare: the incident's create never gets an answer and the container dies; nobody redelivers
    // A 20 s deadline: the lease outlives the sweeper's start on a loaded machine, so the first sweep meets it live.
    stack = await startTwoContainers({ timeoutMs: 20_000, env: { b2cservice_late_write_window_ms: '0' } });
    const [a] = stack.fns;
    expect((await stack.post(a, '{}')).status).toBe(400);
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'hang', times: 1 });
    const inFlight = stack.post(a, message(2));
    await until(() => calls(stack!.emulator).includes('POST /incidents'));
    a.kill('SIGKILL');
    await inFlight;
    const sweeper = await startSweeper(stack);

    // Act: a sweep while the lease is live passes the run by; one after it has expired resumes it
    const early = await sweep(sweeper);
    const [cut] = await records(stack.journalDir);
    await new Promise((r) => setTimeout(r, Math.max(0, cut!.lease!.expiresAt - Date.now() + 50)));
    const late = await sweep(sweeper);

    // Assess
    expect(early.json).toMatchObject({ runs: [] });
    expect(late.json).toMatchObject({ runs: [{ mode: 'resume', outcome: 'completed' }] });
    const { contacts, incidents } = stack.emulator.state();
    expect(contacts).toHaveLength(1);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.threads).toHaveLength(1);
    // the hung create, then the resumed run's, after its look-up found nothing
    expect(calls(stack.emulator).filter((c) => c.startsWith('POST'))).toEqual([
      'POST /contacts',
      'POST /incidents',
      'POST /incidents',
    ]);
    expect(sweeper.output()).toContain('"message":"run resumed"');
  });

  it('is safe with two sweepers at once: every run is finished once, each by one of them', async () => {
    // Prepare: three messages fail (every incident creation throttled), then B2C recovers
    stack = await startTwoContainers();
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 503,
      errorCode: 'OSC-CREST-00035',
      nextRequestAfterMs: 10,
      times: 9,
    });
    for (const n of [11, 12, 13]) expect((await stack.post(stack.fns[(n % 2) as 0 | 1], message(n))).status).toBe(502);
    const [s1, s2] = await Promise.all([startSweeper(stack), startSweeper(stack)]);

    // Act
    const [r1, r2] = await Promise.all([sweep(s1), sweep(s2)]);

    // Assess
    const outcomes = [...(r1.json.runs as { outcome: string }[]), ...(r2.json.runs as { outcome: string }[])].map(
      (r) => r.outcome,
    );
    expect(outcomes.filter((o) => o === 'completed')).toHaveLength(3);
    expect(outcomes.every((o) => ['completed', 'busy', 'done'].includes(o))).toBe(true);
    const { incidents } = stack.emulator.state();
    expect(incidents).toHaveLength(3);
    expect(incidents.every((i) => i.threads.length === 1)).toBe(true);
    for (const r of await records(stack.journalDir)) {
      expect(r.status).toBe('succeeded');
      // one delivery, one sweep: the other sweeper never ran it a second time
      expect(r.executions).toBe(2);
    }
  });

  it('cannot be made to sweep through the webhook, and never reads its own body as a webhook', async () => {
    // Prepare
    stack = await startTwoContainers();
    const sweeper = await startSweeper(stack);

    // Act: a caller of the webhook asks for a sweep; a valid SMS is sent to the sweeper
    const forged = await stack.post(stack.fns[0], JSON.stringify({ sweep: true, function_role: 'sweeper' }), {
      'Fn-Intent': 'invoke',
      'X-Function-Role': 'sweeper',
    });
    const smsToSweeper = readAnswer(
      await sweeper.invoke({
        method: 'POST',
        url: '/webhooks/sms-to-incident',
        headers: { 'Content-Type': 'application/json' },
        body: message(21),
      }),
    );

    // Assess
    expect(forged.status).toBe(400);
    expect(JSON.stringify(forged.json)).not.toContain('swept');
    expect(smsToSweeper.status).toBe(200);
    expect(smsToSweeper.json).toMatchObject({ message: 'swept', runs: [] });
    expect(stack.emulator.state().incidents).toHaveLength(0);
    expect(await records(stack.journalDir)).toEqual([]);
  });
});

describe('the sweeper gives up at the cap, and pages once', { timeout: 120_000 }, () => {
  it('records a run unfinished 24 h after it started as given up, posts IncidentCreationFailed=1 (the failed-run alarm), and does not page again', async () => {
    // Prepare: a run that failed retryably 25 h ago, as the webhook left it
    stack = await startTwoContainers();
    const journal = fileJournal(stack.journalDir);
    const started = Date.now() - 25 * 3_600_000;
    await journal.create({
      schema: 1,
      key: 'vonage:0A000000OLD',
      runId: 'run-old',
      workflow: 'sms-to-incident',
      provider: 'vonage',
      messageId: '0A000000OLD',
      payloadHash: 'h',
      payload: {
        provider: 'vonage',
        messageId: '0A000000OLD',
        from: '+447700900001',
        to: '+447700900999',
        text: 'old',
        media: [],
      },
      status: 'failed',
      executions: 4,
      duplicates: 0,
      steps: [],
      compensation: 'none',
      failedStep: 'create-incident',
      error: { type: 'OSC-CREST-00035', message: 'throttled', retryable: true },
      startedAt: started,
      updatedAt: started + 3_600_000,
      finishedAt: started + 3_600_000,
      history: [{ at: started, event: 'claimed', owner: 'call/x' }],
    });
    const sweeper = await startSweeper(stack);

    // Act
    const first = await sweep(sweeper);
    const second = await sweep(sweeper);

    // Assess
    expect(first.json).toMatchObject({
      runs: [{ runId: 'run-old', mode: 'give-up', outcome: 'gave_up', detail: 'gave up after 24 h: OSC-CREST-00035' }],
    });
    expect(second.json).toMatchObject({ runs: [], givenUp: 1 });
    expect(standIns.datapoints('IncidentCreationFailed')).toEqual([
      { value: 1, dimensions: { functionName: 'sms-incident', provider: 'vonage' } },
    ]);
    expect(standIns.datapoints('RunSwept')).toEqual([
      { value: 1, dimensions: { functionName: 'sms-incident', outcome: 'gave_up' } },
    ]);
    const [record] = await records(stack.journalDir);
    expect(record).toMatchObject({ status: 'failed', error: { retryable: true } });
    expect(record!.history.at(-1)).toMatchObject({
      event: 'failed',
      owner: expect.stringMatching(/^sweep\//),
      detail: 'gave up after 24 h: OSC-CREST-00035',
    });
    expect(sweeper.output()).toContain('"message":"run given up: unfinished at the sweep cap"');
    // nothing was sent to B2C Service
    expect(stack.emulator.requests()).toEqual([]);
  });
});

describe('sms-incident runs sweep (the built CLI)', { timeout: 120_000 }, () => {
  it('says what is due with --dry-run and changes nothing, then finishes it, and a second sweep finds nothing', async () => {
    // Prepare
    stack = await startTwoContainers();
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 503,
      errorCode: 'OSC-CREST-00035',
      nextRequestAfterMs: 10,
      times: 3,
    });
    const failed = await stack.post(stack.fns[0], message(31));
    const journal = `file:${stack.journalDir}`;
    const env = { ...stack.env, sweep_backoff_initial_ms: '0' };

    // Act
    const requestsBefore = stack.emulator.requests().length;
    const dry = await cli(['runs', 'sweep', '--dry-run', '--journal', journal], { sweep_backoff_initial_ms: '0' });
    const requestsAfterDryRun = stack.emulator.requests().length;
    const recordAfterDryRun = (await records(stack.journalDir))[0];
    const run = await cli(['runs', 'sweep', '--journal', journal], env);
    const again = await cli(['runs', 'sweep', '--json', '--journal', journal], env);

    // Assess
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(
      `${failed.json.runId as string}  twilio:SM${'0'.repeat(30)}31  restart  would run  (OSC-CREST-00035)`,
    );
    expect(requestsAfterDryRun).toBe(requestsBefore);
    expect(recordAfterDryRun).toMatchObject({ status: 'failed', executions: 1 });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${failed.json.runId as string}  twilio:SM${'0'.repeat(30)}31  restart  completed`);
    expect(run.stdout).toMatch(
      /1 runs read, 0 waiting for their back-off, 0 left for the next sweep, 0 given up earlier/,
    );
    expect(JSON.parse(again.stdout)).toMatchObject({ considered: 1, runs: [] });
    expect(stack.emulator.state().incidents).toHaveLength(1);
    expect(stack.emulator.state().incidents[0]!.threads).toHaveLength(1);
  });

  it("refuses without the function's config (exit 1, naming the keys), unless --dry-run", async () => {
    stack = await startTwoContainers();
    await mkdir(stack.journalDir, { recursive: true });
    const res = await cli(['runs', 'sweep', '--journal', `file:${stack.journalDir}`]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /needs the function's config in the environment \(b2cservice_hostname.*\); or pass --dry-run/,
    );
  });
});
