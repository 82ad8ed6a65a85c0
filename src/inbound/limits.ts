import { InboundError } from './errors.js';

/**
 * Bounds on what an unauthenticated body may make us do before its signature is checked. Every
 * check here is one linear pass over the text, so a hostile body costs time proportional to its
 * (already size-capped) length and nothing more.
 */

/** Providers send fewer than 100 fields (Twilio's form with 10 media: about 50). */
export const MAX_FIELDS = 200;
/** Provider payloads are two levels deep; recursive code (stringify, zod) must never see thousands. */
export const MAX_JSON_DEPTH = 20;

const AMP = 0x26;

/** Non-empty `&`-separated segments of a form or query, counted without splitting (`a&&b` is two, as URLSearchParams reads it). */
export function assertFormFieldCount(text: string, what: 'body' | 'query'): void {
  let fields = 0;
  let inField = false;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === AMP) {
      inField = false;
    } else if (!inField) {
      inField = true;
      if (++fields > MAX_FIELDS) throw tooManyFields(what);
    }
  }
}

/**
 * Nesting depth and the root object's member count of a JSON text, in one pass that skips string
 * contents; checked before `JSON.parse` so a nesting bomb is never built. Invalid JSON may pass:
 * the parser refuses it next.
 */
export function assertJsonShape(text: string): void {
  let depth = 0;
  let members = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
      continue;
    }
    switch (c) {
      case 0x22: // "
        inString = true;
        break;
      case 0x7b: // {
      case 0x5b: // [
        if (++depth > MAX_JSON_DEPTH)
          throw new InboundError(400, `body is nested deeper than ${MAX_JSON_DEPTH} levels`);
        break;
      case 0x7d: // }
      case 0x5d: // ]
        depth--;
        break;
      case 0x3a: // : a member of the root object (colons appear only in objects, outside strings)
        if (depth === 1 && ++members > MAX_FIELDS) throw tooManyFields('body');
        break;
    }
  }
}

const tooManyFields = (what: 'body' | 'query'): InboundError =>
  new InboundError(413, `${what} has more than ${MAX_FIELDS} fields`);
