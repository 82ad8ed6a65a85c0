/**
 * On OCI Functions the memory journal is refused unless chosen: dist/func.js under the real fdk,
 * given the resource principal OCI sets in every container, answers 500 naming `run_journal` and
 * why, and touches B2C Service not at all; `run_journal=memory` (chosen) or a durable journal runs.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { startFunction } from '../../src/local/index.js';
import { ociTestIdentity } from '../helpers/oci-keys.js';
import { CREDENTIALS, ENTRY, postWebhook, startStack, type Stack } from '../helpers/stack.js';

const guide = readFileSync(new URL('../fixtures/providers/twilio-message-resource.json', import.meta.url), 'utf8');
const identity = ociTestIdentity();

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('the run journal on OCI Functions', () => {
  it('refuses the default memory journal with a 500 that names run_journal and says why', async () => {
    // Not startStack: it chooses the memory journal; here run_journal is left unset, as fn deploy leaves it.
    const emulator = await startEmulator(CREDENTIALS);
    const fn = await startFunction({
      entry: ENTRY,
      env: {
        ...identity.env,
        b2cservice_hostname: emulator.url,
        b2cservice_username: CREDENTIALS.username,
        b2cservice_password: CREDENTIALS.password,
        webhook_signature: 'off',
      },
    });
    stack = {
      emulator,
      fn,
      post: (body) => postWebhook(fn, body, { headers: { 'Content-Type': 'application/json' } }),
      stop: async () => void (await Promise.allSettled([fn.stop(), emulator.close()])),
    };
    const res = await stack.post(guide);
    expect(res.status).toBe(500);
    expect(res.json.message).toBe('function configuration error');
    const problems = res.json.problems as { key: string; problem: string }[];
    expect(problems).toHaveLength(1);
    expect(problems[0]?.key).toBe('run_journal');
    expect(problems[0]?.problem).toMatch(/^is required on OCI Functions \(OCI_RESOURCE_PRINCIPAL_VERSION is set\)/);
    expect(problems[0]?.problem).toContain('two incidents');
    expect(problems[0]?.problem).toContain('run_journal=memory');
    // Refused before any side effect.
    expect(stack.emulator.requests()).toEqual([]);
    expect(stack.fn.output()).toContain('"message":"configuration error"');
  });

  it('runs with the memory journal when it is chosen explicitly', async () => {
    stack = await startStack({ env: { ...identity.env, run_journal: 'memory' } });
    const res = await stack.post(guide);
    expect(res.status).toBe(200);
    expect(res.json.message).toBe('success');
    expect(stack.fn.output()).toContain('run journal is in memory');
  });

  it('runs with a durable journal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journal-on-oci-'));
    stack = await startStack({ env: { ...identity.env, run_journal: `file:${dir}` } });
    const res = await stack.post(guide);
    expect(res.status).toBe(200);
    expect(stack.emulator.state().incidents).toHaveLength(1);
  });

  it('keeps the memory default off OCI (the local agent sets no resource principal)', async () => {
    const emulator = await startEmulator(CREDENTIALS);
    const fn = await startFunction({
      entry: ENTRY,
      env: {
        b2cservice_hostname: emulator.url,
        b2cservice_username: CREDENTIALS.username,
        b2cservice_password: CREDENTIALS.password,
        webhook_signature: 'off',
      },
    });
    try {
      expect((await postWebhook(fn, guide, { headers: { 'Content-Type': 'application/json' } })).status).toBe(200);
    } finally {
      await Promise.allSettled([fn.stop(), emulator.close()]);
    }
  });
});
