/**
 * Secrets from OCI Vault, read once per container and reused for a TTL; re-read on demand
 * (e.g. after B2C Service answers 401 because the password was rotated).
 */
import type * as common from 'oci-common';
import * as secrets from 'oci-secrets';
import { ociClientConfiguration, type OciClientOptions } from './client-configuration.js';
import { OciService, ociEndpoint } from './endpoints.js';
import { OciCallError, ociCall } from './errors.js';

export interface SecretSource {
  /** The secret's current value (UTF-8). Throws {@link OciCallError}. */
  read(secretId: string, budgetMs: number): Promise<string>;
}

/** Reads secret bundles with `SecretsClient.getSecretBundle` (stage CURRENT). */
export function vaultSecretSource(
  auth: common.AuthenticationDetailsProvider,
  options: { endpoint?: string; client?: OciClientOptions } = {},
): SecretSource {
  const client = new secrets.SecretsClient(
    { authenticationDetailsProvider: auth },
    ociClientConfiguration({ maxAttempts: 2, attemptTimeoutMs: 1_500, ...options.client }),
  );
  const endpoint = ociEndpoint(OciService.secrets, options.endpoint, auth);
  if (endpoint) client.endpoint = endpoint;
  return {
    async read(secretId, budgetMs) {
      const operation = 'SecretsClient.getSecretBundle';
      const response = await ociCall(operation, budgetMs, () =>
        client.getSecretBundle({ secretId, stage: secrets.requests.GetSecretBundleRequest.Stage.Current }),
      );
      const content = response.secretBundle.secretBundleContent;
      if (
        content?.contentType !== 'BASE64' ||
        typeof (content as secrets.models.Base64SecretBundleContentDetails).content !== 'string'
      ) {
        throw new OciCallError({
          operation,
          code: 'UnexpectedContent',
          message: 'secret bundle has no BASE64 content',
        });
      }
      return Buffer.from(
        (content as secrets.models.Base64SecretBundleContentDetails).content as string,
        'base64',
      ).toString('utf8');
    },
  };
}

export interface SecretCacheOptions {
  readonly ttlMs: number;
  readonly now?: () => number;
}

/**
 * TTL cache over a {@link SecretSource}; concurrent reads of one id share one request, and a
 * failed read is not cached.
 *
 * @example
 * ```ts
 * const cache = new SecretCache(vaultSecretSource(auth), { ttlMs: 600_000 });
 * const password = await cache.get(ocid, 1500);
 * ```
 */
export class SecretCache {
  readonly #source: SecretSource;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { value: Promise<string>; expiresAt: number }>();

  constructor(source: SecretSource, options: SecretCacheOptions) {
    this.#source = source;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  get(secretId: string, budgetMs: number): Promise<string> {
    const hit = this.#entries.get(secretId);
    if (hit && hit.expiresAt > this.#now()) return hit.value;
    const value = this.#source.read(secretId, budgetMs);
    const entry = { value, expiresAt: this.#now() + this.#ttlMs };
    this.#entries.set(secretId, entry);
    value.catch(() => {
      if (this.#entries.get(secretId) === entry) this.#entries.delete(secretId);
    });
    return value;
  }

  /** Forgets one secret (or all): the next `get` reads Vault again. */
  invalidate(secretId?: string): void {
    if (secretId === undefined) this.#entries.clear();
    else this.#entries.delete(secretId);
  }
}
