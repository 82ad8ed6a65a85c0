import { parseArgs } from 'node:util';
import { z } from 'zod';
import { RunStatusSchema } from '../journal/index.js';

export const USAGE = `usage: sms-incident runs <command> [options]

commands:
  list                       runs, newest first
      --status <s>           running | succeeded | failed | queued
      --since <when>         30m, 6h, 2d or an ISO-8601 time (default 24h)
      --step <name>          runs that failed at (or are stuck before) this step
      --compensation <c>     failed | completed | none: failed lists what needs a hand in B2C
      --limit <n>            at most n rows (default 50)
      --scan                 read every record, not the time index (runs written before it; slow)
  show <runId|messageId>     one run's timeline: steps, attempts, errors, trace id, B2C ids
  redrive <runId>            start a failed run again from the first step that must be redone,
                             here and now (needs the function's b2cservice_* config in the environment)
  redrive --status failed    every failed run (the morning after an outage), one line per run:
      [--since <when>]       redriven, or skipped and why; safe to run twice
      [--step <name>]        only runs that failed at this step
      [--dry-run]            say what would be redriven, change nothing
      --queue-only           only mark it: the next delivery of the message runs it
      --force                also when a compensation failed (clean up by hand first)

options:
  --journal <location>       file:<dir> | oci-os://<namespace>/<bucket>[/<prefix>]
                             (default: $run_journal, else file:.runs)
  --json                     machine-readable output
  -h, --help`;

const since = z.string().transform((value, ctx) => {
  const rel = /^(\d+)(m|h|d)$/.exec(value);
  if (rel) return Date.now() - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd'];
  const at = Date.parse(value);
  if (Number.isNaN(at)) {
    ctx.addIssue({ code: 'custom', message: '--since must be like 30m, 6h, 2d or an ISO-8601 time' });
    return z.NEVER;
  }
  return at;
});

const CommonSchema = z.object({
  journal: z.string().optional(),
  json: z.boolean().default(false),
  scan: z.boolean().default(false),
});

export const CommandSchema = z.discriminatedUnion('command', [
  CommonSchema.extend({
    command: z.literal('list'),
    status: RunStatusSchema.optional(),
    since: since.optional(),
    step: z.string().min(1).optional(),
    compensation: z.enum(['none', 'completed', 'failed']).optional(),
    limit: z.coerce.number().int().min(1).max(100_000).default(50),
  }),
  CommonSchema.extend({ command: z.literal('show'), id: z.string().min(1, 'show needs a run id or a message id') }),
  CommonSchema.extend({
    command: z.literal('redrive'),
    id: z.string().min(1, 'redrive needs a run id'),
    queueOnly: z.boolean().default(false),
    force: z.boolean().default(false),
  }),
  CommonSchema.extend({
    command: z.literal('redrive-all'),
    status: z.literal('failed', { error: 'redrive takes a run id, or --status failed' }),
    since: since.optional(),
    step: z.string().min(1).optional(),
    dryRun: z.boolean().default(false),
    queueOnly: z.boolean().default(false),
    force: z.boolean().default(false),
  }),
  z.object({ command: z.literal('help') }),
]);
export type Command = z.infer<typeof CommandSchema>;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `runs <command> …` → a validated command; throws {@link UsageError}. */
export function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        journal: { type: 'string' },
        json: { type: 'boolean' },
        status: { type: 'string' },
        since: { type: 'string' },
        step: { type: 'string' },
        compensation: { type: 'string' },
        limit: { type: 'string' },
        'queue-only': { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        force: { type: 'boolean' },
        scan: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [group, command, id, ...extra] = positionals;
  if (values.help || group === undefined || group === 'help') return { command: 'help' };
  if (group !== 'runs') throw new UsageError(`unknown command "${group}" (try: runs list)`);
  if (command === undefined) return { command: 'help' };
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  // `redrive` with no run id and a --status is the bulk form.
  const bulk = command === 'redrive' && id === undefined && values.status !== undefined;
  const result = CommandSchema.safeParse({
    command: bulk ? 'redrive-all' : command,
    dryRun: values['dry-run'],
    id: id ?? '',
    journal: values.journal,
    json: values.json,
    status: values.status,
    since: values.since,
    step: values.step,
    compensation: values.compensation,
    limit: values.limit,
    queueOnly: values['queue-only'],
    force: values.force,
    scan: values.scan,
  });
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.join('.');
    throw new UsageError(
      where === 'command'
        ? `unknown runs command "${command}" (list, show, redrive)`
        : `${where ? `--${where}: ` : ''}${issue?.message ?? 'invalid arguments'}`,
    );
  }
  return result.data;
}
