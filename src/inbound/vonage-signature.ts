import { createHash, createHmac } from 'node:crypto';
import { safeEqual } from './constant-time.js';
import type { InboundConfig } from './config.js';

/**
 * Vonage signed SMS webhooks (https://developer.vonage.com/getting-started/concepts/signing-messages):
 * every parameter but `sig`, sorted by name, as `&name=value` with `&` and `=` in values replaced
 * by `_`; then `md5hash` = MD5(string + secret), or an HMAC (md5, sha1, sha256, sha512) keyed
 * with the signature secret. Hex, compared case-insensitively as Vonage's SDKs do.
 */
export type VonageMethod = InboundConfig['vonage_signature_method'];

/** Vonage puts the signing time in `timestamp`; older ones are replays. */
export const VONAGE_MAX_SKEW_S = 300;

export function vonageSignedString(params: Readonly<Record<string, string>>): string {
  let signed = '';
  for (const name of Object.keys(params)
    .filter((n) => n !== 'sig')
    .sort()) {
    signed += `&${name}=${(params[name] ?? '').replace(/[&=]/g, '_')}`;
  }
  return signed;
}

export function vonageSignature(
  secret: string,
  method: VonageMethod,
  params: Readonly<Record<string, string>>,
): string {
  const signed = vonageSignedString(params);
  if (method === 'md5hash')
    return createHash('md5')
      .update(signed + secret, 'utf8')
      .digest('hex');
  return createHmac(method, secret).update(signed, 'utf8').digest('hex');
}

export function verifyVonageSignature(
  secret: string,
  method: VonageMethod,
  params: Readonly<Record<string, string>>,
  sig: string,
): boolean {
  return safeEqual(
    Buffer.from(sig.toLowerCase(), 'utf8'),
    Buffer.from(vonageSignature(secret, method, params), 'utf8'),
  );
}
