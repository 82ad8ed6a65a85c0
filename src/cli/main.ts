#!/usr/bin/env node
// `sms-incident runs list|show|redrive` (the SRE's view of the run journal) and `sms-incident doctor`
// (the preflight of a B2C site), bundled to dist/cli.js.
import { environment } from '../config.js';
import { runCli } from './cli.js';
import { COMMANDS } from './commands.js';

const io = {
  env: environment(),
  out: (text: string) => process.stdout.write(`${text}\n`),
  err: (text: string) => process.stderr.write(`${text}\n`),
};
// The OCI SDK warns on stderr of every call it will not retry, the expected 404 of a look-up
// (`show <messageId>` tries each provider's key) included; the CLI reports real failures itself.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].startsWith('Request cannot be retried. Not Retrying.')) return;
  warn(...args);
};
process.exitCode = await runCli(process.argv.slice(2), io, COMMANDS);
