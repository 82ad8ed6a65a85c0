import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import {
  OciAuthError,
  OciCallError,
  OciService,
  ociEndpoint,
  SecretCache,
  ociAuthProvider,
  vaultOver,
  vaultSecretSource,
} from '../../src/oci/index.js';
import { ociTestIdentity } from '../helpers/oci-keys.js';
import { startOciStandIns, type OciStandIns } from '../helpers/oci-stand-ins.js';

const SECRET = 'ocid1.vaultsecret.oc1.iad.amaaaaaatest1';
const identity = ociTestIdentity();
let standIns: OciStandIns;

beforeAll(async () => {
  standIns = await startOciStandIns({ keys: new Map([[identity.keyId, identity.publicKeyPem]]) });
  standIns.secrets.set(SECRET, 's3cr3t-välue');
});
afterAll(() => standIns.close());

describe('ociAuthProvider', () => {
  it('builds a resource principal from the four OCI_RESOURCE_PRINCIPAL_* variables (file paths)', () => {
    const auth = ociAuthProvider(identity.env);
    expect(auth).toBeDefined();
    expect(process.env.OCI_RESOURCE_PRINCIPAL_VERSION).toBeUndefined(); // process.env is left alone
  });

  it('names the missing variable and never returns a half-built provider', () => {
    const { OCI_RESOURCE_PRINCIPAL_RPST: _, ...env } = identity.env;
    expect(() => ociAuthProvider(env)).toThrow(OciAuthError);
    expect(() => ociAuthProvider(env)).toThrow(/OCI_RESOURCE_PRINCIPAL_RPST/);
    expect(() => ociAuthProvider({ ...identity.env, OCI_RESOURCE_PRINCIPAL_VERSION: '1.1' })).toThrow(/2\.2/);
  });

  it('derives the metric ingestion host (not the SDK’s telemetry host) from the principal’s region, unless overridden', () => {
    const auth = ociAuthProvider(identity.env)!;
    expect(ociEndpoint(OciService.monitoringIngestion, undefined, auth)).toBe(
      'https://telemetry-ingestion.us-ashburn-1.oraclecloud.com',
    );
    expect(ociEndpoint(OciService.secrets, undefined, auth)).toBe(
      'https://secrets.vaults.us-ashburn-1.oci.oraclecloud.com',
    );
    expect(ociEndpoint(OciService.logging, 'http://127.0.0.1:1', auth)).toBe('http://127.0.0.1:1');
  });

  it('is undefined without a resource principal or a config file', () => {
    expect(ociAuthProvider({ OCI_CONFIG_FILE: '/nonexistent/oci/config' })).toBeUndefined();
  });
});

