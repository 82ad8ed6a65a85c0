/**
 * Verifies an OCI request signature (draft-cavage-08 as the OCI SDK sends it): RSA-SHA256 over
 * `x-date (request-target) host` plus, for POST/PUT/PATCH, `content-type content-length
 * x-content-sha256`, with the body hash and length checked and the date within 5 minutes.
 */
import { createHash, verify } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const REQUIRED = ['x-date', '(request-target)', 'host'];
const REQUIRED_WITH_BODY = ['content-type', 'content-length', 'x-content-sha256'];

/** Why a request is refused, or undefined when it is correctly signed by `keyId`'s key. */
export function ociSignatureProblem(
  req: IncomingMessage,
  body: Buffer,
  keys: ReadonlyMap<string, string>,
): string | undefined {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Signature ')) return 'no Signature authorization';
  const params: Record<string, string> = {};
  for (const m of header.slice(10).matchAll(/(\w+)="([^"]*)"/g)) params[m[1] as string] = m[2] as string;
  if (params.version !== '1' || params.algorithm !== 'rsa-sha256') return 'unsupported signature version or algorithm';
  const keyId = params.keyId ?? '';
  const publicKey = keys.get(keyId);
  if (!publicKey) return 'unknown keyId';
  const names = (params.headers ?? '').split(' ').map((n) => n.toLowerCase());
  const method = (req.method ?? '').toLowerCase();
  const required = ['post', 'put', 'patch'].includes(method) ? [...REQUIRED, ...REQUIRED_WITH_BODY] : REQUIRED;
  const unsigned = required.filter((n) => !names.includes(n));
  if (unsigned.length > 0) return `headers not signed: ${unsigned.join(' ')}`;
  const lines: string[] = [];
  for (const name of names) {
    if (name === '(request-target)') lines.push(`(request-target): ${method} ${req.url}`);
    else {
      const value = req.headers[name];
      if (typeof value !== 'string') return `signed header ${name} missing`;
      lines.push(`${name}: ${value}`);
    }
  }
  const signature = Buffer.from(params.signature ?? '', 'base64');
  if (!verify('sha256', Buffer.from(lines.join('\n')), publicKey, signature)) return 'bad signature';
  const date = Date.parse(String(req.headers['x-date']));
  if (!Number.isFinite(date) || Math.abs(date - Date.now()) > 5 * 60_000) return 'x-date missing or skewed';
  if (names.includes('x-content-sha256')) {
    if (createHash('sha256').update(body).digest('base64') !== req.headers['x-content-sha256'])
      return 'body hash mismatch';
    if (String(body.length) !== req.headers['content-length']) return 'content-length mismatch';
  }
  return undefined;
}
