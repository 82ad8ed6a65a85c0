import type { ProviderAdapter } from './adapter.js';

/**
 * Fields that authenticate the request or are credentials: never copied into an incident. Signing
 * fields also change on a redelivery, and the canonical message must not.
 */
const LEFT_OUT = new Set(['sig', 'nonce', 'timestamp', 'api-key', 'api_key', 'apikey', 'signature']);
const MAX_FIELDS = 60;
const MAX_VALUE = 500;
/** Control characters would break the note's one-field-per-line layout. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** The provider's fields as received, for the incident thread: bounded, one line each, no text, no signature. */
export function rawFields(adapter: ProviderAdapter, fields: Readonly<Record<string, unknown>>): Record<string, string> {
  const raw: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of Object.entries(fields)) {
    if (name === adapter.textField || LEFT_OUT.has(name.toLowerCase()) || value === undefined) continue;
    if (count++ >= MAX_FIELDS) break;
    const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
    const key = name.replace(CONTROL, ' ').slice(0, 64);
    const line = text.replace(CONTROL, ' ');
    raw[key] = line.length > MAX_VALUE ? `${line.slice(0, MAX_VALUE - 1)}…` : line;
  }
  return raw;
}
