/** E.164: `+`, a non-zero country digit, 7 to 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;

/** Formatting characters that senders put inside numbers and that carry no meaning. */
const FORMATTING = /[\s().-]/g;

/**
 * Normalises a sender-supplied number to E.164, or returns undefined when it is not one.
 * Only formatting characters are removed: letters, quotes or operators make it invalid,
 * so nothing but digits can ever reach a B2C query.
 */
export function toE164(raw: string): string | undefined {
  const compact = raw.replace(FORMATTING, '');
  return E164.test(compact) ? compact : undefined;
}

export function isE164(value: string): boolean {
  return E164.test(value);
}
