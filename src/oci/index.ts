/**
 * OCI platform access: auth (resource principal / config file), client configuration that
 * fits a deadline, normalised SDK errors, endpoints, and Vault secrets.
 */
export { OciAuthError, ociAuthProvider } from './auth.js';
export type { OciAuthProvider } from './auth.js';
export { ociClientConfiguration } from './client-configuration.js';
export { OciCallError, ociCall } from './errors.js';
export { OciService, ociEndpoint } from './endpoints.js';
export { OciConfigFragment, VAULT_SECRET_KEYS, secretOcid } from './config.js';
export { SecretCache, vaultSecretSource } from './secrets.js';
export { VaultUnavailableError, functionVault, vaultOver } from './vault.js';
export type { Vault } from './vault.js';
