/**
 * The claim when the journal hiccups, through the real fdk: a Twilio message (signed as Twilio
 * signs it) meets an Object Storage journal (the stand-in, signatures checked) whose claim
 * requests fail for a moment. Without a claim the message is lost (Twilio sends nothing after its
 * fallback request), so the claim waits out transient faults while Twilio still listens, and
 * knows its own claim when a write it thought failed was applied.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRunRecord } from '../../src/journal/index.js';
import { startFunction, type FnProcess } from '../../src/local/index.js';
import { ociTestIdentity } from '../helpers/oci-keys.js';
import {
  startObjectStorageStandin,
  type ObjectStorageStandin,
  type StandinFault,
} from '../helpers/object-storage-standin.js';
import { startTwoContainers, until, type TwoContainers } from '../helpers/exactly-once-stack.js';
import { sweepOnce } from '../helpers/sweeper.js';
import { ENTRY, ROUTE, postTwilioForm } from '../helpers/stack.js';
import { TWILIO_AUTH_TOKEN } from '../helpers/sign-twilio.js';

let stack: TwoContainers | undefined;
let standin: ObjectStorageStandin | undefined;
const sweepers: FnProcess[] = [];
afterEach(async () => {
  await Promise.allSettled([stack?.stop(), standin?.close(), ...sweepers.splice(0).map((f) => f.stop())]);
  stack = undefined;
  standin = undefined;
});

const FORM = readFileSync(new URL('../fixtures/providers/twilio-messaging-webhook.form', import.meta.url), 'utf8');
const SID = new URLSearchParams(FORM).get('MessageSid')!;
const FALLBACK_ROUTE = `${ROUTE}?fallback=1`;
/** Twilio's fallback request: the same form plus `ErrorCode` and `ErrorUrl`, signed over the fallback URL. */
const FALLBACK_FORM = `${FORM}&ErrorCode=11200&ErrorUrl=${encodeURIComponent(`https://gw.example.com${ROUTE}`)}`;

/**
 * Two containers on an Object Storage journal whose requests for run records meet `plan` in turn
 * (1-based: the n-th request's fault, or a function of n).
 */
async function start(
  plan: Record<number, StandinFault> | ((n: number) => StandinFault | undefined),
  env: Record<string, string> = {},
): Promise<TwoContainers> {
  const identity = ociTestIdentity();
  standin = await startObjectStorageStandin({ keys: new Map([[identity.keyId, identity.publicKeyPem]]) });
  let n = 0;
  const faultOf = typeof plan === 'function' ? plan : (i: number) => plan[i];
  standin.setFaultPolicy(({ path }) => (isRunRecord(path) ? faultOf(++n) : undefined));
  return startTwoContainers({
    env: {
      ...identity.env,
      run_journal: 'oci-os://tenancyns/sms-runs/prod',
      oci_objectstorage_endpoint: standin.url,
      webhook_signature: 'required',
      twilio_auth_token: TWILIO_AUTH_TOKEN,
      ...env,
    },
  });
}

const isRunRecord = (path: string): boolean => path.includes('%2Fruns%2F');

/** The run-record requests the stand-in saw, as `METHOD status` (0: connection dropped). */
function recordRequests(s: ObjectStorageStandin): string[] {
  return s
    .requests()
    .filter((r) => isRunRecord(r.path))
    .map((r) => `${r.method} ${r.status}`);
}

