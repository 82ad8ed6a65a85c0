#!/usr/bin/env node
// `sms-incident runs list|show|redrive` (the SRE's view of the run journal) and `sms-incident doctor`
// (the preflight of a B2C site), bundled to dist/cli.js.
import { environment } from '../config.js';
import { doctorCommand } from './doctor.js';
import { runsCommand } from './runs-command.js';

const io = {
  env: environment(),
  out: (text: string) => process.stdout.write(`${text}\n`),
  err: (text: string) => process.stderr.write(`${text}\n`),
};
const argv = process.argv.slice(2);
// The OCI SDK warns on stderr of every call it will not retry, the expected 404 of a look-up
// (`show <messageId>` tries each provider's key) included; the CLI reports real failures itself.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('Request cannot be retried. Not Retrying.')) return;
  warn(...args);
};
try {
  process.exitCode = argv[0] === 'doctor' ? await doctorCommand(argv.slice(1), io) : await runsCommand(argv, io);
} catch (error) {
  process.stderr.write(`sms-incident: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
