import { z } from 'zod';
import { recipient, toE164 } from './phone.js';

/** zod field types the adapters share, so every provider refuses the same bad input the same way. */

const E164_PROBLEM = 'must be a phone number in E.164 format (e.g. +14155550101)';

/** A sender number, normalised to E.164 by `normalise`, or a 400 naming the field. */
export function senderPhone(normalise: (raw: string) => string | undefined = toE164) {
  return z
    .string()
    .max(64)
    .transform((raw, ctx) => {
      const e164 = normalise(raw);
      if (e164 === undefined) {
        ctx.addIssue({ code: 'custom', message: E164_PROBLEM });
        return z.NEVER;
      }
      return e164;
    });
}

/** Our number: E.164 or a short code. */
export function recipientPhone(normalise: (raw: string) => string | undefined = toE164) {
  return z
    .string()
    .max(64)
    .transform((raw, ctx) => {
      const value = recipient(raw, normalise);
      if (value === undefined) {
        ctx.addIssue({ code: 'custom', message: 'must be a phone number in E.164 format or a short code' });
        return z.NEVER;
      }
      return value;
    });
}

/** The message text: an SMS is short; 16 000 leaves room for long concatenated or MMS text. */
export const messageText = z.string().max(16_000, 'must be at most 16000 characters');

/** A provider message id: printable ASCII only, so it is safe in a note, a log line and a query. */
export const messageId = z.string().regex(/^[\x21-\x7e]{1,128}$/, 'must be 1 to 128 printable ASCII characters');

/** A media link we keep in the note and never fetch. */
export const mediaUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);
