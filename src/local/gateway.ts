/**
 * A local stand-in for OCI API Gateway with ORACLE_FUNCTIONS_BACKEND routes: turns client HTTP
 * requests into Fn agent invocations and writes the function's answer back (notes §4.1).
 */
import http from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FnAnswer, FnProcess } from './fn-agent.js';

/** One deployment route backed by a function. */
export interface GatewayRoute {
  /** The full request path, deployment prefix included, e.g. `/webhooks/sms-to-incident`. Matched exactly (query ignored). */
  path: string;
  /** Allowed methods, e.g. `['POST']`; `ANY` allows all. */
  methods: string[];
  /** Called per request, so a caller can restart a crashed function. */
  fn: () => FnProcess | Promise<FnProcess>;
}

/** How to run the gateway. */
export interface GatewayOptions {
  /** @default 0 (an ephemeral port; see RunningGateway.url) */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  routes: GatewayRoute[];
  /** JSON for `GET /`. @default a description of the routes */
  info?: () => unknown;
  /** Larger request bodies get 413. @default 1 MiB */
  maxBodyBytes?: number;
  /** Exact path → handler, for local extras such as `GET /runs`. Checked before the routes. */
  extraRoutes?: Record<string, (req: IncomingMessage, res: ServerResponse) => void>;
}

/** A listening gateway. */
export interface RunningGateway {
  /** e.g. `http://127.0.0.1:40123` */
  url: string;
  /** Stops listening and closes idle and open connections. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 1024 * 1024;
/** Past this much over the limit we stop draining and drop the connection. */
const DRAIN_SLACK = 16 * 1024 * 1024;
/** Response headers the gateway sets itself. */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
]);

class BodyTooLarge extends Error {}

/** Starts the gateway and resolves once it listens. */
export function startGateway(opts: GatewayOptions): Promise<RunningGateway> {
  const host = opts.host ?? '127.0.0.1';
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const routes = new Map(opts.routes.map((route) => [route.path, route]));
  const info =
    opts.info ??
    ((): unknown => ({
      description: 'local OCI API Gateway stand-in',
      routes: opts.routes.map(({ path, methods }) => ({ path, methods })),
    }));

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // Last resort: a failing handler must not take the gateway down.
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal Server Error' });
      else res.destroy(err instanceof Error ? err : undefined);
    });
  });
  // A malformed request or a reset socket is the client's problem, never a crash.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const path = pathOf(req.url ?? '/');
    const method = (req.method ?? 'GET').toUpperCase();

    const extra = opts.extraRoutes?.[path];
    if (extra) return extra(req, res);

    const route = routes.get(path);
    if (route) {
      const allowed = route.methods.map((m) => m.toUpperCase());
      if (!allowed.includes('ANY') && !allowed.includes(method)) {
        return sendJson(res, 405, { message: 'Method not allowed' });
      }
      return forward(route, req, res, method);
    }

    if (path === '/') {
      if (method !== 'GET' && method !== 'HEAD') return sendJson(res, 405, { message: 'Method not allowed' });
      return sendJson(res, 200, info());
    }
    return sendJson(res, 404, { message: 'Not Found' });
  }

  async function forward(
    route: GatewayRoute,
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
  ): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req, maxBodyBytes);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) return void res.destroy();
      res.setHeader('Connection', 'close');
      return sendJson(res, 413, { message: 'Payload Too Large' });
    }
    if (res.destroyed) return;
    let answer: FnAnswer;
    try {
      const fn = await route.fn();
      answer = await fn.invoke({ method, url: req.url ?? route.path, headers: clientHeaders(req), body });
    } catch {
      // No function to call (it failed to start) or an invalid invocation.
      return sendJson(res, 502, { message: 'Bad Gateway' });
    }
    writeAnswer(res, answer);
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            server.closeAllConnections();
          }),
      });
    });
  });
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Reads the whole body; over the limit it drains the rest first so the client can read our 413. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) chunks.push(chunk);
      else if (size > max + DRAIN_SLACK) req.destroy();
    });
    req.on('end', () => (size > max ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('close', () => reject(new Error('client went away')));
    req.on('error', reject);
  });
}

/** Client headers as a flat record, plus what OCI API Gateway adds about the caller. */
function clientHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const ip = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  if (ip) {
    const forwarded = headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwarded ? `${forwarded}, ${ip}` : ip;
    headers['x-real-ip'] = ip;
  }
  return headers;
}

function writeAnswer(res: ServerResponse, answer: FnAnswer): void {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (!NOT_FORWARDED.has(name.toLowerCase())) headers[name] = value;
  }
  headers['content-length'] = answer.body.length;
  try {
    res.writeHead(answer.status, headers);
  } catch {
    // A header the function set that node refuses to write.
    sendJson(res, 502, { message: 'Bad Gateway' });
    return;
  }
  res.end(answer.body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
}
