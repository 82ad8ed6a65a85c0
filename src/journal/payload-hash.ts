import { createHash } from 'node:crypto';

/** sha256 of a canonical JSON form (keys sorted), so key order and whitespace never matter. */
export function payloadHash(value: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(value)).digest('base64url')}`;
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
