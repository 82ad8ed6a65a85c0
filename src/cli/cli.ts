/**
 * `sms-incident <command> …`: finds the command by its words, parses its options with `node:util`
 * `parseArgs` (strict: an unknown option is an error, with the closest known one suggested), and
 * prints help (`--help`, `-h`, `help`) at every level. Usage mistakes exit 2 with one line.
 */
import { parseArgs } from 'node:util';
import { UsageError, type CliCommand, type CliIo, type OptionSpec } from './command.js';
import { didYouMean } from './suggest.js';

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', help: 'this help' };

/** What the overview says of the environment the commands read. */
const ENVIRONMENT = `environment:
  run_journal                the journal when --journal is not given (as the function has it)
  b2cservice_*               the function's B2C Service settings: doctor, and runs redrive (not --queue-only)
  SMS_INCIDENT_TRACE_URL     an APM trace link with {traceId} in it: runs show prints it per trace
  log_level                  info or debug: a redrive's run log lines on stderr (default: warnings only)
  oci_objectstorage_endpoint the Object Storage endpoint, for an oci-os:// journal outside OCI
  OCI_CLI_PROFILE            the ~/.oci/config profile for an oci-os:// journal (inside OCI: resource principal)`;

/** Resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, commands: readonly CliCommand[]): Promise<number> {
  const words = leadingWords(argv);
  const command = findCommand(words, commands);
  if (command === undefined) return noCommand(argv, words, io, commands);
  const rest = argv.slice(command.name.length);
  try {
    const parsed = parseOptions(command, rest);
    if (parsed.values.help === true) {
      io.out(helpOf(command));
      return 0;
    }
    return await command.run(parsed, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(
        `sms-incident ${command.name.join(' ')}: ${error.message}\nusage: ${usageLine(command)}\n(sms-incident ${command.name.join(' ')} --help for more)`,
      );
      return 2;
    }
    // What a command refuses (no such run, a redrive that may not run, a journal that cannot be read): one line, exit 1.
    io.err(`sms-incident ${command.name.join(' ')}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

/** The words before the first option: they name the command. */
function leadingWords(argv: readonly string[]): string[] {
  const end = argv.findIndex((a) => a.startsWith('-'));
  return [...(end === -1 ? argv : argv.slice(0, end))];
}

/** The command whose words start `words`, the longest first (`runs redrive` before a `runs` of its own). */
function findCommand(words: readonly string[], commands: readonly CliCommand[]): CliCommand | undefined {
  return [...commands]
    .sort((a, b) => b.name.length - a.name.length)
    .find((c) => c.name.every((w, i) => words[i] === w));
}

/** No command matched: the overview, a group's list, or what was meant. */
function noCommand(
  argv: readonly string[],
  words: readonly string[],
  io: CliIo,
  commands: readonly CliCommand[],
): number {
  const wantsHelp = argv.includes('--help') || argv.includes('-h') || words[0] === 'help';
  const asked = words[0] === 'help' ? words.slice(1) : words;
  // The longest group prefix that some commands share: `runs` lists the runs commands.
  for (let n = asked.length; n > 0; n--) {
    const group = asked.slice(0, n);
    const members = commands.filter((c) => c.name.length > group.length && group.every((w, i) => c.name[i] === w));
    if (members.length === 0) continue;
    const next = asked[n];
    if (next === undefined) {
      const text = overview(members, group);
      if (wantsHelp || argv.length === n) {
        io.out(text);
        return 0;
      }
      io.err(`sms-incident ${group.join(' ')}: which command?\n\n${text}`);
      return 2;
    }
    const names = members.map((c) => c.name[group.length] ?? '');
    io.err(
      `sms-incident ${group.join(' ')}: no command "${next}"${didYouMean(next, [...new Set(names)])}\n\n${overview(members, group)}`,
    );
    return 2;
  }
  if (asked.length === 0) {
    const text = overview(commands, []);
    if (wantsHelp || argv.length === 0) {
      io.out(text);
      return 0;
    }
    io.err(`sms-incident: ${argv[0] ?? ''} is not a command\n\n${text}`);
    return 2;
  }
  const first = asked[0] ?? '';
  io.err(
    `sms-incident: no command "${first}"${didYouMean(first, [...new Set(commands.map((c) => c.name[0] ?? ''))])}\n\n${overview(commands, [])}`,
  );
  return 2;
}

