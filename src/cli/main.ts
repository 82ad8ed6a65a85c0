#!/usr/bin/env node
// `sms-incident runs list|show|redrive`: the SRE's view of the run journal (bundled to dist/cli.js).
import { environment } from '../config.js';
import { runsCommand } from './runs-command.js';

try {
  process.exitCode = await runsCommand(process.argv.slice(2), {
    env: environment(),
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  });
} catch (error) {
  process.stderr.write(`sms-incident: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
