/**
 * docs/runbook.md's worked examples, made by running the commands they show: the built function
 * under the real fdk against the B2C Service emulator, then the built `sms-incident` CLI on the
 * journal it wrote. `npm run docs:runbook` rewrites the page's generated blocks;
 * test/integration/runbook-examples.test.ts fails when a fresh run differs from the page beyond
 * what changes every run (ids, times, durations: see {@link volatile}).
 *
 * What the page shows instead of this machine's: the site `https://mysite.custhelp.com` for the
 * emulator's URL, and the journal `oci-os://acme/sms-runs/prod/` for the temporary file journal.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { startFunction, type FnProcess } from '../src/local/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
const FUNC = join(ROOT, 'dist/func.js');
export const RUNBOOK = join(ROOT, 'docs/runbook.md');
const SITE = 'https://mysite.custhelp.com';
const JOURNAL = 'oci-os://acme/sms-runs/prod/';
const TRACE_URL = 'https://<your APM trace view>?traceId={traceId}';
const CREDENTIALS = { username: 'sms-api', password: 'pa55-w0rd-not-for-logs' };
const run = promisify(execFile);

/** A terminal session: each command as typed (`$ …`), then what it printed. */
class Session {
  readonly #lines: string[] = [];
  constructor(
    private readonly env: Record<string, string>,
    private readonly shown: (text: string) => string,
  ) {}

