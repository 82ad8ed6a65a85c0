import { describe, expect, it } from 'vitest';
import { COMMANDS, runCli, UsageError, type CliCommand } from '../../../src/cli/index.js';

/** Runs the dispatcher in process; the commands that would read a journal are replaced by `probe`. */
async function call(
  argv: string[],
  commands: readonly CliCommand[] = COMMANDS,
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env: {}, out: (t) => out.push(t), err: (t) => err.push(t) }, commands);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const seen: { values: Record<string, unknown>; positionals: readonly string[] }[] = [];
const probe: CliCommand = {
  name: ['runs', 'probe'],
  summary: 'records what it was given',
  positionals: [{ name: '<id>', required: false }],
  options: {
    limit: { type: 'string', value: '<n>', help: 'n' },
    status: { type: 'string', help: 's' },
    json: { type: 'boolean', help: 'j' },
  },
  async run(args) {
    seen.push(args);
    if (args.values.status === 'bad') throw new UsageError('--status is bad');
    return 0;
  },
};

describe('sms-incident (the dispatcher)', () => {
  it('lists every command, doctor included, and the environment it reads, for --help, help and no arguments', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], []]) {
      // Act
      const { code, out } = await call(argv);

      // Assess
      expect(code).toBe(0);
      for (const name of ['runs list', 'runs show', 'runs redrive', 'doctor', 'SMS_INCIDENT_TRACE_URL', 'run_journal'])
        expect(out).toContain(name);
    }
  });

  it("prints each command's help for --help and -h, doctor included", async () => {
    for (const name of [['runs', 'list'], ['runs', 'show'], ['runs', 'redrive'], ['doctor']]) {
      const { code, out } = await call([...name, '--help']);
      expect(code).toBe(0);
      expect(out).toContain(`usage: sms-incident ${name.join(' ')}`);
    }
    expect((await call(['doctor', '-h'])).out).toContain(
      'b2cservice_hostname, b2cservice_username, b2cservice_password',
    );
  });

  it('lists the runs commands for `runs` alone', async () => {
    const { code, out } = await call(['runs']);
    expect(code).toBe(0);
    expect(out).toMatch(/runs list[\s\S]*runs show[\s\S]*runs redrive/);
    expect(out).not.toContain('doctor');
  });

  it('registers a new command by listing it: options parsed strictly, positionals, help', async () => {
    // Act
    const ok = await call(['runs', 'probe', 'abc', '--limit', '5', '--json'], [...COMMANDS, probe]);
    const help = await call(['runs', 'probe', '--help'], [...COMMANDS, probe]);
    const overview = await call(['runs', '--help'], [...COMMANDS, probe]);

    // Assess
    expect(ok.code).toBe(0);
    expect(seen.at(-1)).toMatchObject({ values: { limit: '5', json: true }, positionals: ['abc'] });
    expect(help.out).toContain('usage: sms-incident runs probe [<id>] [options]');
    expect(overview.out).toContain('runs probe');
  });

  it.each([
    [['runs', 'probe', '--stauts', 'x'], 'unknown option --stauts (did you mean --status?)'],
    [['runs', 'probe', '--limit'], '--limit needs a value <n>'],
    [['runs', 'probe', '--json=yes'], '--json takes no value'],
    [['runs', 'probe', 'a', 'b'], 'unexpected argument "b"'],
    [['runs', 'probe', '--status', 'bad'], '--status is bad'],
  ])('answers %j with one line and the usage, exit 2', async (argv, message) => {
    const { code, err } = await call(argv, [...COMMANDS, probe]);
    expect(code).toBe(2);
    expect(err).toContain(`sms-incident runs probe: ${message}`);
    expect(err).toContain('usage: sms-incident runs probe [<id>] [options]');
  });

  it.each([
    [['jobs', 'list'], 'no command "jobs"'],
    [['rusn', 'list'], 'no command "rusn" (did you mean runs?)'],
    [['runs', 'lsit'], 'sms-incident runs: no command "lsit" (did you mean list?)'],
    [['docter'], 'no command "docter" (did you mean doctor?)'],
    [['runs', 'show'], 'sms-incident runs show: show needs <runId|messageId>'],
    [['runs', 'redrive'], 'redrive needs a run id, or --status failed'],
    [['runs', 'list', '--limit', 'abc'], '--limit takes a whole number from 1 to 100000, not "abc"'],
    [['runs', 'list', '--limit', '0'], '--limit takes a whole number from 1 to 100000, not "0"'],
    [
      ['runs', 'list', '--since', 'soon'],
      '--since takes a time back from now (30m, 6h, 2d) or an ISO-8601 time (2026-12-01T22:00:00Z), not "soon"',
    ],
    [
      ['runs', 'list', '--step', 'nosuch'],
      '--step: no step "nosuch"; one of lookup-contact, create-contact, add-phone, create-incident, add-thread',
    ],
    [['runs', 'list', '--step', 'add-thred'], '--step: no step "add-thred" (did you mean add-thread?)'],
    [['runs', 'list', '--status', 'done'], '--status: no run status "done"; one of running, succeeded, failed, queued'],
    [['runs', 'list', '--stauts', 'failed'], 'unknown option --stauts (did you mean --status?)'],
    [['runs', 'redrive', '--status', 'failed', '--step', 'nosuch'], '--step: no step "nosuch"'],
    [['runs', 'redrive', 'r-1', '--dry-run'], '--dry-run goes with --status failed, not with a run id'],
    [['doctor', 'now'], 'unexpected argument "now" (this command takes none)'],
  ])('refuses %j naming the problem, exit 2', async (argv, message) => {
    const { code, err } = await call(argv);
    expect(code).toBe(2);
    expect(err).toContain(message);
  });
});
