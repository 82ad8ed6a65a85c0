import type { IncomingMessage } from 'node:http';
import type { RecordedRequest } from './types.js';

/** Headers whose values never leave the emulator. */
const REDACTED = new Set(['authorization', 'proxy-authorization']);

/** The request as received; `status` is filled in when (and if) the emulator answers. */
export function recordRequest(req: IncomingMessage, url: URL, resource: string, body: Buffer): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = REDACTED.has(name) ? '[redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    resource,
    query: Object.fromEntries(url.searchParams),
    headers,
    body: body.toString('utf8'),
    status: 0,
    at: Date.now(),
  };
}
