/**
 * Every screen of the built `sms-incident` CLI tells the truth (issue 18), against a journal the
 * function made through the fdk: help that lists every command, usage errors that name the
 * mistake and what was meant, short run ids.
 */
import { mkdtemp, rm } from 'node:fs/promises';
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
  stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'status', status: 400, errorCode: 'OSC-CREST-00006', detail: 'bad incident', times: 1 });
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
