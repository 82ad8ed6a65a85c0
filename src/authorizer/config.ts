/**
 * The authorizer's config keys (Fn app/function config → environment). Its one gate is a shared
 * token (plain or from Vault by OCID). There is no address gate: API Gateway hands an authorizer
 * only what the client sent (headers, query), never the peer address, so an allow list read from a
 * header admits whoever forges it. Addresses are restricted at the network (docs/deploy.md).
 */
import { z } from 'zod';
import { secretOcid } from '../oci/config.js';

/** Fn config cannot unset a key, only empty it: an empty value means "not configured". */
const unsetWhenEmpty = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

export const AuthorizerConfigSchema = z
  .object({
    /** The shared token callers present (prefer `auth_token_ocid`). */
    auth_token: z.preprocess(unsetWhenEmpty, z.string().min(16, 'must be at least 16 characters').optional()),
    /** Vault secret holding the shared token; wins over `auth_token`. */
    auth_token_ocid: z.preprocess(unsetWhenEmpty, secretOcid.optional()),
    /** Removed: refused when set, so a deployment that relied on it fails closed and says why. */
    auth_allow_cidrs: z.preprocess(
      unsetWhenEmpty,
      z
        .string()
        .optional()
        .refine(
          (v) => v === undefined,
          'is no longer read: the client address reached the authorizer in a header the client can set; restrict addresses at the network (gateway_ingress_cidrs) and remove this key',
        ),
    ),
    /** How long the gateway may cache an admission (it caches by the token). */
    auth_cache_seconds: z.coerce.number().int().min(60).max(3600).default(300),
    /** `principal` and `clientId` of an admitted caller. */
    auth_principal: z.string().trim().min(1).max(128).default('sms-webhook'),
    /** The realm in `WWW-Authenticate` of a refusal. */
    auth_realm: z
      .string()
      .regex(/^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/, 'must be printable ASCII without quotes or backslashes')
      .default('sms-incident'),
    oci_secrets_endpoint: z.string().trim().url('must be an absolute URL').optional(),
    oci_secret_ttl_seconds: z.coerce.number().int().min(0).max(86_400).default(600),
    log_level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  })
  .refine((c) => c.auth_token !== undefined || c.auth_token_ocid !== undefined, {
    message:
      "set auth_token_ocid (or auth_token): the token is the authorizer's only gate, and an authorizer with none would admit everyone",
    path: ['auth_token_ocid'],
  });

export type AuthorizerConfig = z.infer<typeof AuthorizerConfigSchema>;

/** The config, or the problems naming each bad key (never its value). */
export function loadAuthorizerConfig(
  env: Record<string, string | undefined>,
): AuthorizerConfig | { problems: string[] } {
  const parsed = AuthorizerConfigSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  return { problems: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'config'} ${i.message}`) };
}
