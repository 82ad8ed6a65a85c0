/**
 * One API request from bytes to answer: record it, apply a matching fault, run the site's checks
 * and the resource handler, answer. Faults sit between recording and handling so a test sees
 * every attempt, including the ones that were dropped or hung.
 */
import { randomBytes } from 'node:crypto';
import { type IncomingMessage, STATUS_CODES, type ServerResponse } from 'node:http';
import type { ApiRequest, ApiResult } from './api-request.js';
import { routeApi } from './api-router.js';
import { API_PREFIX } from './catalog.js';
import { ConnectError, ERROR_CODES, connectErrorBody, defaultCodeFor, unauthorized } from './errors.js';
import type { FaultBook } from './faults.js';
import { checkGate, splitApiPath, type Credentials } from './gate.js';
import { decodeUtf8, readBody, writeEmpty, writeHtml, writeJson } from './http-io.js';
import { recordRequest } from './recording.js';
import type { Quirks } from './quirks.js';
import type { SiteProfile } from './site.js';
import type { EmulatorStore } from './store.js';
import type { FaultSpec, RecordedRequest } from './types.js';

export interface ExchangeDeps {
  readonly store: EmulatorStore;
  readonly faults: FaultBook;
  readonly credentials: Credentials;
  readonly site: SiteProfile;
  /** The site's quirks as they are now (they can change between requests). */
  quirks(): Quirks;
  /** Host for URLs when a request has no Host header. */
  readonly fallbackHost: string;
  record(request: RecordedRequest): void;
  /** Resolves true after `ms`, or false early when the emulator closes. */
  sleep(ms: number): Promise<boolean>;
}

/** "HTTP tunneling": POST + `X-HTTP-Method-Override: PATCH` is a PATCH. */
function effectiveMethod(req: IncomingMessage): string {
  const method = (req.method ?? 'GET').toUpperCase();
  const override = req.headers['x-http-method-override'];
  return method === 'POST' && typeof override === 'string' && override.trim() !== ''
    ? override.trim().toUpperCase()
    : method;
}

function parseJsonBody(bytes: Buffer): unknown {
  if (bytes.length === 0) throw new ConnectError(400, ERROR_CODES.noPostData);
  let text: string;
  try {
    text = decodeUtf8(bytes);
  } catch {
    throw new ConnectError(400, ERROR_CODES.badJson, 'The request body is not valid UTF-8');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConnectError(
      400,
      ERROR_CODES.badJson,
      `Bad JSON syntax: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function errorResult(origin: string, href: string, error: ConnectError): ApiResult {
  return {
    status: error.status,
    json: connectErrorBody(origin, href, error),
    ...(error.status === 401 ? { headers: { 'www-authenticate': 'Basic realm="Connect REST API"' } } : {}),
  };
}

function faultError(fault: FaultSpec): ConnectError {
  const status = fault.status ?? (fault.action === 'commit-then-status' ? 500 : 503);
  if (status === 401 && fault.errorCode === undefined) return unauthorized();
  return new ConnectError(status, fault.errorCode ?? defaultCodeFor(status), fault.detail);
}

function proxyPage(status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

export async function handleApiExchange(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: ExchangeDeps,
): Promise<void> {
  const bytes = await readBody(req);
  const path = splitApiPath(url.pathname);
  const record = recordRequest(req, url, path.resource, bytes);
  deps.record(record);

  const method = effectiveMethod(req);
  const origin = `http://${req.headers.host ?? deps.fallbackHost}`;
  const href = `${origin}${req.url ?? '/'}`;
  const fault = deps.faults.take(method, path.resource);

  // A proxy's error page: none of Connect's headers, no error code.
  const answerHtml = (status: number): void => {
    writeHtml(res, status, proxyPage(status));
    record.status = status;
  };
  const answerFault = (spec: FaultSpec): void => {
    if ((spec.body ?? (spec.action === 'commit-then-status' ? 'html' : 'connect')) === 'html') {
      answerHtml(faultError(spec).status);
      return;
    }
    answer(errorResult(origin, href, faultError(spec)));
  };
  const answer = (result: ApiResult): void => {
    const headers = {
      ...result.headers,
      // Sent on every response; clients echo it back (Connect custom headers).
      'osvc-crest-api-access-token': randomBytes(18).toString('base64url'),
      ...(fault?.nextRequestAfterMs === undefined
        ? {}
        : { 'osvc-crest-next-request-after': String(fault.nextRequestAfterMs) }),
    };
    if (result.json === undefined) writeEmpty(res, result.status, result.emptyContentType, headers);
    else writeJson(res, result.status, result.json, headers);
    record.status = result.status;
  };
  // No answer at all: the client sees a reset connection; `record.status` stays 0.
  const drop = (): void => {
    req.socket.destroy();
  };

  if (fault !== undefined && fault.action !== 'delay' && fault.delayMs !== undefined && fault.delayMs > 0) {
    if (!(await deps.sleep(fault.delayMs))) return;
  }
  switch (fault?.action) {
    case 'status':
      return answerFault(fault);
    case 'drop':
      return drop();
    case 'drop-then-commit':
      // The client sees a reset connection at once; the site goes on and applies the write later.
      drop();
      if (!(await deps.sleep(fault.commitAfterMs ?? 0))) return;
      break;
    case 'hang':
      return; // the socket is destroyed by close()
    case 'delay':
      if (!(await deps.sleep(fault.delayMs ?? 0))) return;
      break;
    default:
      break;
  }

  let result: ApiResult;
  try {
    checkGate(path, req.headers, deps.credentials);
    const apiRequest: ApiRequest = {
      method,
      segments: path.resource.split('/').filter((s) => s !== ''),
      query: url.searchParams,
      base: `${origin}${API_PREFIX}${path.version ?? ''}`,
      href,
      json: () => parseJsonBody(bytes),
      site: deps.site,
      quirks: deps.quirks(),
    };
    result = routeApi(apiRequest, deps.store);
  } catch (error) {
    const connectError =
      error instanceof ConnectError
        ? error
        : new ConnectError(500, ERROR_CODES.internal, error instanceof Error ? error.message : String(error));
    result = errorResult(origin, href, connectError);
  }

  if (fault?.action === 'commit-then-drop') return drop();
  if (fault?.action === 'drop-then-commit') return;
  if (fault?.action === 'commit-then-status') return answerFault(fault);
  answer(result);
}
