import { describe, expect, it } from 'vitest';
import type { RunResult, WorkflowDefinition } from '../../../src/engine/index.js';
import { IdempotentRuns, runKey, type Delivery, type IdempotentRunsParts } from '../../../src/idempotency/index.js';
import type { InboundSms } from '../../../src/inbound/index.js';
import { JournalError, payloadHash, type RunRecord } from '../../../src/journal/index.js';
import { createLogger } from '../../../src/log/logger.js';
import { FakeClock, T0 } from '../../helpers/fake-clock.js';
import { fakeJournal, type FakeJournal } from '../../helpers/fake-journal.js';
import { sms } from '../../helpers/sample-sms.js';

const KEY = 'twilio:SM1';
const LEASE_MARGIN_MS = 5_000;

interface S {
  readonly sms: InboundSms;
  readonly a?: number;
  readonly b?: number;
}

/** What step a saw: its state's message and the run's recovery facts from the engine's context. */
interface Seen {
  readonly sms: InboundSms;
  readonly runStartedAt: number;
  readonly recovering: boolean;
  readonly abandonedAt?: number;
}

/** Two steps; `during` runs inside step a (to change the journal under the run). */
function twoSteps(ran: string[], during?: () => Promise<void>): WorkflowDefinition<S> {
  return {
    name: 'ab',
    steps: [
      {
        name: 'a',
        run: async () => {
          ran.push('a');
          await during?.();
          return { a: 1 };
        },
      },
      {
        name: 'b',
        run: async () => {
          ran.push('b');
          return { b: 2 };
        },
      },
    ],
  };
}

function setup(options: { during?: () => Promise<void>; description?: string } = {}) {
  const clock = new FakeClock();
  const journal = fakeJournal(options.description ? { description: options.description } : {});
  const ran: string[] = [];
  const states: Seen[] = [];
  const lines: Record<string, unknown>[] = [];
  const workflow = twoSteps(ran, options.during);
  const parts: IdempotentRunsParts<S> = {
    journal,
    workflow: {
      ...workflow,
      steps: workflow.steps.map((s, i) =>
        i === 0
          ? {
              ...s,
              run: (state, ctx) => {
                states.push({
                  sms: state.sms,
                  runStartedAt: ctx.run.startedAt,
                  recovering: ctx.run.recovering,
                  ...(ctx.run.abandonedAt === undefined ? {} : { abandonedAt: ctx.run.abandonedAt }),
                });
                return s.run(state, ctx);
              },
            }
          : s,
      ),
    },
    initialState: (m) => ({ sms: m }),
    answer: (result: RunResult<S>) => {
      // As the function's answers: with headers and an outcome, which the journal does not keep.
      const full = {
        status: result.status === 'succeeded' ? 200 : 502,
        body: { a: result.state.a, b: result.state.b },
        headers: { 'X-Extra': '1' },
        outcome: 'created',
      };
      return full;
    },
    leaseMarginMs: LEASE_MARGIN_MS,
    signature: 'verified',
    clock,
  };
  const runs = new IdempotentRuns(parts);
  const log = createLogger({
    level: 'debug',
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    now: () => clock.now(),
  });
  const duplicates: unknown[] = [];
  const delivery = (extra: Partial<Delivery> = {}): Delivery => ({
    deadline: clock.now() + 30_000,
    caller: 'call-1',
    log,
    onDuplicate: (d) => duplicates.push(d),
    ...extra,
  });
  return { clock, journal, ran, states, lines, runs, delivery, duplicates };
}

/** A record for this message, as an earlier execution left it. */
async function seed(journal: FakeJournal, patch: Partial<RunRecord>): Promise<void> {
  await journal.create({
    schema: 1,
    key: KEY,
    runId: 'run-earlier',
    workflow: 'ab',
    provider: 'twilio',
    messageId: 'SM1',
    payloadHash: payloadHash(sms),
    payload: sms,
    status: 'running',
    lease: { owner: 'call-0/x', expiresAt: T0 + 1_000 },
    executions: 1,
    duplicates: 0,
    steps: [],
    startedAt: T0 - 60_000,
    updatedAt: T0 - 60_000,
    history: [{ at: T0 - 60_000, event: 'claimed', owner: 'call-0/x', traceId: 't0', spanId: 's0' }],
    ...patch,
  });
  journal.calls.length = 0;
}

const stored = async (journal: FakeJournal): Promise<RunRecord> => (await journal.get(KEY))!.record;