describe('Vault secrets through the signed SDK client', () => {
  it('reads a secret with a request the stand-in verified as signed by the resource principal', async () => {
    const source = vaultSecretSource(ociAuthProvider(identity.env)!, {
      endpoint: standIns.url,
      client: { circuitBreaker: false },
    });
    await expect(source.read(SECRET, 3000)).resolves.toBe('s3cr3t-välue');
    expect(standIns.refused).toEqual([]);
  });

  it('is refused when signed by another key', async () => {
    const stranger = ociTestIdentity();
    const source = vaultSecretSource(ociAuthProvider(stranger.env)!, {
      endpoint: standIns.url,
      client: { circuitBreaker: false },
    });
    const error = await source.read(SECRET, 3000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OciCallError);
    expect(error).toMatchObject({ statusCode: 401, code: 'NotAuthenticated' });
    expect(standIns.refused.at(-1)?.problem).toBe('unknown keyId');
  });

  it('is refused when the known keyId signs with the wrong private key', async () => {
    const stranger = ociTestIdentity();
    const env = {
      ...identity.env,
      OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM: stranger.env.OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM as string,
    };
    const source = vaultSecretSource(ociAuthProvider(env)!, {
      endpoint: standIns.url,
      client: { circuitBreaker: false },
    });
    await expect(source.read(SECRET, 3000)).rejects.toMatchObject({ statusCode: 401 });
    expect(standIns.refused.at(-1)?.problem).toBe('bad signature');
  });

  it('normalises a connection failure (a plain object in the SDK) into an OciCallError', async () => {
    const source = vaultSecretSource(ociAuthProvider(identity.env)!, {
      endpoint: 'http://127.0.0.1:9',
      client: { circuitBreaker: false, maxAttempts: 1 },
    });
    const error = await source.read(SECRET, 3000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OciCallError);
    expect((error as OciCallError).statusCode).toBeUndefined();
    expect((error as OciCallError).message).toMatch(/getSecretBundle failed/);
  });

  it('bounds retries against a slow Vault by the caller’s budget, not the SDK’s ~90 s', async () => {
    standIns.faults.secrets = 'slow';
    const slowMs = standIns.slowMs;
    standIns.slowMs = 10_000;
    try {
      const source = vaultSecretSource(ociAuthProvider(identity.env)!, { endpoint: standIns.url });
      const started = Date.now();
      const error = await source.read(SECRET, 400).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'DEADLINE' });
      // Given up at the 400 ms budget, not after Vault's 10 s answer: half of it tells them apart on a loaded machine too.
      expect(Date.now() - started).toBeLessThan(standIns.slowMs / 2);
    } finally {
      standIns.faults.secrets = 'none';
      standIns.slowMs = slowMs;
    }
  });

  it('retries a 500 once, then reports the status', async () => {
    standIns.faults.secrets = 'error-500';
    try {
      const source = vaultSecretSource(ociAuthProvider(identity.env)!, {
        endpoint: standIns.url,
        client: { circuitBreaker: false, retryDelayMs: 10 },
      });
      const error = await source.read(SECRET, 3000).catch((e: unknown) => e);
      expect(error).toMatchObject({ statusCode: 500 });
    } finally {
      standIns.faults.secrets = 'none';
    }
  });

  it('stops the SDK’s own retries once the client’s total budget is spent', async () => {
    standIns.faults.secrets = 'error-500';
    try {
      const source = vaultSecretSource(ociAuthProvider(identity.env)!, {
        endpoint: standIns.url,
        client: { circuitBreaker: false, maxAttempts: 20, retryDelayMs: 500, totalBudgetMs: 250 },
      });
      const started = Date.now();
      await expect(source.read(SECRET, 30_000)).rejects.toMatchObject({ statusCode: 500 });
      // 20 attempts 500 ms apart would take at least 9.5 s; stopping at the 250 ms budget takes a fraction of it.
      expect(Date.now() - started).toBeLessThan((19 * 500) / 2);
    } finally {
      standIns.faults.secrets = 'none';
    }
  });

  it('reports an open circuit breaker (a plain object in the SDK) as OciCallError EOPENBREAKER, without calling Vault', async () => {
    standIns.faults.secrets = 'error-500';
    try {
      const source = vaultSecretSource(ociAuthProvider(identity.env)!, {
        endpoint: standIns.url,
        client: { maxAttempts: 1 },
      });
      for (let i = 0; i < 10; i++) await source.read(SECRET, 3000).catch(() => undefined);
      const error = await source.read(SECRET, 3000).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OciCallError);
      expect(error).toMatchObject({ code: 'EOPENBREAKER' });
    } finally {
      standIns.faults.secrets = 'none';
    }
  });

  it('caches for the TTL, shares concurrent reads, and re-reads after invalidate (rotation)', async () => {
    let now = 0;
    const cache = new SecretCache(
      vaultSecretSource(ociAuthProvider(identity.env)!, { endpoint: standIns.url, client: { circuitBreaker: false } }),
      { ttlMs: 1_000, now: () => now },
    );
    const before = standIns.secretReads.length;
    await Promise.all([cache.get(SECRET, 3000), cache.get(SECRET, 3000)]);
    expect(standIns.secretReads.length - before).toBe(1);
    standIns.secrets.set(SECRET, 'rotated');
    await expect(cache.get(SECRET, 3000)).resolves.toBe('s3cr3t-välue');
    cache.invalidate(SECRET);
    await expect(cache.get(SECRET, 3000)).resolves.toBe('rotated');
    now = 2_000;
    await cache.get(SECRET, 3000);
    expect(standIns.secretReads.length - before).toBe(3);
    standIns.secrets.set(SECRET, 's3cr3t-välue');
  });

  it('overlays <key> from <key>_ocid and leaves other keys alone', async () => {
    const cache = new SecretCache(
      vaultSecretSource(ociAuthProvider(identity.env)!, { endpoint: standIns.url, client: { circuitBreaker: false } }),
      { ttlMs: 60_000 },
    );
    const { env, fallbacks } = await vaultOver(cache).resolve(
      { b2cservice_password_ocid: SECRET, b2cservice_password: 'local', other: 'x' },
      3000,
    );
    expect(env).toMatchObject({ b2cservice_password: 's3cr3t-välue', other: 'x' });
    expect(fallbacks).toEqual([]);
  });
});

describe('config with Vault twins', () => {
  const base = { b2cservice_hostname: 'site.custhelp.com', b2cservice_username: 'u' };

  it('says the password may come from Vault when neither it nor its _ocid twin is set', () => {
    const error = (() => {
      try {
        loadConfig(base);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toContainEqual({
      key: 'b2cservice_password',
      problem: 'is required (set b2cservice_password, or b2cservice_password_ocid to a Vault secret OCID)',
    });
  });

  it('never fails the config for a bad telemetry key (telemetry turns that feature off with a warning instead)', () => {
    expect(() =>
      loadConfig({
        ...base,
        b2cservice_password: 'p',
        oci_monitoring_compartment_id: 'oops',
        oci_monitoring_endpoint: 'not a url',
        oci_apm_data_key_ocid: 'x',
      }),
    ).not.toThrow();
  });

  it('refuses an _ocid that is not a Vault secret OCID', () => {
    expect(() =>
      loadConfig({ ...base, b2cservice_password: 'p', b2cservice_password_ocid: 'ocid1.compartment.oc1..x' }),
    ).toThrow(/b2cservice_password_ocid must be a Vault secret OCID/);
  });
});
