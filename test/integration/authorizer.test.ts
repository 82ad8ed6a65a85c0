/**
 * The gateway authorizer (dist/authorizer.js) under the real fdk, invoked the way OCI API Gateway
 * calls a CUSTOM_AUTHENTICATION function: a direct invocation with `{"type":"USER_DEFINED","data":{…}}`,
 * answered HTTP 200 with `{"active":…}` (shared/notes/fn-fdk.md §4.2).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunction, type FnProcess } from '../../src/local/index.js';
import { ociTestIdentity } from '../helpers/oci-keys.js';
import { startOciStandIns, type OciStandIns } from '../helpers/oci-stand-ins.js';

const ENTRY = new URL('../../dist/authorizer.js', import.meta.url).pathname;
const TOKEN = 'shared-webhook-token-0123456789';

async function authorize(fn: FnProcess, body: unknown, raw = false) {
  const answer = await fn.invoke({
    intent: 'invoke',
    method: 'POST',
    url: '/',
    headers: { 'Content-Type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  const text = answer.body.toString('utf8');
  return { ...answer, text, json: answer.status === 200 ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const userDefined = (data: Record<string, unknown>) => ({ type: 'USER_DEFINED', data });

function expectRefused(a: Awaited<ReturnType<typeof authorize>>): void {
  expect(a.status).toBe(200);
  expect(a.json).toEqual({ active: false, wwwAuthenticate: 'Bearer realm="sms-incident"' });
}

function expectAdmitted(a: Awaited<ReturnType<typeof authorize>>, by: string): void {
  expect(a.status).toBe(200);
  expect(a.json).toMatchObject({
    active: true,
    principal: 'sms-webhook',
    clientId: 'sms-webhook',
    scope: ['sms-incident:webhook'],
    context: { admittedBy: by },
  });
  const expiresAt = Date.parse(a.json.expiresAt as string);
  // auth_cache_seconds defaults to 300: the gateway caches the admission that long.
  expect(expiresAt).toBeGreaterThan(Date.now() + 240_000);
  expect(expiresAt).toBeLessThanOrEqual(Date.now() + 300_000);
}

describe('authorizer: shared token', () => {
  let fn: FnProcess;
  beforeAll(async () => {
    fn = await startFunction({ entry: ENTRY, env: { auth_token: TOKEN } });
  });
  afterAll(() => fn.stop());

  it('admits the right token, with expiresAt for the gateway cache', async () => {
    expectAdmitted(await authorize(fn, userDefined({ token: TOKEN })), 'token');
    expectAdmitted(await authorize(fn, userDefined({ token: `Bearer ${TOKEN}` })), 'token');
    // The legacy single-argument form carries the token alone.
    expectAdmitted(await authorize(fn, { type: 'TOKEN', token: TOKEN }), 'token');
  });

  it('refuses a wrong, truncated, longer or missing token', async () => {
    expectRefused(await authorize(fn, userDefined({ token: 'shared-webhook-token-0123456788' })));
    expectRefused(await authorize(fn, userDefined({ token: TOKEN.slice(0, -1) })));
    expectRefused(await authorize(fn, userDefined({ token: `${TOKEN}x` })));
    expectRefused(await authorize(fn, userDefined({ token: '' })));
    expectRefused(await authorize(fn, userDefined({})));
    expectRefused(await authorize(fn, userDefined({ ip: '203.0.113.7' })));
  });

  it('refuses malformed input and non-JSON without crashing', async () => {
    const pid = fn.pid;
    expectRefused(await authorize(fn, userDefined({ token: [TOKEN, TOKEN] })));
    expectRefused(await authorize(fn, userDefined({ token: 42 })));
    expectRefused(await authorize(fn, { type: 'USER_DEFINED' }));
    expectRefused(await authorize(fn, { type: 'OTHER', data: { token: TOKEN } }));
    expectRefused(await authorize(fn, { data: { token: TOKEN } }));
    expectRefused(await authorize(fn, [TOKEN]));
    expectRefused(await authorize(fn, null));
    expectRefused(await authorize(fn, 'not json at all {', true));
    expectRefused(await authorize(fn, '', true));
    expectRefused(await authorize(fn, Buffer.from([0xff, 0xfe, 0x00]).toString('latin1'), true));
    expectRefused(await authorize(fn, userDefined({ token: 'x'.repeat(5000) })));
    // Still the same process, still deciding.
    expect(fn.pid).toBe(pid);
    expectAdmitted(await authorize(fn, userDefined({ token: TOKEN })), 'token');
  });

  it('refuses every generated body that does not carry the token, and stays up (300 bodies)', async () => {
    const pid = fn.pid;
    const data = fc.dictionary(
      fc.oneof(fc.constant('token'), fc.constant('ip'), fc.string()),
      fc.oneof(fc.string(), fc.jsonValue()),
    );
    const bodies = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            type: fc.oneof(fc.constant('USER_DEFINED'), fc.constant('TOKEN'), fc.string()),
            data,
            token: fc.oneof(fc.string(), fc.jsonValue()),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
      fc.string(),
      fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b).toString('latin1')),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        fc.pre(!body.includes(TOKEN));
        const a = await fn.invoke({
          intent: 'invoke',
          method: 'POST',
          url: '/',
          headers: { 'Content-Type': 'application/json' },
          body,
        });
        expect(a.status).toBe(200);
        expect(JSON.parse(a.body.toString('utf8'))).toEqual({
          active: false,
          wwwAuthenticate: 'Bearer realm="sms-incident"',
        });
      }),
      { numRuns: 300 },
    );
    expect(fn.pid).toBe(pid);
    expectAdmitted(await authorize(fn, userDefined({ token: TOKEN })), 'token');
  });

  it('never logs the token', () => {
    expect(fn.output()).toContain('authorizer refused');
    expect(fn.output()).not.toContain(TOKEN.slice(8));
  });
});

describe('authorizer: no address gate', () => {
  let fn: FnProcess;
  beforeAll(async () => {
    fn = await startFunction({ entry: ENTRY, env: { auth_token: TOKEN } });
  });
  afterAll(() => fn.stop());

  it('admits by the token alone: an address the client sends neither admits nor refuses', async () => {
    expectAdmitted(await authorize(fn, userDefined({ token: TOKEN, ip: '192.0.2.1' })), 'token');
    expectRefused(await authorize(fn, userDefined({ ip: '203.0.113.5' })));
    expectRefused(await authorize(fn, userDefined({ token: 'wrong-token-wrong-token', ip: '203.0.113.5' })));
  });
});

describe('authorizer: token from OCI Vault (resource principal)', () => {
  const identity = ociTestIdentity();
  const SECRET = 'ocid1.vaultsecret.oc1.iad.amaaaaaaauthtoken';
  let standIns: OciStandIns;
  let fn: FnProcess | undefined;
  beforeAll(async () => {
    standIns = await startOciStandIns({ keys: new Map([[identity.keyId, identity.publicKeyPem]]) });
  });
  afterAll(async () => {
    await fn?.stop();
    await standIns.close();
  });

  it('compares with the Vault secret, and answers 5xx (not a refusal, not an admission) when Vault is down', async () => {
    standIns.secrets.set(SECRET, TOKEN);
    fn = await startFunction({
      entry: ENTRY,
      env: {
        ...identity.env,
        auth_token_ocid: SECRET,
        oci_secrets_endpoint: standIns.url,
        oci_secret_ttl_seconds: '0',
      },
    });
    expectAdmitted(await authorize(fn, userDefined({ token: TOKEN })), 'token');
    expectRefused(await authorize(fn, userDefined({ token: 'not-the-vault-token' })));
    expect(standIns.secretReads).toContain(SECRET);
    expect(standIns.refused).toEqual([]);

    standIns.faults.secrets = 'error-500';
    const down = await authorize(fn, userDefined({ token: TOKEN }));
    expect(down.status).toBe(502);
    expect(fn.output()).toContain('authorizer cannot read its token from Vault');
    standIns.faults.secrets = 'none';
    // Rotation: the new value is read (TTL 0), the old one no longer admits.
    standIns.secrets.set(SECRET, 'rotated-webhook-token-9876543210');
    expectRefused(await authorize(fn, userDefined({ token: TOKEN })));
    expectAdmitted(await authorize(fn, userDefined({ token: 'rotated-webhook-token-9876543210' })), 'token');
  });
});

describe('authorizer: configuration', () => {
  it('with no token configured answers 5xx and names the key, never admitting', async () => {
    const fn = await startFunction({ entry: ENTRY, env: {} });
    try {
      const a = await authorize(fn, userDefined({ token: TOKEN }));
      expect(a.status).toBe(502);
      expect(fn.output()).toContain('authorizer configuration error');
      expect(fn.output()).toContain('auth_token_ocid');
    } finally {
      await fn.stop();
    }
  });

  it('with auth_allow_cidrs set answers 5xx, says why, and never admits (a header-based gate is gone)', async () => {
    const fn = await startFunction({ entry: ENTRY, env: { auth_token: TOKEN, auth_allow_cidrs: '203.0.113.0/24' } });
    try {
      expect((await authorize(fn, userDefined({ token: TOKEN, ip: '203.0.113.1' }))).status).toBe(502);
      expect(fn.output()).toContain('auth_allow_cidrs is no longer read');
      expect(fn.output()).toContain('gateway_ingress_cidrs');
    } finally {
      await fn.stop();
    }
  });
});
