import { createHash } from 'node:crypto';
import type { ProviderAdapter } from './adapter.js';
import type { Payload } from './body.js';
import type { InboundConfig } from './config.js';
import { safeEqual } from './constant-time.js';
import { InboundError, SignatureConfigError } from './errors.js';
import { verifyHmacSignature } from './hmac-signature.js';
import { publicUrl } from './public-url.js';
import {
  TWILIO_SIGNATURE_HEADER,
  TWILIO_SIGNATURE_SETTINGS_HEADER,
  twilioAlgorithm,
  verifyTwilioSignature,
  type SignedParams,
} from './twilio-signature.js';
import { VONAGE_MAX_SKEW_S, verifyVonageSignature } from './vonage-signature.js';

/** How a request was authenticated; `off` when `webhook_signature=off`. */
export const SignatureScheme = {
  twilio: 'twilio',
  twilioBodySha256: 'twilio-body-sha256',
  vonage: 'vonage',
  hmacSha256: 'hmac-sha256',
  off: 'off',
} as const;
export type SignatureScheme = (typeof SignatureScheme)[keyof typeof SignatureScheme];

/** What verification needs of a request: raw bytes, client headers and the path the gateway saw. */
export interface SignedRequest {
  readonly body: Buffer;
  readonly url: string | null;
  /** `GET` means the payload came from the query string (and the body is empty). */
  readonly method?: string | null;
  header(name: string): string | null;
}

export type SignatureConfig = Pick<
  InboundConfig,
  | 'webhook_signature'
  | 'webhook_public_url'
  | 'twilio_auth_token'
  | 'vonage_signature_secret'
  | 'vonage_signature_method'
  | 'webhook_hmac_secret'
  | 'webhook_hmac_header'
>;

const missingSecret = (...keys: string[]): SignatureConfigError =>
  new SignatureConfigError(keys.map((key) => ({ key, problem: 'is required when webhook_signature is required' })));

/**
 * Checks the request's signature with the scheme of its provider, before anything the body says
 * is trusted. Throws 401 (no signature), 403 (a wrong one) or {@link SignatureConfigError}
 * (the secret it needs is not configured: fail closed).
 */
export function verifySignature(
  req: SignedRequest,
  payload: Payload,
  adapter: ProviderAdapter,
  config: SignatureConfig,
  now: number,
): SignatureScheme {
  if (config.webhook_signature === 'off') return 'off';
  switch (adapter.provider) {
    case 'twilio':
      if (payload.kind === 'form') return twilioForm(req, payload, config, isGet(req));
      // The guide's JSON carries no signature of its own: Twilio's bodySHA256 variant when the
      // request has an X-Twilio-Signature, else the generic body HMAC.
      if (req.header(TWILIO_SIGNATURE_HEADER) !== null || config.webhook_hmac_secret === undefined) {
        if (config.twilio_auth_token === undefined) {
          throw config.webhook_hmac_secret === undefined
            ? missingSecret('twilio_auth_token', 'webhook_hmac_secret')
            : missingSecret('twilio_auth_token');
        }
        return twilioJson(req, config.twilio_auth_token, config);
      }
      return hmac(req, config);
    case 'vonage':
      return vonage(payload, config, now);
    case 'generic':
      return hmac(req, config);
  }
}

function signatureHeader(req: SignedRequest, name: string): string {
  const value = req.header(name);
  if (value === null || value.trim() === '') throw new InboundError(401, `missing signature: send the ${name} header`);
  return value.trim();
}

function signedUrl(req: SignedRequest, config: SignatureConfig): string {
  const url = publicUrl(req, config.webhook_public_url);
  if (url === undefined)
    throw new InboundError(
      403,
      'invalid signature: the public URL cannot be rebuilt (no valid Host header); set webhook_public_url',
    );
  return url;
}

/**
 * Which URL the signature was checked against: a provider signs the URL it was configured with, and
 * a mismatch (another host, a proxy, a path prefix) is the usual cause. Without the query: a GET's
 * query holds the message.
 */
function checkedAgainst(url: string): string {
  const q = url.indexOf('?');
  return ` (checked against ${q === -1 ? url : `${url.slice(0, q)}?…`}; if the provider calls another URL, set webhook_public_url to it)`;
}

function algorithm(req: SignedRequest): 'sha1' | 'sha256' {
  const found = twilioAlgorithm(req.header(TWILIO_SIGNATURE_SETTINGS_HEADER));
  if (found === undefined)
    throw new InboundError(403, `invalid signature: unsupported algorithm in ${TWILIO_SIGNATURE_SETTINGS_HEADER}`);
  return found;
}

