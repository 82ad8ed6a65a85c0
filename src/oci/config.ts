/**
 * Config keys of the OCI integration (Vault, endpoints), spread into `src/config.ts`'s schema.
 */
import { z } from 'zod';

const httpUrl = z
  .string()
  .trim()
  .url('must be an absolute http(s) URL')
  .refine((v) => /^https?:\/\//i.test(v), 'must be an absolute http(s) URL')
  .transform((v) => v.replace(/\/+$/, ''));

/** An OCID of a Vault secret. */
export const secretOcid = z.string().trim().regex(/^ocid1\.vaultsecret\.[a-z0-9-]+\.[a-z0-9-]*\.[a-z0-9._-]+$/i, 'must be a Vault secret OCID (ocid1.vaultsecret.…)');

export const OciConfigFragment = {
  /** Overrides the Vault secrets endpoint (default: `https://secrets.vaults.<region>.oci.oraclecloud.com`). */
  oci_secrets_endpoint: httpUrl.optional(),
  /** Overrides the metric ingestion endpoint (default: `https://telemetry-ingestion.<region>.oraclecloud.com`). */
  oci_monitoring_endpoint: httpUrl.optional(),
  /** Overrides the Logging ingestion endpoint (default: `https://ingestion.logging.<region>.oci.oraclecloud.com`). */
  oci_logging_endpoint: httpUrl.optional(),
  /** How long a secret read from Vault is reused by a warm container. */
  oci_secret_ttl_seconds: z.coerce.number().int().min(0).max(86_400).default(600),
  b2cservice_username_ocid: secretOcid.optional(),
  b2cservice_password_ocid: secretOcid.optional(),
  twilio_auth_token_ocid: secretOcid.optional(),
  vonage_signature_secret_ocid: secretOcid.optional(),
  webhook_hmac_secret_ocid: secretOcid.optional(),
  oci_apm_data_key_ocid: secretOcid.optional(),
} as const;

/** Keys that may come from Vault: `<key>_ocid` holds the secret's OCID, `<key>` stays the local fallback. */
export const VAULT_SECRET_KEYS = ['b2cservice_username', 'b2cservice_password', 'twilio_auth_token', 'vonage_signature_secret', 'webhook_hmac_secret', 'oci_apm_data_key'] as const;
