// Zips deploy/terraform as a Resource Manager stack ("Deploy to Oracle Cloud"): the .tf files,
// the generated alarms.json and schema.yaml at the zip's root. Refuses if alarms.json drifted.
//   npm run package:stack   → dist/sms-incident-stack.zip
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { zipSync } from 'fflate';

const DIR = new URL('../deploy/terraform/', import.meta.url);
const OUT = new URL('../dist/sms-incident-stack.zip', import.meta.url);

/** What goes in the stack, by name at the zip root. */
export function stackFiles() {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.tf') || f === 'alarms.json' || f === 'schema.yaml' || f === '.terraform.lock.hcl')
    .sort();
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  execFileSync(process.execPath, [new URL('./terraform-alarms.mjs', import.meta.url).pathname, '--check'], {
    stdio: 'inherit',
  });
  // A fixed time stamp: the same sources give the same zip.
  const mtime = new Date('2026-01-01T00:00:00Z');
  const entries = Object.fromEntries(stackFiles().map((f) => [f, [readFileSync(new URL(f, DIR)), { mtime }]]));
  mkdirSync(new URL('.', OUT), { recursive: true });
  writeFileSync(OUT, zipSync(entries, { level: 9 }));
  console.log(`wrote dist/sms-incident-stack.zip (${Object.keys(entries).length} files)`);
}
