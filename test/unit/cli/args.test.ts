import { describe, expect, it } from 'vitest';
import { parseCommand, UsageError } from '../../../src/cli/index.js';

describe('parseCommand (sms-incident runs …)', () => {
  it('reads list filters', () => {
    // Act
    const before = Date.now();
    const command = parseCommand([
      'runs',
      'list',
      '--status',
      'failed',
      '--since',
      '2h',
      '--step',
      'add-thread',
      '--limit',
      '5',
      '--json',
      '--journal',
      'file:/tmp/r',
    ]);

    // Assess
    expect(command).toMatchObject({
      command: 'list',
      status: 'failed',
      step: 'add-thread',
      limit: 5,
      json: true,
      journal: 'file:/tmp/r',
    });
    const after = Date.now();
    const since = (command as { since: number }).since;
    expect(since).toBeGreaterThanOrEqual(before - 2 * 3_600_000);
    expect(since).toBeLessThanOrEqual(after - 2 * 3_600_000);
  });

  it('accepts an ISO time for --since and defaults the limit', () => {
    expect(parseCommand(['runs', 'list', '--since', '2026-11-27T10:00:00Z'])).toMatchObject({
      since: Date.parse('2026-11-27T10:00:00Z'),
      limit: 50,
      json: false,
    });
  });

  it('reads show and redrive with their flags', () => {
    expect(parseCommand(['runs', 'show', 'SM123'])).toMatchObject({ command: 'show', id: 'SM123' });
    expect(parseCommand(['runs', 'redrive', 'r-1', '--queue-only', '--force'])).toMatchObject({
      command: 'redrive',
      id: 'r-1',
      queueOnly: true,
      force: true,
    });
  });

  it('answers help for no command or -h', () => {
    expect(parseCommand([])).toEqual({ command: 'help' });
    expect(parseCommand(['runs'])).toEqual({ command: 'help' });
    expect(parseCommand(['runs', 'list', '-h'])).toEqual({ command: 'help' });
  });

  it.each([
    [['jobs', 'list'], 'unknown command "jobs"'],
    [['runs', 'purge'], 'unknown runs command "purge"'],
    [['runs', 'show'], 'show needs a run id or a message id'],
    [['runs', 'list', '--status', 'done'], '--status'],
    [['runs', 'list', '--since', 'soon'], '--since must be like 30m, 6h, 2d or an ISO-8601 time'],
    [['runs', 'list', '--limit', '0'], '--limit'],
    [['runs', 'list', '--colour'], "Unknown option '--colour'"],
    [['runs', 'show', 'a', 'b'], 'unexpected argument "b"'],
  ])('refuses %j with a usage error naming the problem', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});
