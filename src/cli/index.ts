/** The SRE CLI over the run journal: `sms-incident runs list|show|redrive`. */
export { runsCommand } from './runs-command.js';
export { parseCommand, USAGE, UsageError } from './args.js';
export { formatShow } from './show-run.js';
export { findRun, listRuns } from './list-runs.js';