const isGet = (req: SignedRequest): boolean => req.method?.toUpperCase() === 'GET';

/** A GET webhook's parameters are in its URL, which is signed as a whole: no POST params are appended. */
function twilioForm(
  req: SignedRequest,
  payload: Extract<Payload, { kind: 'form' }>,
  config: SignatureConfig,
  get: boolean,
): SignatureScheme {
  if (config.twilio_auth_token === undefined) throw missingSecret('twilio_auth_token');
  const signature = signatureHeader(req, TWILIO_SIGNATURE_HEADER);
  const params = new Map<string, string[]>();
  // Linear in the number of pairs: a repeated name must not copy its list of values each time.
  if (!get) {
    for (const [name, value] of payload.pairs) {
      const values = params.get(name);
      if (values === undefined) params.set(name, [value]);
      else values.push(value);
    }
  }
  const url = signedUrl(req, config);
  if (!verifyTwilioSignature(config.twilio_auth_token, signature, url, params, algorithm(req))) {
    throw new InboundError(
      403,
      `invalid signature: ${TWILIO_SIGNATURE_HEADER} does not match the URL and parameters${checkedAgainst(url)}`,
    );
  }
  return 'twilio';
}

const NO_PARAMS: SignedParams = new Map();

function twilioJson(req: SignedRequest, token: string, config: SignatureConfig): SignatureScheme {
  const signature = signatureHeader(req, TWILIO_SIGNATURE_HEADER);
  const url = signedUrl(req, config);
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const bodySha256 = new URLSearchParams(query).get('bodySHA256');
  if (bodySha256 === null)
    throw new InboundError(403, 'invalid signature: a signed JSON webhook needs bodySHA256 in its URL');
  // Both checks always run, so the time taken does not say which one failed.
  const urlValid = verifyTwilioSignature(token, signature, url, NO_PARAMS, algorithm(req));
  const bodyValid = safeEqual(
    Buffer.from(bodySha256.toLowerCase(), 'utf8'),
    Buffer.from(createHash('sha256').update(req.body).digest('hex'), 'utf8'),
  );
  if (!urlValid || !bodyValid)
    throw new InboundError(
      403,
      `invalid signature: ${TWILIO_SIGNATURE_HEADER} or bodySHA256 does not match${checkedAgainst(url)}`,
    );
  return 'twilio-body-sha256';
}

function vonage(payload: Payload, config: SignatureConfig, now: number): SignatureScheme {
  if (config.vonage_signature_secret === undefined) throw missingSecret('vonage_signature_secret');
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload.fields)) {
    params[name] =
      typeof value === 'string'
        ? value
        : typeof value === 'number' || typeof value === 'boolean'
          ? String(value)
          : (JSON.stringify(value) ?? '');
  }
  const sig = params.sig;
  if (sig === undefined || sig.trim() === '')
    throw new InboundError(401, 'missing signature: send the sig parameter (Vonage signed webhooks)');
  if (!verifyVonageSignature(config.vonage_signature_secret, config.vonage_signature_method, params, sig.trim())) {
    throw new InboundError(403, 'invalid signature: sig does not match the parameters');
  }
  const timestamp = params.timestamp === undefined ? undefined : Number(params.timestamp);
  if (timestamp !== undefined && !(Math.abs(now / 1000 - timestamp) <= VONAGE_MAX_SKEW_S)) {
    throw new InboundError(403, `invalid signature: timestamp is more than ${VONAGE_MAX_SKEW_S} s away from now`);
  }
  return 'vonage';
}

/**
 * The body HMAC covers the body only: a GET's message is in its query, which it would leave
 * unsigned (any captured signature, or that of the empty body, would pass). Refused whatever the config.
 */
function hmac(req: SignedRequest, config: SignatureConfig): SignatureScheme {
  if (isGet(req)) {
    throw new InboundError(
      405,
      'GET is not accepted for this webhook: its signature scheme signs the body, not the query; send it with POST',
      undefined,
      { allow: 'POST' },
    );
  }
  if (config.webhook_hmac_secret === undefined) throw missingSecret('webhook_hmac_secret');
  const header = signatureHeader(req, config.webhook_hmac_header);
  if (!verifyHmacSignature(config.webhook_hmac_secret, req.body, header)) {
    throw new InboundError(403, `invalid signature: ${config.webhook_hmac_header} does not match the body`);
  }
  return 'hmac-sha256';
}
