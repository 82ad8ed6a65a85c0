/** The SRE CLI over the run journal: `sms-incident runs list|show|redrive`, `sms-incident doctor`. */
export { runCli, helpOf, overview } from './cli.js';
export { COMMANDS } from './commands.js';
export { UsageError, type CliCommand, type CliIo } from './command.js';
export { formatShow } from './show-run.js';
export { findRun, listRuns } from './list-runs.js';
