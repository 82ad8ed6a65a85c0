/**
 * A local stand-in of the OCI Object Storage REST API (the part the run journal uses), on
 * 127.0.0.1: GetObject, PutObject with `if-none-match: *` and `if-match: <etag>` enforced
 * (412 otherwise), ListObjects with `prefix`/`start` paging. Every request must carry a valid
 * OCI signature from a known key (401 NotAuthenticated otherwise), as the real service does.
 */
import { createHash, randomUUID, verify } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandinRequest {
  readonly method: string;
  readonly path: string;
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly status: number;
}

/**
 * A fault the stand-in injects on one request, after checking its signature:
 * - `status`: answer it (503, 500…) without doing anything;
 * - `drop`: destroy the connection without doing anything;
 * - `apply-then-drop`: do it (a PUT is stored), then destroy the connection without answering;
 * - `apply-then-status`: do it (a PUT is stored), then answer `status` (a failure after the commit);
 * - `delay`: answer normally, `delayMs` late (the SDK may give up first: then it was applied unseen).
 */
export type StandinFault =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'drop' }
  | { readonly kind: 'apply-then-drop' }
  | { readonly kind: 'apply-then-status'; readonly status: number }
  | { readonly kind: 'delay'; readonly delayMs: number };

/** Decides, per request, whether it meets a fault. */
export type StandinFaultPolicy = (request: {
  readonly method: string;
  readonly path: string;
}) => StandinFault | undefined;

export interface ObjectStorageStandin {
  readonly url: string;
  /** Objects by `namespace/bucket/name`. */
  objects(): Map<string, { body: string; etag: string }>;
  requests(): StandinRequest[];
  /** Answers the next `times` requests with `status` (no effect). */
  failNext(status: number, times: number): void;
  /** Consulted for every signed request (after `failNext`); undefined turns it off. */
  setFaultPolicy(policy: StandinFaultPolicy | undefined): void;
  close(): Promise<void>;
}

const BASE_SIGNED = ['x-date', '(request-target)', 'host'];
const BODY_SIGNED = ['content-type', 'content-length', 'x-content-sha256'];

