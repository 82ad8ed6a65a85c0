/**
 * The function's Vault: built once per container from the environment, it overlays the
 * `<key>_ocid` secrets onto the config and forgets them when a backend says they are stale.
 */
import type { OciConfig } from './config.js';
import { vaultReferences, type Env } from './resolve-secrets.js';
import type { SecretCache } from './secrets.js';

export interface Vault {
  /** `env` with the Vault-held keys filled in; on a Vault failure, a key that also has a plain value keeps it. */
  resolve(env: Env, budgetMs: number): Promise<{ env: Env; fallbacks: string[] }>;
  /** One secret by OCID, through the same cache. Throws {@link OciCallError}. */
  secret(secretId: string, budgetMs: number): Promise<string>;
  /** Drops cached secrets: the next `resolve` reads Vault again (after a 401, the password may have rotated). */
  invalidate(): void;
}

/** Thrown when `<key>_ocid` is set but the secret cannot be had and there is no plain fallback. */
export class VaultUnavailableError extends Error {
  override readonly name = 'VaultUnavailableError';
}

/**
 * The Vault for this environment: undefined without a resource principal (then no `<key>_ocid`
 * may be set: that throws {@link VaultUnavailableError}). The OCI SDK (~0.1 s to load) is loaded
 * on the first secret read, so a function with no secret in Vault never loads it.
 */
export function functionVault(
  env: Env,
  config: Pick<OciConfig, 'oci_secret_ttl_seconds' | 'oci_secrets_endpoint'>,
): Vault | undefined {
  const referenced = vaultReferences(env).length > 0;
  if (!env.OCI_RESOURCE_PRINCIPAL_VERSION) {
    if (!referenced) return undefined;
    throw new VaultUnavailableError(
      'secrets are referenced by *_ocid keys but no resource principal is available (OCI_RESOURCE_PRINCIPAL_VERSION unset)',
    );
  }
  let loading: Promise<Vault> | undefined;
  const loaded = (): Promise<Vault> =>
    (loading ??= (async () => {
      const [{ ociAuthProvider }, { SecretCache, vaultSecretSource }] = await Promise.all([
        import('./auth.js'),
        import('./secrets.js'),
      ]);
      let auth;
      try {
        auth = ociAuthProvider(env, { allowConfigFile: false });
      } catch (error) {
        throw new VaultUnavailableError(
          `secrets are referenced by *_ocid keys but the resource principal is unusable: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (!auth) throw new VaultUnavailableError('no resource principal is available');
      return vaultOver(
        new SecretCache(vaultSecretSource(auth, { endpoint: config.oci_secrets_endpoint }), {
          ttlMs: config.oci_secret_ttl_seconds * 1000,
        }),
      );
    })().catch((error: unknown) => {
      loading = undefined; // the next invocation tries again
      throw error;
    }));
  return {
    resolve: async (input, budgetMs) =>
      vaultReferences(input).length === 0
        ? { env: { ...input }, fallbacks: [] }
        : (await loaded()).resolve(input, budgetMs),
    secret: async (secretId, budgetMs) => (await loaded()).secret(secretId, budgetMs),
    invalidate: () =>
      void loading?.then(
        (vault) => vault.invalidate(),
        () => undefined,
      ),
  };
}

/** The {@link Vault} behaviour over a secret cache: per key, Vault's value, else the plain one, else fail. */
export function vaultOver(cache: SecretCache): Vault {
  return {
    async resolve(input, budgetMs) {
      // Per key: what Vault gives, else the plain value, else fail. One read per key, in parallel.
      const refs = vaultReferences(input);
      const results = await Promise.allSettled(refs.map(({ ocid }) => cache.get(ocid, budgetMs)));
      const out: Env = { ...input };
      const fallbacks: string[] = [];
      refs.forEach(({ key }, i) => {
        const r = results[i];
        if (r?.status === 'fulfilled') out[key] = r.value;
        else if (input[key]) fallbacks.push(key);
        else
          throw new VaultUnavailableError(
            `${key}_ocid: ${r?.reason instanceof Error ? r.reason.message : String(r?.reason)}`,
          );
      });
      return { env: out, fallbacks };
    },
    secret: (secretId, budgetMs) => cache.get(secretId, budgetMs),
    invalidate: () => cache.invalidate(),
  };
}
