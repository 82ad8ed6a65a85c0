import { B2cError } from './errors.js';

/** E.164; re-checked here because nothing else may reach a query string. */
const E164 = /^\+[1-9]\d{6,14}$/;

/** A ROQL string literal: single-quoted, quotes doubled. */
export function roqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
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