function parseOptions(
  command: CliCommand,
  args: readonly string[],
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options = { ...command.options, help: HELP_OPTION };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: true,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
      ),
    });
  } catch (error) {
    throw new UsageError(describeParseError(error, options));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help === true) return { values, positionals: parsed.positionals };
  const specs = command.positionals ?? [];
  const missing = specs.find((p, i) => p.required && parsed.positionals[i] === undefined);
  if (missing !== undefined) throw new UsageError(`${command.name.at(-1) ?? ''} needs ${missing.name}`);
  const extra = parsed.positionals[specs.length];
  if (extra !== undefined)
    throw new UsageError(`unexpected argument "${extra}"${specs.length === 0 ? ' (this command takes none)' : ''}`);
  return { values, positionals: parsed.positionals };
}

/** parseArgs' errors, in the CLI's words: which option, and what was meant. */
function describeParseError(error: unknown, options: Readonly<Record<string, OptionSpec>>): string {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  const named = /'(-[^' ]+)/.exec(message)?.[1] ?? '';
  const name = named.replace(/^-+/, '');
  const spec = options[name] ?? Object.entries(options).find(([, o]) => o.short === name)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const hint = didYouMean(name, Object.keys(options), '--');
    return `unknown option ${named}${hint}${
      hint
        ? ''
        : ` (options: ${Object.keys(options)
            .map((o) => `--${o}`)
            .join(', ')})`
    }`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const long = Object.keys(options).find((k) => options[k] === spec) ?? name;
    return spec?.type === 'boolean'
      ? `--${long} takes no value`
      : `--${long} needs a value${spec?.value ? ` ${spec.value}` : ''}`;
  }
  return message;
}

/** `sms-incident runs show <runId|messageId> [options]` */
function usageLine(command: CliCommand): string {
  const positionals = (command.positionals ?? []).map((p) => (p.required ? p.name : `[${p.name}]`));
  return ['sms-incident', ...command.name, ...positionals, '[options]'].join(' ');
}

/** A command's full help: usage, what it does, its arguments and options, then its details. */
export function helpOf(command: CliCommand): string {
  const lines = [`usage: ${usageLine(command)}`, '', command.summary];
  const positionals = (command.positionals ?? []).filter((p) => p.help);
  if (positionals.length > 0) {
    lines.push('', 'arguments:');
    for (const p of positionals) lines.push(...column(p.name, p.help ?? ''));
  }
  lines.push('', 'options:');
  for (const [name, o] of Object.entries({ ...command.options, help: HELP_OPTION })) {
    lines.push(...column(`${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`, o.help));
  }
  if (command.details) lines.push('', command.details);
  return lines.join('\n');
}

/** The commands (under a group), one line each. */
export function overview(commands: readonly CliCommand[], group: readonly string[]): string {
  const lines = [`usage: sms-incident ${[...group, '<command>'].join(' ')} [options]`, '', 'commands:'];
  for (const c of commands) lines.push(...column(c.name.join(' '), c.summary));
  lines.push('', `sms-incident <command> --help: a command's arguments and options`);
  if (group.length === 0) lines.push('', ENVIRONMENT);
  return lines.join('\n');
}

function column(left: string, text: string): string[] {
  const [first = '', ...more] = text.split('\n');
  const pad = 29;
  return [
    `  ${left.padEnd(pad - 2)}${left.length > pad - 3 ? `\n${''.padEnd(pad)}` : ''}${first}`,
    ...more.map((l) => `${''.padEnd(pad)}${l}`),
  ];
}
