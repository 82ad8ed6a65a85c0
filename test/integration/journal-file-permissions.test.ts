// The file journal's records hold the full sender number and the text: owner-only, whatever the umask.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let base: string;
let journalDir: string;
let umask: number;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'perm-'));
  journalDir = join(base, 'runs');
  // The function inherits the most permissive umask there is.
  umask = process.umask(0);
  stack = await startStack({ env: { run_journal: `file:${journalDir}` } });
});
afterAll(async () => {
  process.umask(umask);
  await stack.stop();
  await rm(base, { recursive: true, force: true });
});

const mode = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

describe('file journal permissions through the fdk', () => {
  it('keeps the journal directory 0700 and its records 0600 under umask 000', async () => {
    // Prepare
    const body = JSON.stringify({ id: 'msg-perm-1', from: '+4915112345678', text: 'private text' });

    // Act
    const res = await stack.post(body);

    // Assess
    expect(res.status).toBe(200);
    expect(await mode(journalDir)).toBe(0o700);
    const names = await readdir(journalDir);
    expect(names.filter((n) => n.endsWith('.json')).length).toBeGreaterThan(0);
    for (const name of names) expect({ name, mode: await mode(join(journalDir, name)) }).toEqual({ name, mode: 0o600 });
  });
});
