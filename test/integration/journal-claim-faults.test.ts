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
import { ociTestIdentity } from '../helpers/oci-keys.js';
import {
  startObjectStorageStandin,
  type ObjectStorageStandin,
  type StandinFault,
} from '../helpers/object-storage-standin.js';
import { startTwoContainers, type TwoContainers } from '../helpers/exactly-once-stack.js';
import { postTwilioForm } from '../helpers/stack.js';
import { TWILIO_AUTH_TOKEN } from '../helpers/sign-twilio.js';

let stack: TwoContainers | undefined;
let standin: ObjectStorageStandin | undefined;
afterEach(async () => {
  await Promise.allSettled([stack?.stop(), standin?.close()]);
  stack = undefined;
  standin = undefined;
});

const FORM = readFileSync(new URL('../fixtures/providers/twilio-messaging-webhook.form', import.meta.url), 'utf8');
const SID = new URLSearchParams(FORM).get('MessageSid')!;

/** Two containers on an Object Storage journal whose requests for run records meet `plan` in turn (1-based). */
async function start(plan: Record<number, StandinFault>, env: Record<string, string> = {}): Promise<TwoContainers> {
  const identity = ociTestIdentity();
  standin = await startObjectStorageStandin({ keys: new Map([[identity.keyId, identity.publicKeyPem]]) });
  let n = 0;
  standin.setFaultPolicy(({ path }) => (isRunRecord(path) ? plan[++n] : undefined));
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
