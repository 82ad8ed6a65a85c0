/**
 * Which config keys come from Vault: for every `<key>_ocid` set in the environment, `<key>` is
 * replaced by the secret's value (see vault.ts), so the config schema sees plain values either way.
 */
import { VAULT_SECRET_KEYS } from './config.js';

export type Env = Record<string, string | undefined>;

/** The `<key>_ocid` entries of `env` for the keys that may come from Vault. */
export function vaultReferences(env: Env): { key: string; ocid: string }[] {
  return VAULT_SECRET_KEYS.flatMap((key) => {
    const ocid = env[`${key}_ocid`]?.trim();
    return ocid ? [{ key, ocid }] : [];
  });
}
