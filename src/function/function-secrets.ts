import { VaultUnavailableError, type Vault } from '../oci/vault.js';
import { deadlineOf, type WebhookRequest } from './webhook-request.js';
import type { Logger } from '../log/logger.js';
import { ConfigError } from '../config.js';
import type { TelemetryConfig } from '../../telemetry/config.js';

/** Secrets the function reads from OCI Vault, with the plain config values as the local fallback. */

/** `env` with `*_ocid` secrets from Vault, within a slice of the deadline; plain values are the fallback. */
export async function withVaultSecrets(
  env: Record<string, string | undefined>,
  request: WebhookRequest,
  log: Logger,
  containerVault: () => Vault | undefined,
): Promise<Record<string, string | undefined>> {
  let vault: Vault | undefined;
  try {
    vault = containerVault();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new VaultUnavailableError(error instanceof Error ? error.message : String(error));
  }
  if (!vault) return env;
  const remaining = deadlineOf(request) - Date.now();
  const { env: resolved, fallbacks } = await vault.resolve(env, Math.max(200, Math.min(2_000, remaining / 4)));
  if (fallbacks.length > 0) log.warn('Vault unavailable: using plain config values', { keys: fallbacks.join(' ') });
  return resolved;
}

/** The APM data key from Vault, for the trace exporter (read once per container). */
export async function apmDataKey(
  config: Pick<TelemetryConfig, 'oci_apm_data_key' | 'oci_apm_data_key_ocid'>,
  containerVault: () => Vault | undefined,
): Promise<string | undefined> {
  const { oci_apm_data_key: plain, oci_apm_data_key_ocid: ocid } = config;
  if (!ocid) return plain;
  // Read apart from the run's secrets: without it traces are off, the webhook is unaffected.
  const v = containerVault();
  return v ? v.secret(ocid, 1_500).catch(() => plain) : plain;
}
