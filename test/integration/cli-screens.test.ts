/**
 * Every screen of the built `sms-incident` CLI tells the truth (issue 18), against a journal the
 * function made through the fdk: help that lists every command, usage errors that name the
 * mistake and what was meant, short run ids.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { webhook } from '../helpers/exactly-once-stack.js';

let stack: Stack;
let dir: string;
let journal: string;
let failedRunId: string;
let okRunId: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-screens-'));
  journal = `file:${join(dir, 'runs')}`;
  stack = await startStack({ env: { run_journal: journal } });
  stack.emulator.addFault({
    method: 'POST',
    path: '/incidents',
    action: 'status',
    status: 400,
    errorCode: 'OSC-CREST-00006',
    detail: 'bad incident',
    times: 1,
  });
  const failed = await stack.post(webhook({ sid: 'SM00000000000000000000000000000001' }));
  const ok = await stack.post(webhook({ sid: 'SM00000000000000000000000000000002' }));
  failedRunId = failed.json.runId as string;
  okRunId = ok.json.runId as string;
});
afterAll(async () => {
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('sms-incident help and usage errors (built CLI)', () => {
  it('--help lists doctor next to the runs commands, and doctor --help prints help', async () => {
    // Act
    const top = await cli(['--help']);
    const doctorHelp = await cli(['doctor', '--help']);

    // Assess
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/^ {2}doctor +check a B2C Service site/m);
    expect(top.stdout).toMatch(/^ {2}runs redrive /m);
    expect(top.stdout).toContain('SMS_INCIDENT_TRACE_URL');
    expect(doctorHelp.code).toBe(0);
    expect(doctorHelp.stdout).toContain('usage: sms-incident doctor [options]');
  });

  it('doctor with nothing set names the settings it misses', async () => {
    const { code, stdout } = await cli(['doctor']);
    expect(code).toBe(1);
    expect(stdout).toContain('not set: b2cservice_hostname, b2cservice_username, b2cservice_password');
    expect(stdout).not.toContain('expected string, received undefined');
  });

  it.each([
    [['runs', 'list', '--limit', 'abc'], '--limit takes a whole number from 1 to 100000, not "abc"'],
    [['runs', 'list', '--since', 'yesterday'], '--since takes a time back from now (30m, 6h, 2d) or an ISO-8601 time'],
    [['runs', 'list', '--stauts', 'failed'], 'unknown option --stauts (did you mean --status?)'],
    [['runs', 'list', '--step', 'nosuch'], '--step: no step "nosuch"; one of lookup-contact'],
    [['runs', 'show'], 'show needs <runId|messageId>'],
  ])('%j exits 2 with a line that names the mistake', async (argv, message) => {
    const { code, stderr, stdout } = await cli([...argv, '--journal', journal]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/NaN|--id|--since: --since/);
    expect(stdout).toBe('');
  });

  it('takes a unique start of a run id for show and redrive', async () => {
    // Act
    const show = await cli(['runs', 'show', failedRunId.slice(0, 8), '--journal', journal]);
    const redrive = await cli(['runs', 'redrive', failedRunId.slice(0, 8), '--queue-only', '--journal', journal]);
    const tooShort = await cli(['runs', 'show', okRunId.slice(0, 3), '--journal', journal]);

    // Assess
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(`run       ${failedRunId}`);
    expect(redrive.code).toBe(0);
    expect(redrive.stdout).toContain(`run ${failedRunId} queued`);
    expect(tooShort.code).toBe(1);
  });
});

describe('which journal a listing read (built CLI)', () => {
  it('refuses a journal that does not exist, exit 1, instead of "no runs match"', async () => {
    const { code, stdout, stderr } = await cli(['runs', 'list', '--journal', `file:${join(dir, 'nope')}`]);
    expect(code).toBe(1);
    expect(stdout).not.toContain('no runs match');
    expect(stderr).toContain(`no journal at file:${join(dir, 'nope')} (from --journal)`);
  });

  it('names the journal it read and where that came from', async () => {
    const flag = await cli(['runs', 'list', '--journal', journal]);
    const env = await cli(['runs', 'list'], { run_journal: journal });
    expect(flag.stderr).toContain(`journal ${journal} (from --journal); runs started since`);
    expect(env.stderr).toContain(`journal ${journal} (from $run_journal)`);
    expect(env.stdout).toContain(okRunId);
  });

  it('without --journal or $run_journal, reads the newest npm start session of the folder, as --help says, or asks which', async () => {
    // Prepare: a folder with two sessions, the newer empty; another with none
    const work = await mkdtemp(join(tmpdir(), 'cli-cwd-'));
    await mkdir(join(work, '.runs', 'local-20261201T000000000Z-1'), { recursive: true });
    await mkdir(join(work, '.runs', 'local-20261202T000000000Z-2'), { recursive: true });
    const empty = await mkdtemp(join(tmpdir(), 'cli-cwd-'));

    // Act
    const newest = await cli(['runs', 'list'], {}, { cwd: work });
    const none = await cli(['runs', 'list'], {}, { cwd: empty });
    const help = await cli(['runs', 'list', '--help']);

    // Assess
    expect(newest.code).toBe(0);
    expect(newest.stderr).toContain(
      `journal file:${join(work, '.runs', 'local-20261202T000000000Z-2')} (from the newest npm start session)`,
    );
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('which journal? pass --journal');
    expect(help.stdout).toContain('(default: $run_journal, else the newest `npm start` session under ./.runs)');
    await rm(work, { recursive: true, force: true });
    await rm(empty, { recursive: true, force: true });
  });
});

describe('runs redrive screens (built CLI)', () => {
  it("--json is JSON alone on stdout; the run's log lines go to stderr and call it a redrive, not a verified webhook", async () => {
    // Prepare: a run that failed for good
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 400,
      errorCode: 'OSC-CREST-00006',
      detail: 'bad incident',
      times: 1,
    });
    const failed = await stack.post(webhook({ sid: 'SM00000000000000000000000000000003' }));
    const runId = failed.json.runId as string;
    const b2c = {
      b2cservice_hostname: stack.emulator.url,
      b2cservice_username: 'sms-api',
      b2cservice_password: 'pa55-w0rd-not-for-logs',
    };

    // Act
    const redrive = await cli(['runs', 'redrive', runId, '--json', '--journal', journal], {
      ...b2c,
      log_level: 'info',
    });

    // Assess
    expect(redrive.code).toBe(0);
    expect(JSON.parse(redrive.stdout)).toMatchObject({ runId, outcome: 'succeeded', answer: { status: 200 } });
    const restarted = redrive.stderr.split('\n').find((l) => l.includes('"message":"run restarted"'));
    expect(JSON.parse(restarted ?? '{}')).toMatchObject({
      runId,
      origin: 'redrive',
      by: expect.stringMatching(/^cli@/),
    });
    expect(redrive.stderr).not.toContain('"signature":"verified"');
  });

  it('redrive --status failed names each incident made, and a dry run without the B2C settings says they are missing', async () => {
    // Prepare
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 400,
      errorCode: 'OSC-CREST-00006',
      detail: 'bad incident',
      times: 1,
    });
    const failed = await stack.post(webhook({ sid: 'SM00000000000000000000000000000004' }));
    const runId = failed.json.runId as string;
    const b2c = {
      b2cservice_hostname: stack.emulator.url,
      b2cservice_username: 'sms-api',
      b2cservice_password: 'pa55-w0rd-not-for-logs',
    };

    // Act
    const dry = await cli(['runs', 'redrive', '--status', 'failed', '--dry-run', '--journal', journal]);
    const all = await cli(['runs', 'redrive', '--status', 'failed', '--since', '1h', '--journal', journal], b2c);

    // Assess
    expect(dry.code).toBe(1);
    expect(dry.stdout).not.toContain('would redrive');
    expect(dry.stderr).toContain(
      "needs the function's config in the environment (b2cservice_hostname, b2cservice_username, b2cservice_password); or pass --queue-only",
    );
    expect(all.code).toBe(0);
    const incident = stack.emulator.state().incidents.at(-1)!;
    expect(all.stdout).toMatch(
      new RegExp(
        `^${runId}  twilio:SM0+4  redriven: succeeded  \\(incident ${incident.id} ${incident.referenceNumber}\\)$`,
        'm',
      ),
    );
  });
});
