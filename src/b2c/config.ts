import { z } from 'zod';

/**
 * The B2C Service section of the function config: the site, its API user and how the SMS is
 * filed. Keys are named as in Oracle's guide so its users can keep their app config.
 */

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** A bare site host (`mysite.custhelp.com`, https assumed) or an origin with scheme (`http://127.0.0.1:9000`). */
const siteOrigin = nonEmpty.transform((value, ctx) => {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a host name (mysite.custhelp.com) or an origin (https://host[:port])',
    });
    return z.NEVER;
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.username ||
    url.password ||
    (url.pathname !== '/' && url.pathname !== '') ||
    url.search ||
    url.hash
  ) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a host name or an http(s) origin without path, query or credentials',
    });
    return z.NEVER;
  }
  return url.origin;
});

/** Hosts where plain HTTP never leaves the machine: the emulator, a local tunnel. */
function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** `true`/`false` as Fn config writes them; anything else is a mistake worth naming. */
const flag = z
  .enum(['true', 'false'])
  .default('false')
  .transform((value) => value === 'true');

export const B2cConfigShape = {
  /** The site: `mysite.custhelp.com` or an origin (`https://host[:port]`). @default — required */
  b2cservice_hostname: siteOrigin,
  /** API user (or `b2cservice_username_ocid` in Vault). @default — required */
  b2cservice_username: nonEmpty,
  /** Its password (or `b2cservice_password_ocid` in Vault). @default — required */
  b2cservice_password: z.string().min(1, 'must not be empty'),
  /** Connect REST version. @default 'v1.4' */
  b2cservice_api_version: z
    .string()
    .regex(/^(v\d+\.\d+|latest)$/, 'must be v1.3, v1.4 or latest')
    .default('v1.4'),
  /**
   * `OSvC-CREST-Application-Context`, ≤ 40 printable ASCII characters (a header value: control
   * characters would fail every request, so they fail the config instead). @default 'sms-incident'
   */
  b2cservice_app_context: z
    .string()
    .min(1)
    .max(40, 'must be at most 40 characters')
    .regex(/^[\x20-\x7e]+$/, 'must be printable ASCII (no control characters)')
    .default('sms-incident'),
  /** Basic credentials in clear text to a non-loopback `http://` site: only when asked for by name. @default false */
  b2cservice_allow_http: flag,
  /** Phone type lookupName for the sender's number. @default 'Mobile Phone' */
  b2cservice_phone_type: nonEmpty.default('Mobile Phone'),
  /** Thread entry type lookupName of the note that holds the SMS. @default 'Note' */
  b2cservice_thread_entry_type: nonEmpty.default('Note'),
  /** `e164` (exact international digits) or `national` (also numbers typed without the country code). @default 'e164' */
  b2cservice_phone_match: z.enum(['e164', 'national']).default('e164'),
  /**
   * How long after we abandon a write B2C Service may still apply it, ms (see docs/exactly-once.md).
   * @default 10000
   */
  b2cservice_late_write_window_ms: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /**
   * Incident custom field (`customFields.c.<name>`) holding the message id, for an exact lookup
   * when an incident creation's outcome is unknown. @default unset: found by contact, subject and time
   */
  b2cservice_incident_sms_field: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must be a custom field name (letters, digits, _), without customFields.c.')
    .optional(),
} as const;

const B2cConfigSchema = z.object(B2cConfigShape);
export type B2cConfig = z.infer<typeof B2cConfigSchema>;

/** Plain HTTP to a non-loopback site, allowed by `b2cservice_allow_http`: worth one warning at start. */
export function sendsCredentialsInClear(config: { readonly b2cservice_hostname: string }): boolean {
  if (!URL.canParse(config.b2cservice_hostname)) return false;
  const url = new URL(config.b2cservice_hostname);
  return url.protocol === 'http:' && !isLoopback(url.hostname);
}

/** Base URL of the Connect REST API for this config. */
export function b2cBaseUrl(config: Pick<B2cConfig, 'b2cservice_hostname' | 'b2cservice_api_version'>): string {
  return `${config.b2cservice_hostname}/services/rest/connect/${config.b2cservice_api_version}`;
}
