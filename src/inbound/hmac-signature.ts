import { createHmac } from 'node:crypto';
import { safeEqual } from './constant-time.js';

/**
 * The generic scheme for vendors without their own: HMAC-SHA256 of the raw body with a shared
 * secret, in a configurable header, as hex (`sha256=` prefix optional, as GitHub and others send
 * it) or base64.
 */
export function hmacSha256(secret: string, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}

/** The digest bytes a header value carries, or undefined when it is neither hex nor base64 of 32 bytes. */
function digestOf(header: string): Buffer | undefined {
  const value = header.trim().replace(/^sha256=/i, '');
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(value)) return Buffer.from(value, 'base64');
  return undefined;
}

export function verifyHmacSignature(secret: string, body: Buffer, header: string): boolean {
  const given = digestOf(header);
  const expected = hmacSha256(secret, body);
  return safeEqual(given ?? Buffer.alloc(0), expected);
}