/** The index entries the bucket holds (their kind), sorted. */
function indexNames(s: ObjectStorageStandin): string[] {
  return [...s.objects().keys()]
    .map((name) => /\/(by-run|by-time)\//.exec(name)?.[1])
    .filter((kind): kind is string => kind !== undefined)
    .sort();
}

function theRun(s: ObjectStorageStandin) {
  const stored = [...s.objects().entries()].filter(([name]) => name.includes('/runs/'));
  expect(stored).toHaveLength(1);
  return parseRunRecord(JSON.parse(stored[0]![1].body));
}

/** One incident carrying one note, for this message. */
function expectOneIncidentOneNote(s: TwoContainers): void {
  const { incidents } = s.emulator.state();
  expect(incidents).toHaveLength(1);
  expect(incidents[0]!.threads.map((t) => /^Message ID: (.*)$/m.exec(t.text)?.[1])).toEqual([SID]);
}

const status = (code: number): StandinFault => ({ kind: 'status', status: code });

/** The sweeper, once the run's lease has ended. */
async function sweepAfterTheLease(s: TwoContainers) {
  const sweeper = await startFunction({
    entry: ENTRY,
    timeoutMs: 60_000,
    env: { ...s.env, function_role: 'sweeper', sweep_backoff_initial_ms: '0' },
  });
  sweepers.push(sweeper);
  const leaseEnd = theRun(standin!).lease!.expiresAt;
  await new Promise((r) => setTimeout(r, Math.max(0, leaseEnd - Date.now() + 200)));
  return sweepOnce(sweeper);
}

describe('the claim waits out transient journal faults while the provider listens', { timeout: 60_000 }, () => {
  it('claims although its first four PUTs are refused with 503/500 (both SDK tries, twice): 200, one incident, one note', async () => {
    // Prepare: the create fails on both of the SDK's tries; read back (nothing there), it fails on both again
    stack = await start({ 1: status(503), 2: status(500), 4: status(503), 5: status(500) });

    // Act
    const answer = await postTwilioForm(stack.fns[0], FORM);

    // Assess
    expect(answer.status).toBe(200);
    expectOneIncidentOneNote(stack);
    expect(recordRequests(standin!).slice(0, 7)).toEqual([
      'PUT 503',
      'PUT 500',
      'GET 404',
      'PUT 503',
      'PUT 500',
      'GET 404',
      'PUT 200',
    ]);
    expect(theRun(standin!)).toMatchObject({ status: 'succeeded', executions: 1, duplicates: 0 });
  });

  it('knows its claim applied, then answered 500, as its own, though the re-sent PUT and the read-back fail too: 200, not busy, not a duplicate', async () => {
    // Prepare: the claim is stored but answered 500; the SDK's second try meets 500; both tries of the read-back 503
    stack = await start({
      1: { kind: 'apply-then-status', status: 500 },
      2: status(500),
      3: status(503),
      4: status(503),
    });

    // Act
    const answer = await postTwilioForm(stack.fns[0], FORM);

    // Assess
    expect(answer.status).toBe(200);
    expectOneIncidentOneNote(stack);
    expect(recordRequests(standin!).slice(0, 5)).toEqual(['PUT 500', 'PUT 500', 'GET 503', 'GET 503', 'GET 200']);
    // one claim, never written again as a second one: the run went on from the record it found
    const run = theRun(standin!);
    expect(run).toMatchObject({ status: 'succeeded', executions: 1, duplicates: 0 });
    expect(run.history.filter((h) => h.event === 'claimed')).toHaveLength(1);
    expect(run.history.map((h) => h.event)).not.toContain('duplicate');
    // and indexed as a create that answered would be: the sweeper and the runs CLI find runs by it
    await until(() => indexNames(standin!).length === 2);
    expect(indexNames(standin!)).toEqual(['by-run', 'by-time']);
  });

  it('leaves a claim that landed but could not be read back findable: after a 503 and a busy fallback, the sweeper finishes it', async () => {
    // Prepare: the claim lands but answers 500; every run-record request fails until the primary has answered;
    // the lease outlives the fallback (margin 10 s); the sweeper resumes cut-off runs at once
    let down = true;
    stack = await start(
      (n) => (n === 1 ? { kind: 'apply-then-status', status: 500 } : down ? status(503) : undefined),
      {
        twilio_patience_ms: '5000',
        run_journal_lease_margin_ms: '10000',
        b2cservice_late_write_window_ms: '0',
      },
    );
    const primary = await postTwilioForm(stack.fns[0], FORM);
    down = false;
    const fallback = await postTwilioForm(stack.fns[1], FALLBACK_FORM, FALLBACK_ROUTE);

    // Act
    const swept = await sweepAfterTheLease(stack);

    // Assess
    expect(primary.status).toBe(503);
    expect(primary.json).toMatchObject({ message: 'run journal unavailable, retry later' });
    expect(fallback.status).toBe(503);
    expect(fallback.json).toMatchObject({ message: 'this message is being processed; retry later' });
    expect(swept.status).toBe(200);
    expect(swept.json).toMatchObject({ runs: [{ outcome: 'completed' }] });
    expectOneIncidentOneNote(stack);
    expect(theRun(standin!)).toMatchObject({ status: 'succeeded', executions: 2 });
  });

  it("finds a run whose owner died before its index writes landed: the fallback's 'busy' indexes it, the sweeper finishes it", async () => {
    // Prepare: the index writes fail while the primary runs (it hangs on its first B2C call); then it is killed
    let indexDown = true;
    const identity = ociTestIdentity();
    standin = await startObjectStorageStandin({ keys: new Map([[identity.keyId, identity.publicKeyPem]]) });
    standin.setFaultPolicy(({ method, path }) =>
      indexDown && method === 'PUT' && /%2Fby-(time|run)%2F/.test(path) ? status(503) : undefined,
    );
    stack = await startTwoContainers({
      env: {
        ...identity.env,
        run_journal: 'oci-os://tenancyns/sms-runs/prod',
        oci_objectstorage_endpoint: standin.url,
        webhook_signature: 'required',
        twilio_auth_token: TWILIO_AUTH_TOKEN,
        b2cservice_late_write_window_ms: '0',
      },
    });
    const [a, b] = stack.fns;
    stack.emulator.addFault({ method: 'GET', path: '/contacts', action: 'hang', times: 1 });
    const primary = postTwilioForm(a, FORM);
    // both entries given up: two tries of two SDK attempts each
    await until(() => standin!.requests().filter((r) => /%2Fby-/.test(r.path) && r.status === 503).length >= 8);
    a.kill('SIGKILL');
    await primary;
    indexDown = false;

    // Act: Twilio's fallback meets the dead owner's live lease; the sweeper comes once it has ended
    const fallback = await postTwilioForm(b, FALLBACK_FORM, FALLBACK_ROUTE);
    const swept = await sweepAfterTheLease(stack);

    // Assess
    expect(fallback.status).toBe(503);
    expect(fallback.json).toMatchObject({ message: 'this message is being processed; retry later' });
    expect(swept.json).toMatchObject({ runs: [{ outcome: 'completed' }] });
    expectOneIncidentOneNote(stack);
    expect(theRun(standin!)).toMatchObject({ status: 'succeeded', executions: 2 });
  });

  it("answers 503 'journal unavailable' before Twilio stops listening when the journal stays down, after trying again meanwhile", async () => {
    // Prepare: every request for the run record fails; Twilio's patience set to 5 s (the answer is due by 3 s)
    stack = await start(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [i + 1, status(503)])), {
      twilio_patience_ms: '5000',
    });

    // Act
    const started = Date.now();
    const answer = await postTwilioForm(stack.fns[0], FORM);
    const elapsed = Date.now() - started;

    // Assess
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(elapsed).toBeLessThan(5_000);
    expect(stack.emulator.requests()).toEqual([]);
    // more than one create and one read-back (2 SDK tries each): the claim tried again while there was time
    expect(recordRequests(standin!).length).toBeGreaterThan(4);
    expect(stack.fns[0].output()).toMatch(/"message":"run journal unavailable".*"triedForMs":\d{4}/);
  });
});

