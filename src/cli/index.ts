/** The SRE CLI over the run journal: `sms-incident runs list|show|redrive`. */
export { runsCommand } from './runs-command.js';
export type { CliIo } from './runs-command.js';
export { parseCommand, USAGE, UsageError } from './args.js';
export type { Command } from './args.js';
export { formatShow } from './show-run.js';
export { formatList, findRun, listRuns } from './list-runs.js';
export { runView } from './run-view.js';
export type { RunView } from './run-view.js';
export { redriveRun, RedriveRefused } from './redrive-run.js';
