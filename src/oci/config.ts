/**
 * Config keys of the OCI integration the run depends on (Vault), spread into `src/config.ts`'s schema:
 * a bad value there is a config error. Telemetry's keys live in telemetry/config.ts and are never fatal.
 */
import { z } from 'zod';

export const httpUrl = z
  .string()
  .trim()
  .url('must be an absolute http(s) URL')
  .refine((v) => /^https?:\/\//i.test(v), 'must be an absolute http(s) URL')
  .transform((v) => v.replace(/\/+$/, ''));

/** An OCID of a Vault secret. */
export const secretOcid = z
  .string()
  .trim()
  .regex(
    /^ocid1\.vaultsecret\.[a-z0-9-]+\.[a-z0-9-]*\.[a-z0-9._-]+$/i,
    'must be a Vault secret OCID (ocid1.vaultsecret.…)',
  );

/** An optional `_ocid` key; empty counts as unset (as `vaultReferences` reads it). */
const optionalSecretOcid = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  secretOcid.optional(),
);

/** The OCI section of the function config: Vault. */
export const OciConfigFragment = {
  /** Overrides the Vault secrets endpoint. @default `https://secrets.vaults.<region>.oci.oraclecloud.com` */
  oci_secrets_endpoint: httpUrl.optional(),
  /** How long a secret read from Vault is reused by a warm container, s; 0 reads Vault on every invocation. @default 600 */
  oci_secret_ttl_seconds: z.coerce.number().int().min(0).max(86_400).default(600),
  /** Vault secret OCIDs of the secrets of the same name without `_ocid`. @default unset: the plain key is used */
  b2cservice_username_ocid: optionalSecretOcid,
  b2cservice_password_ocid: optionalSecretOcid,
  twilio_auth_token_ocid: optionalSecretOcid,
  vonage_signature_secret_ocid: optionalSecretOcid,
  webhook_hmac_secret_ocid: optionalSecretOcid,
} as const;

/**
 * Keys the run needs that may come from Vault: `<key>_ocid` holds the secret's OCID, `<key>` stays the
 * local fallback. (The APM data key is read apart: its absence turns traces off, never fails a run.)
 */
export const VAULT_SECRET_KEYS = [
  'b2cservice_username',
  'b2cservice_password',
  'twilio_auth_token',
  'vonage_signature_secret',
  'webhook_hmac_secret',
] as const;

const OciConfigSchema = z.object(OciConfigFragment);
export type OciConfig = z.infer<typeof OciConfigSchema>;
