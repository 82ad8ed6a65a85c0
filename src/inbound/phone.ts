/** E.164: `+`, a non-zero country digit, 7 to 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;

/** Formatting characters that senders put inside numbers and that carry no meaning. */
const FORMATTING = /[\s().-]/g;

/** A short code or a national service number that some providers put in `To`. */
const SHORT_CODE = /^\d{3,8}$/;

/**
 * Normalises a sender-supplied number to E.164, or returns undefined when it is not one.
 * Only formatting characters are removed: letters, quotes or operators make it invalid,
 * so nothing but digits can ever reach a B2C query.
 */
export function toE164(raw: string): string | undefined {
  const compact = raw.replace(FORMATTING, '');
  return E164.test(compact) ? compact : undefined;
}

/** Vonage sends numbers in international format without the `+` (`447700900001`). */
export function fromInternationalDigits(raw: string): string | undefined {
  const compact = raw.replace(FORMATTING, '');
  return toE164(compact.startsWith('+') ? compact : `+${compact}`);
}

/** Our own number: E.164, or kept as a short code (`12345`), which is a valid SMS recipient. */
export function recipient(
  raw: string,
  international: (raw: string) => string | undefined = toE164,
): string | undefined {
  const compact = raw.replace(FORMATTING, '');
  return international(compact) ?? (SHORT_CODE.test(compact) ? compact : undefined);
}
