import { z } from 'zod';
import { journalConfigShape } from './journal/config.js';
import { InboundConfigShape } from './inbound/config.js';
import { OciConfigFragment, VAULT_SECRET_KEYS } from './oci/config.js';

/**
 * Function configuration, validated once per invocation from the environment (Fn app and
 * function config become environment variables). Keys are named as in Oracle's guide so its
 * users can keep their app config. This is the only module that reads the environment.
 */

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** A bare site host (`mysite.custhelp.com`, https assumed) or an origin with scheme (`http://127.0.0.1:9000`). */
const siteOrigin = nonEmpty.transform((value, ctx) => {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a host name (mysite.custhelp.com) or an origin (https://host[:port])' });
    return z.NEVER;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    ctx.addIssue({ code: 'custom', message: 'must be a host name or an http(s) origin without path, query or credentials' });
    return z.NEVER;
  }
  return url.origin;
});

/** Hosts where plain HTTP never leaves the machine: the emulator, a local tunnel. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** `true`/`false` as Fn config writes them; anything else is a mistake worth naming. */
const flag = z.enum(['true', 'false']).default('false').transform((value) => value === 'true');

export const ConfigSchema = z.object({
  b2cservice_hostname: siteOrigin,
  b2cservice_username: nonEmpty,
  b2cservice_password: z.string().min(1, 'must not be empty'),
  b2cservice_api_version: z
    .string()
    .regex(/^(v\d+\.\d+|latest)$/, 'must be v1.3, v1.4 or latest')
    .default('v1.4'),
  /** A request header value: control characters would fail every request, so they fail the config instead. */
  b2cservice_app_context: z
    .string()
    .min(1)
    .max(40, 'must be at most 40 characters')
    .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII (no control characters)')
    .default('sms-incident'),
  /** Basic credentials in clear text to a non-loopback `http://` site: only when asked for by name. */
  b2cservice_allow_http: flag,
  b2cservice_phone_type: nonEmpty.default('Mobile Phone'),
  b2cservice_thread_entry_type: nonEmpty.default('Note'),
  /** `e164` (exact international digits) or `national` (also numbers typed without the country code). */
  b2cservice_phone_match: z.enum(['e164', 'national']).default('e164'),
  /** Minimum level of the JSON log lines. */
  log_level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  ...journalConfigShape,
  ...InboundConfigShape,
  ...OciConfigFragment,
});

/** Plain HTTP to a non-loopback site, allowed by `b2cservice_allow_http`: worth one warning at start. */
export function sendsCredentialsInClear(config: { readonly b2cservice_hostname: string }): boolean {
  if (!URL.canParse(config.b2cservice_hostname)) return false;
  const url = new URL(config.b2cservice_hostname);
  return url.protocol === 'http:' && !isLoopback(url.hostname);
}

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly { key: string; problem: string }[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.key} ${p.problem}`).join('; ')}`);
  }
}

/** Validates the config keys in `env`; throws {@link ConfigError} naming every bad key (never its value). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const parsed = ConfigSchema.safeParse(env);
  if (parsed.success) {
    // Two keys together, so checked here rather than in the schema (which other parts `pick` from).
    if (sendsCredentialsInClear(parsed.data) && !parsed.data.b2cservice_allow_http) {
      throw new ConfigError([
        {
          key: 'b2cservice_hostname',
          problem: 'is http:// to a host that is not loopback: the B2C password would cross the network in clear text; use https (or set b2cservice_allow_http=true)',
        },
      ]);
    }
    return Object.freeze(parsed.data);
  }
  throw new ConfigError(
    parsed.error.issues.map((issue) => ({
      key: issue.path.map(String).join('.'),
      problem: issue.code === 'invalid_type' && issue.input === undefined ? requiredProblem(issue.path.map(String).join('.')) : issue.message,
    })),
  );
}

/** Base URL of the Connect REST API for this config. */
export function b2cBaseUrl(config: Pick<Config, 'b2cservice_hostname' | 'b2cservice_api_version'>): string {
  return `${config.b2cservice_hostname}/services/rest/connect/${config.b2cservice_api_version}`;
}

/** A key that may come from Vault says so when neither it nor its `_ocid` twin is set. */
function requiredProblem(key: string): string {
  return (VAULT_SECRET_KEYS as readonly string[]).includes(key) ? `is required (set ${key}, or ${key}_ocid to a Vault secret OCID)` : 'is required';
}
