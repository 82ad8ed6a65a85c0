import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { B2cError } from './errors.js';

/** E.164; re-checked here because nothing else may reach a query string. */
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * A ROQL string literal: single-quoted, backslashes doubled, quotes doubled.
 *
 * Confirmed (Oracle's REST docs and recorded traffic): literals are single-quoted, and `q=` and
 * `queryResults` take the WHERE clause as URL-encoded text. Not documented anywhere we could find:
 * what a backslash does inside a literal. Inferred: ROQL runs on MySQL, whose default mode reads
 * `\` as an escape: with quotes doubled alone, `a\' or 1=1 --` would become `'a\'' or 1=1 --'`, a quote
 * inside the literal, its end, then ROQL of the sender's choosing. Doubled,
 * a backslash is safe either way: one backslash where it escapes, two (a non-match, never a
 * syntax error or an injection) where it does not; `''` is a quote in both readings.
 */
export function roqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * How a sender's number is matched against the site's contacts (`b2cservice_phone_match`):
 * - `e164`: `rawNumber` equals the international digits (what B2C stores for a number entered with
 *   its country code, whatever its formatting);
 * - `national`: also `rawNumber` ending in the national significant number, for numbers agents
 *   typed without the country code (`(415) 555-0101`, `07700 900001`).
 */
export type PhoneMatch = 'e164' | 'national';

function checkedE164(e164: string): string {
  if (!E164.test(e164)) {
    throw new B2cError({
      operation: 'lookup-contact',
      kind: 'request',
      retryable: false,
      message: 'refusing to query with a phone number that is not E.164',
    });
  }
  return e164;
}

/** The exact `q=` filter: B2C stores `rawNumber` as digits only (no `+`); matching it is format-proof. */
export function contactByPhoneFilter(e164: string): string {
  return `phones.rawNumber = ${roqlString(checkedE164(e164).slice(1))}`;
}

/**
 * Whether a stored `rawNumber` is the sender's number, by the same rule as the look-up's filters
 * ({@link contactByPhoneFilter}, and {@link contactByNationalNumberFilter} under `national`).
 */
export function phoneMatches(rawNumber: string, e164: string, match: PhoneMatch): boolean {
  const digits = rawNumber.replace(/\D/g, '');
  if (digits === checkedE164(e164).slice(1)) return true;
  if (match === 'e164') return false;
  const national = parsePhoneNumberFromString(e164)?.nationalNumber;
  return national !== undefined && national.length >= 6 && digits.endsWith(national);
}

/**
 * The `national` policy's second filter: `rawNumber` ending in the national significant number
 * (libphonenumber's metadata: `+447700900001` → `%7700900001`, so a stored `07700900001` matches).
 * Undefined when the number has no national form worth matching.
 */
export function contactByNationalNumberFilter(e164: string): string | undefined {
  const national = parsePhoneNumberFromString(checkedE164(e164))?.nationalNumber;
  // Fewer digits than this would match unrelated short numbers.
  if (national === undefined || national.length < 6 || !/^\d+$/.test(national)) return undefined;
  return `phones.rawNumber like ${roqlString(`%${national}`)}`;
}
