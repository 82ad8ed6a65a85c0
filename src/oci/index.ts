/**
 * OCI platform access: auth (resource principal / config file), client configuration that
 * fits a deadline, normalised SDK errors, endpoints, and Vault secrets.
 */
export { OciAuthError, RESOURCE_PRINCIPAL_ENV, ociAuthProvider, usesResourcePrincipal } from './auth.js';
export type { OciAuthOptions, OciAuthProvider } from './auth.js';
export { DEFAULT_OCI_CLIENT_OPTIONS, ociClientConfiguration } from './client-configuration.js';
export type { OciClientOptions } from './client-configuration.js';
export { OciCallError, normaliseOciError, ociCall } from './errors.js';
export { OciService, ociEndpoint } from './endpoints.js';
export { OciConfigFragment, VAULT_SECRET_KEYS, secretOcid } from './config.js';
export { SecretCache, vaultSecretSource } from './secrets.js';
export type { SecretCacheOptions, SecretSource } from './secrets.js';
export { vaultReferences } from './resolve-secrets.js';
export type { Env } from './resolve-secrets.js';
export { VaultUnavailableError, functionVault, vaultOver } from './vault.js';
export type { Vault } from './vault.js';
