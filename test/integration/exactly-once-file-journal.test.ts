import { afterEach, describe, expect, it } from 'vitest';
import { calls, startTwoContainers, until, webhook, type TwoContainers } from '../helpers/exactly-once-stack.js';

let stack: TwoContainers | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('exactly once across two function processes sharing a file journal', () => {
  it('answers a redelivery in another container with the same result and no call to B2C Service', async () => {
    // Prepare
    stack = await startTwoContainers();
    const [a, b] = stack.fns;
    const first = await stack.post(a, webhook(), { 'I-Twilio-Idempotency-Token': 'tok-1' });
    const callsAfterFirst = calls(stack.emulator).length;

    // Act
    const second = await stack.post(b, webhook(), { 'I-Twilio-Idempotency-Token': 'tok-1' });

    // Assess
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.json).toEqual(first.json);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(calls(stack.emulator)).toHaveLength(callsAfterFirst);
    expect(stack.emulator.state().incidents).toHaveLength(1);
    expect(stack.emulator.state().contacts).toHaveLength(1);
    expect(b.output()).toContain('"message":"duplicate webhook"');
    expect(b.output()).toContain('"metric":"DuplicateWebhook"');
  });

  it('creates one incident when the message arrives 5 times at once; in-flight duplicates get 503 with Retry-After', async () => {
    // Prepare: a slow create keeps the first run in flight while the duplicates arrive
    stack = await startTwoContainers();
    const [a, b] = stack.fns;
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'delay', delayMs: 600, times: 1 });

    // Act
    const answers = await Promise.all([a, b, a, b, a].map((fn) => stack!.post(fn, webhook())));

    // Assess
    expect(stack.emulator.state().incidents).toHaveLength(1);
    expect(stack.emulator.state().contacts).toHaveLength(1);
    expect(calls(stack.emulator).filter((c) => c === 'POST /incidents')).toHaveLength(1);
    const incidentId = stack.emulator.state().incidents[0]!.id;
    const ok = answers.filter((r) => r.status === 200);
    const busy = answers.filter((r) => r.status === 503);
    expect(ok.length + busy.length).toBe(5);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    for (const r of ok) expect(r.json.incidentId).toBe(incidentId);
    for (const r of busy) {
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(r.json).toMatchObject({ retryable: true, runId: ok[0]!.json.runId });
    }
    // once finished, a late redelivery gets the result
    const late = await stack.post(b, webhook());
    expect(late.json).toEqual(ok[0]!.json);
  });

  it('refuses the same message id with another payload with 409, touching nothing', async () => {
    // Prepare
    stack = await startTwoContainers();
    const [a, b] = stack.fns;
    await stack.post(a, webhook());
    const before = calls(stack.emulator).length;

    // Act
    const res = await stack.post(b, webhook({ body: 'a different text under the same sid' }));

    // Assess
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({
      message: 'a different message was already received with this provider message id',
      retryable: false,
    });
    expect(calls(stack.emulator)).toHaveLength(before);
    expect(stack.emulator.state().incidents).toHaveLength(1);
  });

  it('resumes a run whose container was SIGKILLed while creating the incident: one contact, one incident with its note', async () => {
    // Prepare: the incident's create never gets an answer, and the container dies meanwhile. B2C Service is taken to
    // drop a write at once when its client goes away (no late-write window): late writes are tested in
    // exactly-once-compound.test.ts. 8 s: a cold start on a loaded machine must not spend the forward budget.
    stack = await startTwoContainers({ timeoutMs: 8_000, env: { b2cservice_late_write_window_ms: '0' } });
    const [a, b] = stack.fns;
    // Warm both containers (a refused body loads the handler): the short deadline is the run's, not a cold start's.
    for (const fn of [a, b]) expect((await stack.post(fn, '{}')).status).toBe(400);
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'hang', times: 1 });
    const inFlight = stack.post(a, webhook());
    await until(() => calls(stack!.emulator).includes('POST /incidents'));
    a.kill('SIGKILL');
    await inFlight;

    // Act: redelivered at once (lease still live), then again after the lease has expired
    const early = await stack.post(b, webhook());
    await new Promise((r) => setTimeout(r, Number(early.headers['retry-after'] ?? 5) * 1000));
    const res = await stack.post(b, webhook());

    // Assess
    expect(early.status).toBe(503);
    expect(Number(early.headers['retry-after'])).toBeLessThanOrEqual(8);
    expect(res.status).toBe(200);
    const { contacts, incidents } = stack.emulator.state();
    expect(contacts).toHaveLength(1);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.threads).toHaveLength(1);
    expect(res.json).toMatchObject({ incidentId: incidents[0]!.id, contactId: contacts[0]!.id, contactCreated: true });
    // The resumed run looked for the incident first (the create was in doubt), then made it once.
    const made = calls(stack.emulator);
    expect(made.filter((c) => c.startsWith('POST'))).toEqual(['POST /contacts', 'POST /incidents', 'POST /incidents']);
    expect(made.slice(made.indexOf('POST /incidents') + 1, made.lastIndexOf('POST /incidents'))).toContain(
      'GET /incidents',
    );
    expect(b.output()).toContain('"message":"run resumed"');
  });
});
