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
 * The `q=` filter that finds contacts by phone. B2C stores `rawNumber` as digits only
 * (no `+`), whatever the formatting of `number`; matching it is format-proof.
 */
export function contactByPhoneFilter(e164: string): string {
  if (!E164.test(e164)) {
    throw new B2cError({ operation: 'lookup-contact', kind: 'request', retryable: false, message: 'refusing to query with a phone number that is not E.164' });
  }
  return `phones.rawNumber = ${roqlString(e164.slice(1))}`;
}
