import { z } from 'zod';

/**
 * The inbound side's config keys, spread into `ConfigSchema` (src/config.ts) with one line.
 * Secrets are optional here: which one is needed depends on the provider of each request, and a
 * missing one is refused per request (fail closed, 500) rather than at load time.
 */

/** Fn config cannot unset a key, only empty it: an empty value means "not configured". */
const unsetWhenEmpty = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const secret = z.preprocess(unsetWhenEmpty, z.string().min(8, 'must be at least 8 characters').optional());

/** `https://sms.example.com` (origin: the request's path and query are appended) or a full URL. */
const publicUrl = z.preprocess(
  unsetWhenEmpty,
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && !url.hash;
      } catch {
        return false;
      }
    }, 'must be an http(s) origin or URL without credentials or fragment')
    .optional(),
);

/** RFC 7230 token: what a header name may be. */
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/, 'must be an HTTP header name');

export const InboundConfigShape = {
  /** `auto` picks the adapter from the content type and the fields; a fixed provider refuses other shapes. @default 'auto' */
  webhook_provider: z.enum(['auto', 'twilio', 'vonage', 'generic']).default('auto'),
  /** `off` only when something in front (the gateway) authenticates the caller. @default 'required' */
  webhook_signature: z.enum(['required', 'off']).default('required'),
  /** The URL the provider calls, when the function cannot rebuild it (origin or full URL). @default unset: Host + path */
  webhook_public_url: publicUrl,
  /** Larger bodies are refused with 413. @default 65536 */
  webhook_max_body_bytes: z.coerce
    .number()
    .int()
    .min(1024, 'must be at least 1024')
    .max(1_048_576, 'must be at most 1048576')
    .default(64 * 1024),
  /** Twilio Auth Token for `X-Twilio-Signature` (or `twilio_auth_token_ocid`). @default unset */
  twilio_auth_token: secret,
  /** Vonage signature secret (`sig`). @default unset */
  vonage_signature_secret: secret,
  /** As set in the Vonage dashboard. @default 'md5hash' */
  vonage_signature_method: z.enum(['md5hash', 'md5', 'sha1', 'sha256', 'sha512']).default('md5hash'),
  /** Shared secret of the generic scheme: HMAC-SHA256 of the raw body. @default unset */
  webhook_hmac_secret: secret,
  /** The header that carries the generic HMAC. @default 'X-Webhook-Signature' */
  webhook_hmac_header: headerName.default('X-Webhook-Signature'),
  /** TwiML auto-reply, e.g. `Thanks, we opened case {referenceNumber}`. @default unset: no reply */
  reply_template: z.preprocess(unsetWhenEmpty, z.string().max(640, 'must be at most 640 characters').optional()),
} as const;

const InboundConfigSchema = z.object(InboundConfigShape);

export type InboundConfig = z.infer<typeof InboundConfigSchema>;
