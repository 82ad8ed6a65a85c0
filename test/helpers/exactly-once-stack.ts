import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { startFunction, type FnAnswer, type FnProcess } from '../../src/local/index.js';
import { CREDENTIALS, ENTRY, postWebhook } from './stack.js';

const guide = JSON.parse(
  readFileSync(new URL('../fixtures/providers/twilio-message-resource.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
export const FROM = guide.from as string;
export const webhook = (fields: Record<string, unknown> = {}): string => JSON.stringify({ ...guide, ...fields });

export type Answer = FnAnswer & { json: Record<string, unknown> };

/** Two function processes (two "containers") sharing one file journal, and one emulated site. */
export interface TwoContainers {
  readonly emulator: RunningEmulator;
  readonly journalDir: string;
  readonly fns: [FnProcess, FnProcess];
  readonly env: Record<string, string>;
  post(fn: FnProcess, body: string, headers?: Record<string, string>): Promise<Answer>;
  stop(): Promise<void>;
}

export async function startTwoContainers(
  options: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<TwoContainers> {
  const emulator = await startEmulator(CREDENTIALS);
  const base = await mkdtemp(join(tmpdir(), 'runs-'));
  const journalDir = join(base, 'runs');
  const env = {
    b2cservice_hostname: emulator.url,
    b2cservice_username: CREDENTIALS.username,
    b2cservice_password: CREDENTIALS.password,
    run_journal: `file:${journalDir}`,
    run_journal_lease_margin_ms: '0',
    // The guide's unsigned JSON (signatures are tested in test/integration/inbound-*.test.ts).
    webhook_signature: 'off',
    ...options.env,
  };
  const fns = (await Promise.all(
    [0, 1].map(() => startFunction({ entry: ENTRY, timeoutMs: options.timeoutMs, env })),
  )) as [FnProcess, FnProcess];
  return {
    emulator,
    journalDir,
    fns,
    env,
    post: (fn, body, headers = {}) =>
      postWebhook(fn, body, { headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } }),
    async stop() {
      await Promise.allSettled([...fns.map((f) => f.stop()), emulator.close()]);
      await rm(base, { recursive: true, force: true });
    },
  };
}

/** Method and resource of every call made to the site, ids generalised. */
export function calls(emulator: RunningEmulator): string[] {
  return emulator.requests().map((r) => `${r.method} ${r.resource.replace(/\/\d+(?=\/|$)/g, '/{id}')}`);
}

/** Polls `condition` every 10 ms; the limit is generous because a loaded 2-CPU machine is slow, never because a test needs it. */
export async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
