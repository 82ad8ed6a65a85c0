/**
 * Config overlay from Vault: for every `<key>_ocid` set in the environment, `<key>` is replaced
 * by the secret's value, so the rest of the config schema sees plain values either way.
 */
import { VAULT_SECRET_KEYS } from './config.js';
import type { SecretCache } from './secrets.js';

export type Env = Record<string, string | undefined>;

/** The `<key>_ocid` entries of `env` for the keys that may come from Vault. */
export function vaultReferences(env: Env): { key: string; ocid: string }[] {
  return VAULT_SECRET_KEYS.flatMap((key) => {
    const ocid = env[`${key}_ocid`]?.trim();
    return ocid ? [{ key, ocid }] : [];
  });
}

/**
 * `env` with each Vault-referenced key set from `cache`. Reads run in parallel within `budgetMs`;
 * a failed read rejects (the caller answers 503: without its credentials the run cannot succeed).
 */
export async function resolveVaultSecrets(env: Env, cache: SecretCache, budgetMs: number): Promise<Env> {
  const refs = vaultReferences(env);
  if (refs.length === 0) return env;
  const values = await Promise.all(refs.map(({ ocid }) => cache.get(ocid, budgetMs)));
  const overlay: Env = { ...env };
  refs.forEach(({ key }, i) => {
    overlay[key] = values[i];
  });
  return overlay;
}
