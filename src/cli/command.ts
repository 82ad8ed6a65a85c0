/**
 * How a subcommand of `sms-incident` is declared: its words, its options and its help, in one
 * value. The dispatcher (`cli.ts`) parses the options with `node:util` `parseArgs` in strict mode,
 * prints the help, and turns every usage mistake into one readable line. To add a subcommand,
 * export a {@link CliCommand} from a file of its own and list it in `commands.ts`.
 */

export interface CliIo {
  readonly env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
}

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The value's placeholder in the help, e.g. `<when>`. */
  readonly value?: string;
  /** One line (more lines are indented under it). */
  readonly help: string;
}

export interface PositionalSpec {
  /** The placeholder in the usage line, e.g. `<runId>`. */
  readonly name: string;
  readonly required: boolean;
  readonly help?: string;
}

/** What a command's `run` receives: options by name (`--dry-run` as `dry-run`), and its positionals. */
export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

export interface CliCommand {
  /** The words after `sms-incident`, e.g. `['runs', 'list']`. */
  readonly name: readonly string[];
  /** One line for the overview (`sms-incident --help`). */
  readonly summary: string;
  readonly positionals?: readonly PositionalSpec[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Paragraphs printed after the options: other forms, defaults, examples. */
  readonly details?: string;
  /** Resolves to the exit code: 0 ok, 1 failed or not found; throw {@link UsageError} for 2. */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** A mistake in how the command was called: the dispatcher prints it with the command's usage line, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--journal`, shared by the commands that read the run journal. */
export const JOURNAL_OPTION: OptionSpec = {
  type: 'string',
  value: '<location>',
  help: 'file:<dir> | oci-os://<namespace>/<bucket>[/<prefix>]\n(default: $run_journal, else the newest `npm start` session under ./.runs)',
};

export const JSON_OPTION: OptionSpec = {
  type: 'boolean',
  help: 'machine-readable output on stdout (messages go to stderr)',
};
