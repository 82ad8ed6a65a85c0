import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** The whole body as bytes: decoded once, later, so multi-byte UTF-8 split across chunks survives. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Strict UTF-8: malformed bytes are an error, never U+FFFD silently stored. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function decodeUtf8(bytes: Buffer): string {
  return utf8.decode(bytes);
}

export function writeJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': bytes.length });
  res.end(bytes);
}

export function writeEmpty(
  res: ServerResponse,
  status: number,
  contentType: string | undefined,
  headers: OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, {
    ...headers,
    ...(contentType === undefined ? {} : { 'content-type': contentType }),
    'content-length': 0,
  });
  res.end();
}

export function writeHtml(res: ServerResponse, status: number, html: string): void {
  const bytes = Buffer.from(html, 'utf8');
  res.writeHead(status, { 'content-type': 'text/html', 'content-length': bytes.length });
  res.end(bytes);
}
