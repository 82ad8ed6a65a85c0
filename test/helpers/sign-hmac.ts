// The generic scheme: HMAC-SHA256 of the raw body, hex, in a configured header.
import { createHmac } from 'node:crypto';

export const HMAC_SECRET = 'generic-webhook-secret-0123';
export const HMAC_HEADER = 'X-Webhook-Signature';

export function signHmac(
  body: string | Buffer,
  secret: string = HMAC_SECRET,
  encoding: 'hex' | 'base64' = 'hex',
): string {
  return createHmac('sha256', secret).update(body).digest(encoding);
}