describe('Class: IdempotentRuns', () => {
  describe('Function: runKey', () => {
    it('keys a run by provider and message id', () => {
      expect(runKey(sms)).toBe(KEY);
    });
  });

  describe('Method: handle', () => {
    it('claims a new message with a lease past the deadline, runs it as new, and saves the result and its answer', async () => {
      // Prepare
      const { journal, runs, delivery, ran, states, clock, duplicates } = setup();
      const deadline = clock.now() + 30_000;

      // Act
      const outcome = await runs.handle(
        sms,
        delivery({ deadline, idempotencyToken: 'x'.repeat(300), traceId: 'trace-1', spanId: 'span-1' }),
      );

      // Assess
      expect(outcome).toMatchObject({ state: 'ran', mode: 'new', saved: 'saved' });
      expect(ran).toEqual(['a', 'b']);
      expect(states[0]).toEqual({ sms, runStartedAt: T0, recovering: false });
      const record = await stored(journal);
      expect(record).toMatchObject({
        status: 'succeeded',
        answer: { status: 200, body: { a: 1, b: 2 } },
        payloadHash: payloadHash(sms),
        traceId: 'trace-1',
      });
      expect(record.answer).toEqual({ status: 200, body: { a: 1, b: 2 } });
      expect(record.idempotencyToken).toBe('x'.repeat(200));
      expect(record.history[0]).toMatchObject({
        event: 'claimed',
        owner: expect.stringMatching(/^call-1\//) as unknown,
        traceId: 'trace-1',
        spanId: 'span-1',
      });
      expect(journal.calls[0]).toBe(`create ${KEY}`); // one create-only write claims a new message, no read first
      expect(duplicates).toEqual([]);
      if (outcome.state !== 'ran') return;
      expect(outcome.runId).toBe(record.runId);
      expect(outcome.result.state).toMatchObject({ a: 1, b: 2 });
    });

    it('leases the run until the deadline plus the margin', async () => {
      // Prepare: the run is still in step a when the lease is looked at
      let lease: RunRecord['lease'];
      const { journal, runs, delivery, clock } = setup({
        during: async () => {
          lease = (await stored(journal)).lease;
        },
      });
      const deadline = clock.now() + 30_000;

      // Act
      await runs.handle(sms, delivery({ deadline }));

      // Assess
      expect(lease?.expiresAt).toBe(deadline + LEASE_MARGIN_MS);
    });

    it('resumes a run whose lease lapsed after the steps it finished, recovering, with the abandoned lease end', async () => {
      // Prepare: an execution finished step a, then died; its lease ended at T0 - 1
      const { journal, runs, delivery, ran, lines, states } = setup();
      await seed(journal, {
        lease: { owner: 'call-0/x', expiresAt: T0 - 1 },
        steps: [{ name: 'a', outcome: 'succeeded', attempts: [], durationMs: 1, output: { a: 7 } }],
      });

      // Act
      const outcome = await runs.handle(sms, delivery());

      // Assess
      expect(outcome).toMatchObject({ state: 'ran', mode: 'resume', runId: 'run-earlier', saved: 'saved' });
      expect(ran).toEqual(['b']);
      if (outcome.state === 'ran') expect(outcome.result.state).toMatchObject({ a: 7, b: 2 });
      expect(states).toEqual([]);
      expect(lines.find((l) => l.message === 'run resumed')).toMatchObject({
        execution: 2,
        doneSteps: 'a',
        runId: 'run-earlier',
      });
      expect((await stored(journal)).executions).toBe(2);
    });

    it('restarts a run that failed retryably, from its first step, recovering', async () => {
      // Prepare
      const { journal, runs, delivery, ran, states } = setup();
      await seed(journal, {
        status: 'failed',
        lease: undefined,
        error: { type: 'HTTP 503', message: 'busy', retryable: true },
        compensation: 'none',
        steps: [{ name: 'a', outcome: 'failed', attempts: [], durationMs: 1 }],
      });

      // Act
      const outcome = await runs.handle(sms, delivery());

      // Assess
      expect(outcome).toMatchObject({ state: 'ran', mode: 'restart', saved: 'saved' });
      expect(ran).toEqual(['a', 'b']);
      expect(states[0]).toMatchObject({ recovering: true });
    });

    it('answers busy, runs nothing, while another execution holds a live lease, and names its trace', async () => {
      // Prepare
      const { journal, runs, delivery, ran, duplicates, lines } = setup();
      await seed(journal, { lease: { owner: 'call-0/x', expiresAt: T0 + 1_500 } });

      // Act
      const outcome = await runs.handle(sms, delivery());

      // Assess
      expect(outcome).toMatchObject({ state: 'busy', retryAfterMs: 1_500, record: { runId: 'run-earlier' } });
      expect(ran).toEqual([]);
      expect(duplicates).toEqual([{ runId: 'run-earlier', traceId: 't0', spanId: 's0' }]);
      expect(lines.find((l) => l.message === 'duplicate webhook while the run is in progress')).toMatchObject({
        metric: 'DuplicateWebhook',
        retryAfterS: 2,
      });
    });

    it('answers a finished run as a duplicate from the journal, running nothing', async () => {
      // Prepare
      const { journal, runs, delivery, ran, duplicates, lines } = setup();
      await seed(journal, {
        status: 'succeeded',
        lease: undefined,
        compensation: 'none',
        answer: { status: 200, body: { a: 1 } },
      });

      // Act
      const outcome = await runs.handle(sms, delivery());

      // Assess
      expect(outcome).toMatchObject({
        state: 'duplicate',
        record: { runId: 'run-earlier', answer: { status: 200, body: { a: 1 } } },
      });
      expect(ran).toEqual([]);
      expect(duplicates).toEqual([{ runId: 'run-earlier', traceId: 't0', spanId: 's0' }]);
      expect(lines.find((l) => l.message === 'duplicate webhook')).toMatchObject({
        metric: 'DuplicateWebhook',
        duplicates: 1,
        status: 'succeeded',
      });
    });

    it('answers mismatch for the same message id with another payload, running nothing and linking no trace', async () => {
      // Prepare
      const { journal, runs, delivery, ran, duplicates, lines } = setup();
      await seed(journal, { status: 'succeeded', lease: undefined, compensation: 'none' });

      // Act
      const outcome = await runs.handle({ ...sms, text: 'another text' }, delivery());

      // Assess
      expect(outcome).toMatchObject({ state: 'mismatch', record: { runId: 'run-earlier' } });
      expect(ran).toEqual([]);
      expect(duplicates).toEqual([]);
      expect(lines.find((l) => l.message === 'message id reused with another payload')).toMatchObject({
        level: 'warn',
      });
    });

    it('fails closed when the journal is down: no claim, nothing run', async () => {
      // Prepare
      const { journal, runs, delivery, ran, lines } = setup();
      const down = new JournalError('store unreachable');
      journal.faults.create = () => down;
      journal.faults.get = () => down;

      // Act
      const outcome = await runs.handle(sms, delivery());

      // Assess
      expect(outcome).toEqual({ state: 'journal-unavailable', error: down });
      expect(ran).toEqual([]);
      expect(lines.find((l) => l.message === 'run journal unavailable')).toMatchObject({
        level: 'error',
        errorType: 'JournalError',
        error: 'store unreachable',
        journal: 'fake',
      });
    });

    it('waits out transient journal faults at the claim on its clock, then runs the message', async () => {
      // Prepare: the claim's create is refused three times (a 503), then accepted
      const { journal, runs, delivery, ran, clock } = setup();
      let refusals = 3;
      journal.faults.create = () =>
        refusals-- > 0 ? new JournalError('Object Storage put failed: 503', { transient: true }) : undefined;

      // Act
      const outcome = await runs.handle(sms, delivery());

      // Assess
      expect(outcome).toMatchObject({ state: 'ran', mode: 'new', saved: 'saved' });
      expect(ran).toEqual(['a', 'b']);
      expect(clock.sleeps).toHaveLength(3);
    });

    it("answers 'journal unavailable' before the delivery's deadline when the journal stays down, saying how long it tried", async () => {
      // Prepare: every journal call fails transiently and takes 250 ms; the delivery must be answered within 5 s
      const { journal, runs, delivery, ran, clock, lines } = setup();
      const down = new JournalError('Object Storage put failed: 503', { transient: true });
      const slow = () => {
        clock.advance(250);
        return down;
      };
      journal.faults.create = slow;
      journal.faults.get = slow;
      const deadline = clock.now() + 5_000;

      // Act
      const outcome = await runs.handle(sms, delivery({ deadline }));

      // Assess
      expect(outcome).toEqual({ state: 'journal-unavailable', error: down });
      expect(ran).toEqual([]);
      expect(journal.calls.length).toBeGreaterThan(2);
      expect(clock.now()).toBeLessThanOrEqual(deadline - 500);
      const line = lines.find((l) => l.message === 'run journal unavailable');
      expect(line?.triedForMs).toBe(clock.now() - T0);
    });

    it('reports lease lost when another execution takes the run over mid-run, and stops', async () => {
      // Prepare: during step a, another execution owns the run
      const { journal, runs, delivery, ran, lines } = setup({
        during: async () => {
          const current = (await journal.get(KEY))!;
          await journal.update(
            { ...current.record, lease: { owner: 'thief/y', expiresAt: T0 + 99_000 } },
            current.version,
          );
        },
      });

      // Act
      const outcome = await runs.handle(sms, delivery());

      // Assess: step a's checkpoint is written while step b runs; the loss shows at the final write
      expect(outcome).toMatchObject({ state: 'ran', mode: 'new', saved: 'lease-lost' });
      expect(outcome).not.toHaveProperty('saveError');
      expect(ran).toEqual(['a', 'b']);
      expect((await stored(journal)).lease?.owner).toBe('thief/y');
      expect(lines.find((l) => l.message === 'run outcome not saved in the journal')).toMatchObject({
        error: 'another execution owns the run now',
      });
    });

    it("reports save failed, with the store's error, when the final record cannot be written", async () => {
      // Prepare
      const { journal, runs, delivery, ran, lines } = setup();
      const refused = new JournalError('store refused');
      journal.faults.update = (record) => (record.status === 'running' ? undefined : refused);

      // Act
      const outcome = await runs.handle(sms, delivery());

      // Assess
      expect(outcome).toMatchObject({ state: 'ran', saved: 'save-failed', saveError: refused });
      expect(ran).toEqual(['a', 'b']);
      if (outcome.state === 'ran') expect(outcome.result.status).toBe('succeeded');
      expect((await stored(journal)).status).toBe('running');
      expect(lines.find((l) => l.message === 'run outcome not saved in the journal')).toMatchObject({
        error: 'store refused',
      });
    });

    it('warns once per service that an in-memory journal protects one container only', async () => {
      // Prepare
      const { runs, delivery, lines } = setup({ description: 'memory' });

      // Act
      await runs.handle(sms, delivery());
      await runs.handle(sms, delivery());

      // Assess
      expect(lines.filter((l) => String(l.message).startsWith('run journal is in memory'))).toHaveLength(1);
    });

    it('does not warn about a durable journal', async () => {
      // Prepare
      const { runs, delivery, lines } = setup();

      // Act
      await runs.handle(sms, delivery());

      // Assess
      expect(lines.filter((l) => String(l.message).startsWith('run journal is in memory'))).toEqual([]);
    });

    it('logs the accepted webhook with the signature mode and sizes, never the number or the text', async () => {
      // Prepare
      const { runs, delivery, lines } = setup();

      // Act
      await runs.handle(sms, delivery());

      // Assess
      const accepted = lines.find((l) => l.message === 'webhook accepted');
      expect(accepted).toMatchObject({
        signature: 'verified',
        textLength: 4,
        media: 0,
        execution: 1,
        provider: 'twilio',
        messageId: 'SM1',
      });
      expect(accepted).not.toHaveProperty('doneSteps');
      expect(JSON.stringify(lines)).not.toContain(sms.from);
      expect(JSON.stringify(lines)).not.toContain('"help"');
    });

    it("gives the run the delivery's hooks, made with the run's logger", async () => {
      // Prepare
      const { runs, delivery } = setup();
      const steps: string[] = [];

      // Act
      await runs.handle(
        sms,
        delivery({
          hooks: (runLog) => ({
            onStepStart: (e) => {
              steps.push(e.step);
              runLog.info('step');
            },
          }),
        }),
      );

      // Assess
      expect(steps).toEqual(['a', 'b']);
    });
  });
});

/** The same message as a provider's later delivery sends it: transport fields the message does not carry. */
const withFields = { ...sms, raw: { AccountSid: 'AC1', SmsStatus: 'received' } };
const fallback = { ...sms, raw: { AccountSid: 'AC1', SmsStatus: 'received', ErrorCode: '11200' } };

describe('Class: IdempotentRuns (what the record and the log keep)', () => {
  it('answers a duplicate of a message stored under the previous hashing rule (its provider fields hashed too)', async () => {
    // Prepare
    const { journal, runs, delivery, ran } = setup();
    await seed(journal, {
      status: 'succeeded',
      lease: undefined,
      payloadHash: payloadHash(withFields),
      payload: withFields,
    });

    // Act
    const outcome = await runs.handle(fallback, delivery());

    // Assess
    expect(outcome).toMatchObject({ state: 'duplicate', record: { runId: 'run-earlier' } });
    expect(ran).toEqual([]);
  });

  it('answers mismatch when the stored payload is not a message it can read', async () => {
    // Prepare
    const { journal, runs, delivery, lines } = setup();
    await seed(journal, {
      status: 'succeeded',
      lease: undefined,
      payloadHash: 'legacy',
      payload: { not: 'a message' },
    });

    // Act
    const outcome = await runs.handle(sms, delivery());

    // Assess
    expect(outcome).toMatchObject({ state: 'mismatch' });
    expect(lines.find((l) => l.message === 'message id reused with another payload')).toMatchObject({
      runId: 'run-earlier',
    });
  });

  it('resumes with the message as first received, not as this delivery carries it, and logs the steps done', async () => {
    // Prepare: the first delivery's run was cut off after step a; a fallback request (ErrorCode added) comes
    const { journal, runs, delivery, states, lines } = setup();
    await seed(journal, {
      payloadHash: payloadHash(withFields),
      payload: withFields,
      lease: { owner: 'call-0/x', expiresAt: T0 - 1 },
      steps: [],
    });

    // Act
    const outcome = await runs.handle(fallback, delivery());

    // Assess
    expect(outcome).toMatchObject({ state: 'ran', mode: 'resume' });
    expect(states.map((s) => s.sms)).toEqual([withFields]);
    expect(lines.find((l) => l.message === 'run resumed')).toMatchObject({ execution: 2, doneSteps: '' });
  });

  it('logs a restart as such, with the steps that stand', async () => {
    // Prepare
    const { journal, runs, delivery, lines } = setup();
    await seed(journal, {
      status: 'failed',
      lease: undefined,
      error: { type: 'HTTP 503', message: 'busy', retryable: true },
      compensation: 'none',
      steps: [{ name: 'a', outcome: 'succeeded', attempts: [], durationMs: 1, output: { a: 1 } }],
    });

    // Act
    const outcome = await runs.handle(sms, delivery());

    // Assess
    expect(outcome).toMatchObject({ state: 'ran', mode: 'restart' });
    expect(lines.find((l) => l.message === 'run restarted')).toMatchObject({ doneSteps: 'a' });
    expect(lines.find((l) => l.message === 'webhook accepted')).toBeUndefined();
  });

  it("names the run's latest traced execution to a duplicate, past later entries without a trace", async () => {
    // Prepare
    const { journal, runs, delivery, duplicates } = setup();
    await seed(journal, {
      status: 'succeeded',
      lease: undefined,
      history: [
        { at: T0 - 60_000, event: 'claimed', owner: 'call-0/x', traceId: 't0', spanId: 's0' },
        { at: T0 - 50_000, event: 'resumed', owner: 'call-1/x', traceId: 't1', spanId: 's1' },
        { at: T0 - 40_000, event: 'duplicate', owner: 'call-2/x' },
      ],
    });

    // Act
    await runs.handle(sms, delivery());

    // Assess
    expect(duplicates).toEqual([{ runId: 'run-earlier', traceId: 't1', spanId: 's1' }]);
  });

  it("keeps the run's times on the service's clock", async () => {
    // Prepare
    const { journal, runs, delivery, clock } = setup();

    // Act
    await runs.handle(sms, delivery());

    // Assess
    const record = await stored(journal);
    expect(record.finishedAt).toBe(clock.now());
    expect(record.startedAt).toBe(T0);
  });

  it('logs a final write refused with a value that is not an Error as that value', async () => {
    // Prepare
    const { journal, runs, delivery, lines } = setup();
    journal.faults.update = (record) => (record.status === 'running' ? undefined : ('store said no' as never));

    // Act
    const outcome = await runs.handle(sms, delivery());

    // Assess
    expect(outcome).toMatchObject({ state: 'ran', saved: 'save-failed', saveError: 'store said no' });
    expect(lines.find((l) => l.message === 'run outcome not saved in the journal')).toMatchObject({
      error: 'store said no',
    });
  });
});