  /** Runs `npx sms-incident <args>` with `env` (and the session's), records it as typed with `prefix`. */
  async cli(args: string[], options: { env?: Record<string, string>; prefix?: string } = {}): Promise<string> {
    const typed = ['npx sms-incident', ...args.map((a) => (/[\s'{}?<>]/.test(a) ? `'${a}'` : a))].join(' ');
    this.#lines.push(`$ ${options.prefix ?? ''}${typed}`);
    let stdout = '';
    let stderr = '';
    try {
      ({ stdout, stderr } = await run(process.execPath, [CLI, ...args], {
        env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...this.env, ...options.env },
      }));
    } catch (error) {
      ({ stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string });
    }
    // The CLI writes its one stderr line (the journal it read) before its answer.
    for (const text of [stderr, stdout]) if (text.trim() !== '') this.#lines.push(this.shown(text.trimEnd()));
    this.#lines.push('');
    return stdout;
  }

  text(): string {
    return this.#lines.join('\n').trimEnd();
  }
}

interface Stack {
  readonly emulator: RunningEmulator;
  readonly fn: FnProcess;
  readonly session: Session;
  post(sid: string): Promise<{ status: number; runId: string }>;
  stop(): Promise<void>;
}

async function startStack(): Promise<Stack> {
  const emulator = await startEmulator(CREDENTIALS);
  const dir = await mkdtemp(join(tmpdir(), 'runbook-'));
  const journal = `file:${join(dir, 'runs')}`;
  const b2c = {
    b2cservice_hostname: emulator.url,
    b2cservice_username: CREDENTIALS.username,
    b2cservice_password: CREDENTIALS.password,
  };
  const fn = await startFunction({
    entry: FUNC,
    env: {
      ...b2c,
      run_journal: journal,
      webhook_signature: 'off',
      // Traces are recorded (and their ids journaled) whether or not the collector answers.
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces',
    },
  });
  const shown = (text: string): string =>
    text.replaceAll(emulator.url, SITE).replaceAll(`file:${join(dir, 'runs')}`, JOURNAL);
  const guide = JSON.parse(
    readFileSync(join(ROOT, 'test/fixtures/providers/twilio-message-resource.json'), 'utf8'),
  ) as Record<string, unknown>;
  return {
    emulator,
    fn,
    session: new Session({ run_journal: journal, ...b2c }, shown),
    async post(sid) {
      const answer = await fn.invoke({
        method: 'POST',
        url: '/webhooks/sms-to-incident',
        headers: { Host: 'gw.example.com', 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ ...guide, sid }),
      });
      return { status: answer.status, runId: (JSON.parse(answer.body.toString('utf8')) as { runId: string }).runId };
    },
    async stop() {
      await Promise.allSettled([fn.stop(), emulator.close()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** "compensation failed": the new contact's number refused for good, the contact's undo failing with 500 four times. */
async function compensationFailed(): Promise<string> {
  const stack = await startStack();
  try {
    stack.emulator.addFault({
      method: 'PATCH',
      path: '/contacts/*',
      action: 'status',
      status: 400,
      errorCode: 'OSC-CREST-00006',
      detail: 'bad phone',
      times: 1,
    });
    stack.emulator.addFault({
      method: 'GET',
      path: '/contacts/*/phones',
      action: 'status',
      status: 500,
      errorCode: 'OSC-CREST-00009',
      detail: 'read failed',
      times: 4,
    });
    const { runId } = await stack.post('SM0c0ffee00000000000000000000000a1');
    const s = stack.session;
    await s.cli(['runs', 'list', '--compensation', 'failed', '--since', '1d']);
    await s.cli(['runs', 'show', runId], {
      env: { SMS_INCIDENT_TRACE_URL: TRACE_URL },
      prefix: `SMS_INCIDENT_TRACE_URL='${TRACE_URL}' \\\n  `,
    });
    return s.text();
  } finally {
    await stack.stop();
  }
}

/** An outage of `POST /incidents` (503 on every try) for three messages, then the morning after. */
async function outageRedrive(): Promise<string> {
  const stack = await startStack();
  try {
    stack.emulator.addFault({ method: 'POST', path: '/incidents', action: 'status', status: 503 });
    const runs = [];
    for (const n of [1, 2, 3]) runs.push(await stack.post(`SM0c0ffee00000000000000000000000b${n}`));
    stack.emulator.clearFaults();
    const s = stack.session;
    await s.cli(['runs', 'list', '--status', 'failed', '--since', '6h']);
    await s.cli(['runs', 'show', runs[0]?.runId.slice(0, 8) ?? '']);
    await s.cli(['runs', 'redrive', '--status', 'failed', '--since', '6h', '--dry-run']);
    await s.cli(['runs', 'redrive', '--status', 'failed', '--since', '6h']);
    await s.cli(['runs', 'redrive', '--status', 'failed', '--since', '6h']);
    return s.text();
  } finally {
    await stack.stop();
  }
}

export const EXAMPLES = { 'compensation-failed': compensationFailed, 'outage-redrive': outageRedrive } as const;
export type ExampleName = keyof typeof EXAMPLES;

/** A generated block: its marker, a text fence, whole lines (none at first), the closing fence and marker. */
const BLOCK = /(<!-- generated: ([a-z-]+)[^\n]*-->\n```text\n)((?:.*\n)*?)(```\n<!-- \/generated -->)/g;

/** The page's generated blocks, by name. */
export function blocksOf(page: string): Map<string, string> {
  return new Map([...page.matchAll(BLOCK)].map((m) => [m[2] ?? '', (m[3] ?? '').replace(/\n$/, '')]));
}

/** The page with each named block's text replaced. */
export function withBlocks(page: string, blocks: ReadonlyMap<string, string>): string {
  return page.replace(BLOCK, (all, open: string, name: string, _old: string, close: string) =>
    blocks.has(name) ? `${open}${blocks.get(name)}\n${close}` : all,
  );
}

/**
 * What differs from one run to the next, masked for the comparison: run ids and other UUIDs, trace
 * ids, times, durations, reference numbers, and the column padding they change.
 */
export function volatile(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\b[0-9a-f]{8}\b(?=\s|$)/g, '<uuid>')
    .replace(/\b[0-9a-f]{32}\b/g, '<trace>')
    .replace(/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{3})?Z?/g, '<time>')
    .replace(/\b\d{2}:\d{2}:\d{2}(\.\d{3})?\b/g, '<time>')
    .replace(/\b\d+(\.\d+)? (ms|s|min)\b/g, '<duration>')
    .replace(/\b\d{6}-\d{6}\b/g, '<ref>')
    .replace(/\b[0-9A-Z]{26}\b/g, '<call>')
    .replace(/cli@\S+/g, 'cli@<host>')
    .replace(/(call|cli@<host>)\/\S+/g, '$1/<owner>')
    .replace(/ for another \d+ s/g, ' for another <n> s')
    .replace(/[ \t]+/g, ' ')
    .trim();
}

/** Runs every example; `only` narrows it. */
export async function generate(only?: readonly ExampleName[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of only ?? (Object.keys(EXAMPLES) as ExampleName[])) out.set(name, await EXAMPLES[name]());
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const page = readFileSync(RUNBOOK, 'utf8');
  const fresh = await generate();
  writeFileSync(RUNBOOK, withBlocks(page, fresh));
  process.stdout.write(`docs/runbook.md: ${[...fresh.keys()].join(', ')} regenerated\n`);
}
