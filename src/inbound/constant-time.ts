import { timingSafeEqual } from 'node:crypto';

/**
 * Compares two byte strings in time that depends only on their lengths, never on where they
 * differ. The expected value's length is not secret (a digest length), so a length mismatch
 * may return early.
 */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
