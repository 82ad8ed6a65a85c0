// Vonage's documented signing scheme, written from the docs and Vonage's SDK
// (https://developer.vonage.com/getting-started/concepts/signing-messages), independently of src/.
import { createHash, createHmac } from 'node:crypto';

export const VONAGE_SIGNATURE_SECRET = 'vonage-signature-secret-0123';

export type VonageMethod = 'md5hash' | 'md5' | 'sha1' | 'sha256' | 'sha512';

/** Adds `timestamp` (unix seconds) and `sig` to the parameters, as Vonage sends a signed webhook. */
export function signVonage(
  params: Record<string, string>,
  options: { secret?: string; method?: VonageMethod; timestamp?: number } = {},
): Record<string, string> {
  const { secret = VONAGE_SIGNATURE_SECRET, method = 'md5hash', timestamp = Math.floor(Date.now() / 1000) } = options;
  // Every parameter but `sig` itself is signed (a stale `sig` among the parameters is replaced).
  const { sig: _stale, ...unsigned } = params;
  const signed: Record<string, string> = { ...unsigned, timestamp: String(timestamp) };
  let query = '';
  for (const key of Object.keys(signed).sort()) query += `&${key}=${signed[key]!.replace(/=|&/g, '_')}`;
  const sig =
    method === 'md5hash'
      ? createHash('md5')
          .update(query + secret)
          .digest('hex')
      : createHmac(method, secret).update(query).digest('hex').toUpperCase();
  return { ...signed, sig };
}
