import { afterEach, describe, expect, it } from 'vitest';
import { FROM, calls, startTwoContainers, webhook, type TwoContainers } from '../helpers/exactly-once-stack.js';
import { cli } from '../helpers/cli.js';

let stack: TwoContainers | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('sms-incident runs (the built CLI) on the journal the functions wrote', () => {
  it('shows a failed run in one screen: failed step, reason, attempts, trace field, B2C ids; then redrives it into one incident', async () => {
    // Prepare: the incident's create is throttled on all three attempts, so the run fails and is undone
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
    const failed = await stack.post(stack.fns[0], webhook());
    const journal = `file:${stack.journalDir}`;

    // Act
    const show = await cli(['runs', 'show', 'SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX', '--journal', journal]);
    const list = await cli([
      'runs',
      'list',
      '--status',
      'failed',
      '--step',
      'create-incident',
      '--json',
      '--journal',
      journal,
    ]);
    const redrive = await cli(['runs', 'redrive', failed.json.runId as string, '--journal', journal], stack.env);
    const after = await cli(['runs', 'list', '--journal', journal]);

    // Assess: the failure
    expect(failed.status).toBe(502);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(
      `run       ${failed.json.runId as string}  sms-to-incident  FAILED  (compensation completed)`,
    );
    expect(show.stdout).toMatch(/FAILED {4}create-incident after 3 attempts: OSC-CREST-00035: .* \(retryable\)/);
    expect(show.stdout).toMatch(/trace {5}(- \(not recorded\)|[0-9a-f]{32})/);
    expect(show.stdout).toMatch(
      /b2c {7}contact \d+ \(created by this run\) {3}incident - {3}\[create-contact undo kept\]/,
    );
    expect(show.stdout).toContain(`next      sms-incident runs redrive ${failed.json.runId as string}`);
    expect(show.stdout).toMatch(/create-incident +1 +\d\d:\d\d:\d\d\.\d{3} +\d+ ms +OSC-CREST-00035: .* +\d+ ms/);
    expect(show.stdout).not.toContain(FROM);
    expect(show.stdout.split('\n').length).toBeLessThanOrEqual(40);
    const listed = JSON.parse(list.stdout) as { runId: string; step: string; attempts: number }[];
    expect(listed).toEqual([
      expect.objectContaining({ runId: failed.json.runId, step: 'create-incident', attempts: 3, status: 'failed' }),
    ]);
    // Assess: the redrive
    expect(redrive.code).toBe(0);
    expect(redrive.stdout).toContain(`run ${failed.json.runId as string} redriven: succeeded`);
    const { incidents, contacts } = stack.emulator.state();
    expect(incidents).toHaveLength(1);
    expect(contacts).toHaveLength(1);
    expect(incidents[0]!.threads).toHaveLength(1);
    expect(after.stdout).toMatch(
      new RegExp(`${failed.json.runId as string} +succeeded +twilio:SMX+ +- +2 +0 +${incidents[0]!.id}`),
    );
    // a late redelivery gets the redriven result, with no B2C traffic
    const before = calls(stack.emulator).length;
    const late = await stack.post(stack.fns[1], webhook());
    expect(late.status).toBe(200);
    expect(late.json.incidentId).toBe(incidents[0]!.id);
    expect(calls(stack.emulator)).toHaveLength(before);
  });

  it('restarts a retryably failed run on the next delivery, from the first step that must be redone', async () => {
    // Prepare: an existing contact, and an incident creation throttled three times
    stack = await startTwoContainers();
    const known = stack.emulator.seedContact(FROM);
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 503,
      errorCode: 'OSC-CREST-00035',
      nextRequestAfterMs: 10,
      times: 3,
    });
    const failed = await stack.post(stack.fns[0], webhook());

    // Act
    const retried = await stack.post(stack.fns[1], webhook());

    // Assess
    expect(failed.status).toBe(502);
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ runId: failed.json.runId, contactId: known.id, contactCreated: false });
    expect(stack.emulator.state().incidents).toHaveLength(1);
    expect(stack.fns[1].output()).toContain('"message":"run restarted"');
    // the contact look-up was read again (it may have gone stale), and the restarted run checked for a
    // contact of its own from the earlier execution (none: that one found the contact); nothing was created twice
    const contactQueries = stack.emulator
      .requests()
      .filter((r) => r.method === 'GET' && r.resource === '/contacts')
      .map((r) => r.query.q ?? '');
    expect(
      contactQueries.map((q) => (q.includes('externalReference') ? 'marker' : q.includes('rawNumber') ? 'phone' : q)),
    ).toEqual(['phone', 'phone', 'marker']);
    expect(calls(stack.emulator).filter((c) => c.startsWith('POST'))).toEqual([
      'POST /incidents',
      'POST /incidents',
      'POST /incidents',
      'POST /incidents',
    ]);
  });

  it('refuses to redrive a run that succeeded, and says why', async () => {
    // Prepare
    stack = await startTwoContainers();
    const ok = await stack.post(stack.fns[0], webhook());

    // Act
    const res = await cli(
      ['runs', 'redrive', ok.json.runId as string, '--journal', `file:${stack.journalDir}`],
      stack.env,
    );
    const missing = await cli(['runs', 'show', 'no-such-run', '--journal', `file:${stack.journalDir}`]);
    const usage = await cli(['runs', 'list', '--since', 'yesterday']);

    // Assess
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('succeeded: nothing to redrive');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no run no-such-run');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--since takes a time back from now (30m, 6h, 2d) or an ISO-8601 time');
  });

  it('redrives every failed run of the last hours in bulk, one line per run, and is safe to run twice', async () => {
    // Prepare: two messages refused for good at create-incident (a site-side validation error), then the site is fixed
    stack = await startTwoContainers();
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 400,
      errorCode: 'OSC-CREST-00006',
      times: 2,
    });
    const one = await stack.post(stack.fns[0], webhook({ sid: 'SM11111111111111111111111111111111' }));
    const two = await stack.post(stack.fns[1], webhook({ sid: 'SM22222222222222222222222222222222', body: 'second' }));
    const journal = `file:${stack.journalDir}`;

    // Act
    const dry = await cli(
      ['runs', 'redrive', '--status', 'failed', '--since', '2h', '--dry-run', '--journal', journal],
      stack.env,
    );
    const incidentsAfterDry = stack.emulator.state().incidents.length;
    const bulk = await cli(['runs', 'redrive', '--status', 'failed', '--since', '2h', '--journal', journal], stack.env);
    const again = await cli(
      ['runs', 'redrive', '--status', 'failed', '--since', '2h', '--journal', journal],
      stack.env,
    );

    // Assess
    expect([one.status, two.status]).toEqual([502, 502]);
    expect(dry.code).toBe(0);
    expect(
      dry.stdout
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('{')),
    ).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${one.json.runId as string}  twilio:SM1{32}  would redrive  \\(failed at create-incident: OSC-CREST-00006\\)$`,
        ),
      ),
      expect.stringMatching(new RegExp(`^${two.json.runId as string}  twilio:SM2{32}  would redrive`)),
    ]);
    expect(incidentsAfterDry).toBe(0);
    expect(bulk.code).toBe(0);
    // (the run's own log lines go to stderr: stdout is the screen alone)
    const [first, second] = stack.emulator.state().incidents;
    expect(bulk.stdout.trim().split('\n')).toEqual([
      `${one.json.runId as string}  twilio:${`SM${'1'.repeat(32)}`}  redriven: succeeded  (incident ${first?.id} ${first?.referenceNumber})`,
      `${two.json.runId as string}  twilio:${`SM${'2'.repeat(32)}`}  redriven: succeeded  (incident ${second?.id} ${second?.referenceNumber})`,
    ]);
    expect(stack.emulator.state().incidents.map((i) => i.threads.length)).toEqual([1, 1]);
    expect(again.code).toBe(0);
    expect(
      again.stdout
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('{')),
    ).toEqual(['no failed runs to redrive']);
    expect(stack.emulator.state().incidents).toHaveLength(2);
  });
});