/** The index entries' PUTs (by-time, by-run) meet `fault` for the n-th PUT of each kind. */
function faultIndexPuts(s: ObjectStorageStandin, fault: (n: number) => StandinFault | undefined): void {
  const puts = new Map<string, number>();
  s.setFaultPolicy(({ method, path }) => {
    const kind = /%2Fby-(time|run)%2F/.exec(path)?.[1];
    if (method !== 'PUT' || kind === undefined) return undefined;
    const n = (puts.get(kind) ?? 0) + 1;
    puts.set(kind, n);
    return fault(n);
  });
}

describe('a claimed run is in the index before it writes to B2C: the sweeper finds it', { timeout: 60_000 }, () => {
  it('retries failing index writes before the first B2C write; killed at that write, with no later delivery, the sweeper finishes the run', async () => {
    // Prepare: each index entry's first four PUTs fail (as many as two tries of the SDK's two attempts; one
    // more and the SDK's breaker, ten calls 80 % failed, would open); the first B2C write hangs, and the
    // container is killed there; no fallback comes
    stack = await start(() => undefined, {
      twilio_patience_ms: '10000',
      run_journal_lease_margin_ms: '1000',
      b2cservice_late_write_window_ms: '0',
    });
    faultIndexPuts(standin!, (n) => (n <= 4 ? status(503) : undefined));
    stack.emulator.addFault({ method: 'POST', path: '/contacts', action: 'hang', times: 1 });
    const primary = postTwilioForm(stack.fns[0], FORM);
    await until(() => stack!.emulator.requests().some((r) => r.method === 'POST'));
    const indexedBeforeTheWrite = indexNames(standin!);
    stack.fns[0].kill('SIGKILL');
    await primary;

    // Act
    const swept = await sweepAfterTheLease(stack);

    // Assess
    expect(swept.json).toMatchObject({ runs: [{ outcome: 'completed' }] });
    expectOneIncidentOneNote(stack);
    expect(theRun(standin!)).toMatchObject({ status: 'succeeded', executions: 2 });
    expect(indexedBeforeTheWrite).toEqual(['by-run', 'by-time']);
  });

  it("answers 503 'journal unavailable' and writes nothing to B2C when the index cannot be written; the fallback's 'busy' indexes it, the sweeper finishes it", async () => {
    // Prepare: every index PUT fails until the primary has answered (the claim itself lands)
    let indexDown = true;
    stack = await start(() => undefined, {
      twilio_patience_ms: '5000',
      run_journal_lease_margin_ms: '5000',
      b2cservice_late_write_window_ms: '0',
    });
    faultIndexPuts(standin!, () => (indexDown ? status(503) : undefined));

    // Act
    const primary = await postTwilioForm(stack.fns[0], FORM);
    const b2cCallsAfterThePrimary = stack.emulator.requests().length;
    indexDown = false;
    const fallback = await postTwilioForm(stack.fns[1], FALLBACK_FORM, FALLBACK_ROUTE);
    const swept = await sweepAfterTheLease(stack);

    // Assess
    expect(primary.status).toBe(503);
    expect(primary.json).toMatchObject({ message: 'run journal unavailable, retry later' });
    expect(stack.fns[0].output()).toMatch(/"message":"run journal unavailable".*"error":"Object Storage index failed/);
    expect(b2cCallsAfterThePrimary).toBe(0);
    expect(fallback.status).toBe(503);
    expect(fallback.json).toMatchObject({ message: 'this message is being processed; retry later' });
    expect(swept.json).toMatchObject({ runs: [{ outcome: 'completed' }] });
    expectOneIncidentOneNote(stack);
    expect(theRun(standin!)).toMatchObject({ status: 'succeeded', executions: 2 });
  });
});
