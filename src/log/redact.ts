/**
 * Masking for anything that may reach a log line, a span, an error message or an HTTP answer.
 * A phone number is personal data: keep its country prefix and last four digits, enough to
 * correlate without identifying (`+14155550101` → `+1415•••0101`).
 */

const MASK = '•••';

/** Masks one phone number; anything too short to mask safely becomes `•••`. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 8) return MASK;
  const plus = phone.trim().startsWith('+') ? '+' : '';
  return `${plus}${digits.slice(0, 4)}${MASK}${digits.slice(-4)}`;
}

/** Masks every run of 7 or more digits (optionally `+`-prefixed) inside free text, e.g. a server's error detail. */
export function redactPhones(text: string): string {
  return text.replace(/\+?\d[\d\s().-]{5,}\d/g, (m) => (m.replace(/\D/g, '').length >= 7 ? maskPhone(m) : m));
}