export async function startObjectStorageStandin(options: {
  keys: ReadonlyMap<string, string>;
  pageSize?: number;
}): Promise<ObjectStorageStandin> {
  const store = new Map<string, { body: string; etag: string }>();
  const log: StandinRequest[] = [];
  const pageSize = options.pageSize ?? 1000;
  let faults: { status: number; times: number } | undefined;
  let policy: StandinFaultPolicy | undefined;

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const fault =
        signatureProblem(req, body, options.keys, isPutObjectRequest(req)) === undefined
          ? policy?.({ method: req.method ?? '', path: req.url ?? '' })
          : undefined;
      if (fault?.kind === 'delay') {
        // Buffer the answer and send it late.
        const realWriteHead = res.writeHead.bind(res);
        const realEnd = res.end.bind(res);
        let head: Parameters<typeof res.writeHead> | undefined;
        res.writeHead = ((...args: Parameters<typeof res.writeHead>) => {
          head = args;
          return res;
        }) as typeof res.writeHead;
        res.end = ((chunk?: unknown) => {
          setTimeout(() => {
            if (res.destroyed) return;
            if (head) realWriteHead(...head);
            realEnd(chunk as Buffer);
          }, fault.delayMs);
          return res;
        }) as typeof res.end;
      }
      if (fault?.kind === 'drop') {
        log.push({ method: req.method ?? '', path: req.url ?? '', status: 0 });
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'status') {
        log.push({
          method: req.method ?? '',
          path: req.url ?? '',
          status: error(
            res,
            fault.status,
            fault.status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
            'injected fault',
          ),
        });
        return;
      }
      if (fault?.kind === 'apply-then-status') {
        // Applied (the handler writes to a throwaway response), then answered as failed.
        handle(req, new http.ServerResponse(req), body);
        log.push({
          method: req.method ?? '',
          path: req.url ?? '',
          status: error(res, fault.status, 'InternalServerError', 'injected fault after applying'),
        });
        return;
      }
      if (fault?.kind === 'apply-then-drop') {
        // Applied (the handler writes to a throwaway response), then the connection goes.
        const sink = new http.ServerResponse(req);
        handle(req, sink, body);
        log.push({ method: req.method ?? '', path: req.url ?? '', status: 0 });
        req.socket.destroy();
        return;
      }
      const status = handle(req, res, body);
      log.push({
        method: req.method ?? '',
        path: req.url ?? '',
        ...(typeof req.headers['if-match'] === 'string' ? { ifMatch: req.headers['if-match'] } : {}),
        ...(typeof req.headers['if-none-match'] === 'string' ? { ifNoneMatch: req.headers['if-none-match'] } : {}),
        status,
      });
    });
  });

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): number {
    const url = new URL(req.url ?? '/', 'http://standin');
    const problem = signatureProblem(req, body, options.keys, isPutObjectRequest(req));
    if (problem !== undefined)
      return error(
        res,
        401,
        'NotAuthenticated',
        `The required information to complete authentication was not provided or was incorrect (${problem})`,
      );
    if (faults !== undefined && faults.times > 0) {
      faults.times -= 1;
      return error(
        res,
        faults.status,
        faults.status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
        'injected fault',
      );
    }
    const m = /^\/n\/([^/]+)\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(url.pathname);
    if (m === null) return error(res, 404, 'NotFound', 'no such route');
    const [, ns, bucket, rawName] = m as unknown as [string, string, string, string | undefined];
    if (rawName === undefined) {
      if (req.method !== 'GET') return error(res, 405, 'MethodNotAllowed', 'list is GET');
      const prefix = `${ns}/${bucket}/${url.searchParams.get('prefix') ?? ''}`;
      const start = url.searchParams.get('start');
      const names = [...store.keys()]
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(`${ns}/${bucket}/`.length))
        .sort()
        .filter((n) => start === null || n >= start);
      const page = names.slice(0, pageSize);
      const next = names[pageSize];
      return send(res, 200, {
        objects: page.map((name) => ({ name })),
        ...(next === undefined ? {} : { nextStartWith: next }),
      });
    }
    const key = `${ns}/${bucket}/${decodeURIComponent(rawName)}`;
    const current = store.get(key);
    if (req.method === 'GET') {
      if (current === undefined) return error(res, 404, 'ObjectNotFound', `The object '${rawName}' was not found`);
      res.writeHead(200, { 'content-type': 'application/json', etag: current.etag, 'opc-request-id': randomUUID() });
      res.end(current.body);
      return 200;
    }
    if (req.method === 'PUT') {
      const ifNoneMatch = req.headers['if-none-match'];
      const ifMatch = req.headers['if-match'];
      if (ifNoneMatch === '*' && current !== undefined)
        return error(res, 412, 'IfNoneMatchFailed', 'The If-None-Match precondition failed: the object exists');
      if (typeof ifMatch === 'string' && current?.etag !== ifMatch)
        return error(res, 412, 'IfMatchFailed', 'The If-Match precondition failed');
      const etag = randomUUID();
      store.set(key, { body: body.toString('utf8'), etag });
      res.writeHead(200, { etag, 'opc-request-id': randomUUID(), 'content-length': '0' });
      res.end();
      return 200;
    }
    return error(res, 405, 'MethodNotAllowed', `${req.method ?? ''} not supported`);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    objects: () => store,
    requests: () => [...log],
    failNext: (status, times) => {
      faults = { status, times };
    },
    setFaultPolicy: (next) => {
      policy = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function isPutObjectRequest(req: IncomingMessage): boolean {
  return (
    req.method === 'PUT' && /^\/n\/[^/]+\/b\/[^/]+\/o\/.+/.test(new URL(req.url ?? '/', 'http://standin').pathname)
  );
}

function send(res: ServerResponse, status: number, json: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json', 'opc-request-id': randomUUID() });
  res.end(JSON.stringify(json));
  return status;
}

function error(res: ServerResponse, status: number, code: string, message: string): number {
  return send(res, status, { code, message });
}

/**
 * The OCI signature check (draft-cavage-08, RSA-SHA256). PutObject is signed without the body
 * headers, as the SDK and the service do for object uploads; other writes must sign them.
 */
function signatureProblem(
  req: IncomingMessage,
  body: Buffer,
  keys: ReadonlyMap<string, string>,
  isPutObject: boolean,
): string | undefined {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Signature ')) return 'no Signature authorization';
  const params: Record<string, string> = {};
  for (const m of header.slice(10).matchAll(/(\w+)="([^"]*)"/g)) params[m[1] as string] = m[2] as string;
  if (params.version !== '1' || params.algorithm !== 'rsa-sha256') return 'unsupported signature version or algorithm';
  const publicKey = keys.get(params.keyId ?? '');
  if (publicKey === undefined) return 'unknown keyId';
  const names = (params.headers ?? '').split(' ').map((n) => n.toLowerCase());
  const method = (req.method ?? '').toLowerCase();
  const required =
    ['post', 'put', 'patch'].includes(method) && !isPutObject ? [...BASE_SIGNED, ...BODY_SIGNED] : BASE_SIGNED;
  const unsigned = required.filter((n) => !names.includes(n));
  if (unsigned.length > 0) return `headers not signed: ${unsigned.join(' ')}`;
  const lines: string[] = [];
  for (const name of names) {
    if (name === '(request-target)') lines.push(`(request-target): ${method} ${req.url ?? ''}`);
    else {
      const value = req.headers[name];
      if (typeof value !== 'string') return `signed header ${name} missing`;
      lines.push(`${name}: ${value}`);
    }
  }
  if (!verify('sha256', Buffer.from(lines.join('\n')), publicKey, Buffer.from(params.signature ?? '', 'base64')))
    return 'bad signature';
  const date = Date.parse(String(req.headers['x-date']));
  if (!Number.isFinite(date) || Math.abs(date - Date.now()) > 5 * 60_000) return 'x-date missing or skewed';
  if (
    names.includes('x-content-sha256') &&
    createHash('sha256').update(body).digest('base64') !== req.headers['x-content-sha256']
  )
    return 'body hash mismatch';
  return undefined;
}
