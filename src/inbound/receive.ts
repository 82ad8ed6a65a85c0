import type { Dialect, Provider } from './adapter.js';
import { decodeBody, decodeQuery } from './body.js';
import type { InboundConfig } from './config.js';
import { InboundError } from './errors.js';
import { rawFields } from './raw-fields.js';
import { selectAdapter } from './select-adapter.js';
import type { InboundSms } from './sms.js';
import { validatePayload } from './validate.js';
import { verifySignature, type SignatureScheme, type SignedRequest } from './verify-signature.js';

/** A webhook as the inbound side needs it: nothing fdk-specific (src/function/webhook-request.ts fits). */
export interface WebhookInput extends SignedRequest {
  readonly contentType: string | null;
  /** `POST` reads the body, `GET` the query string; none (no gateway, e.g. `fn invoke`) is a POST. */
  readonly method?: string | null;
}

/** An accepted webhook: the canonical message and how to answer its sender. */
export interface ReceivedSms {
  readonly sms: InboundSms;
  readonly provider: Provider;
  /** The shape it came in, e.g. `twilio-messaging-webhook`. */
  readonly shape: string;
  readonly dialect: Dialect;
  readonly signature: SignatureScheme;
}

/**
 * One webhook in, one canonical SMS out, in this order: method (405), size and field count (413),
 * content type (415), UTF-8, depth and syntax (400), provider selection, signature (401/403, 405
 * for a GET whose scheme signs only a body, or 500 via {@link SignatureConfigError} when the
 * secret is missing), then the provider's schema (400 naming the field). Nothing the request
 * says is used before a signature covering it has passed.
 *
 * @example
 * ```ts
 * const { sms, dialect } = receiveInbound(webhookRequest(input, ctx), loadConfig());
 * ```
 */
export function receiveInbound(req: WebhookInput, config: InboundConfig, now: number = Date.now()): ReceivedSms {
  const method = webhookMethod(req.method);
  const payload =
    method === 'GET' ? decodeQuery(req, config.webhook_max_body_bytes) : decodeBody(req, config.webhook_max_body_bytes);
  const adapter = selectAdapter(payload, config.webhook_provider);
  if (!adapter.accepts.includes(payload.kind)) {
    throw new InboundError(
      415,
      `unsupported content type for ${adapter.id}: send ${adapter.accepts.map((k) => (k === 'json' ? 'application/json' : 'application/x-www-form-urlencoded')).join(' or ')}`,
    );
  }
  const signature = verifySignature({ ...signedPart(req), method }, payload, adapter, config, now);
  const sms = validatePayload(adapter, payload.fields);
  return {
    // No receivedAt default: the canonical message must be identical on a provider's redelivery.
    sms: { ...sms, raw: rawFields(adapter, payload.fields) },
    provider: adapter.provider,
    shape: adapter.id,
    dialect: adapter.dialect,
    signature,
  };
}

/** Providers POST their webhooks, Twilio and Vonage can be set to GET; nothing else carries a message. */
function webhookMethod(method: string | null | undefined): 'POST' | 'GET' {
  const upper = (method || 'POST').toUpperCase();
  if (upper === 'POST' || upper === 'GET') return upper;
  throw new InboundError(
    405,
    'method not allowed: send the webhook with POST (GET only where the signature covers the query)',
    undefined,
    { allow: 'POST, GET' },
  );
}

/** What the signature schemes read, with the method normalised. */
function signedPart(req: WebhookInput): SignedRequest {
  return { body: req.body, url: req.url, header: (name) => req.header(name) };
}
