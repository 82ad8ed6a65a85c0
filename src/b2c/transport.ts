import type { z } from 'zod';
import { redactPhones } from '../log/redact.js';
import { B2cError, isRetryableStatus } from './errors.js';
import { ConnectErrorSchema } from './schemas.js';

export interface TransportOptions {
  /** `https://site/services/rest/connect/v1.4` */
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
  /** `OSvC-CREST-Application-Context`, ≤ 40 characters. */
  readonly appContext: string;
  /** Injectable for tests; Node's global fetch otherwise. */
  readonly fetch?: typeof fetch;
  /** Largest answer read, decoded; a larger one fails the attempt (retryable). @default 1 MiB */
  readonly maxResponseBytes?: number;
}

/** Our calls' answers are a few KB (a page of 1000 contacts, about 200 KB): anything near this is not B2C answering us. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface CallOptions {
  /** Bounds the whole call, body included: the step machine aborts it at the attempt's timeout. */
  readonly signal?: AbortSignal;
}

export interface B2cRequest extends CallOptions {
  /** Names the call in errors, spans and logs (never the URL: it may hold a phone number). */
  readonly operation: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Resource path after the base URL, e.g. `/contacts/12`. */
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
}

export interface B2cResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The raw body; empty for PATCH and DELETE, which answer 200 with no content. */
  readonly text: string;
}

/** `osvc-crest-next-request-after` is ms; `Retry-After` is seconds or an HTTP date. */
function backoffHint(headers: Headers): number | undefined {
  const next = Number(headers.get('osvc-crest-next-request-after'));
  if (headers.has('osvc-crest-next-request-after') && Number.isFinite(next) && next >= 0) return next;
  const retryAfter = headers.get('retry-after');
  if (retryAfter === null) return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(retryAfter);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function parseErrorBody(text: string): z.infer<typeof ConnectErrorSchema> {
  try {
    const parsed = ConnectErrorSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * The one place that talks HTTP to B2C Service: Basic auth, the application-context header,
 * JSON bodies, the api-access-token echo the API asks for, and classification of every
 * failure into a {@link B2cError}.
 */
export class B2cTransport {
  readonly #options: TransportOptions;
  readonly #authorization: string;
  /** "Echo the last value in the next request" (Connect custom headers). */
  #accessToken: string | undefined;

  constructor(options: TransportOptions) {
    this.#options = options;
    this.#authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`, 'utf8').toString('base64')}`;
  }

  async send(req: B2cRequest): Promise<B2cResponse> {
    const url = new URL(this.#options.baseUrl + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v); // encodes the whole query
    const headers: Record<string, string> = {
      authorization: this.#authorization,
      'osvc-crest-application-context': this.#options.appContext,
      accept: 'application/json',
    };
    if (this.#accessToken) headers['osvc-crest-api-access-token'] = this.#accessToken;
    if (req.body !== undefined) headers['content-type'] = 'application/json';

    const doFetch = this.#options.fetch ?? fetch;
    const maxBytes = this.#options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    let res: Response;
    let text: string | undefined;
    try {
      res = await doFetch(url, {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: req.signal,
        redirect: 'error',
      });
      text = await readCapped(res, maxBytes);
    } catch (cause) {
      throw this.#noAnswer(req, cause);
    }
    if (text === undefined) {
      // Unread, so for a write we cannot tell what it did: reconcile before repeating it.
      throw new B2cError({
        operation: req.operation,
        kind: 'response',
        retryable: true,
        ambiguous: isWrite(req),
        message: `answered ${res.status} with a body larger than ${maxBytes} bytes (not read)`,
      });
    }
    const token = res.headers.get('osvc-crest-api-access-token');
    if (token) this.#accessToken = token;

    if (res.status >= 200 && res.status < 300) return { status: res.status, headers: res.headers, text };

    const body = parseErrorBody(text);
    const errorCode = body['o:errorCode'];
    const reason = body.detail ?? body.title ?? res.statusText;
    throw new B2cError({
      operation: req.operation,
      kind: 'http',
      status: res.status,
      errorCode,
      retryable: isRetryableStatus(res.status),
      retryAfterMs: backoffHint(res.headers),
      ambiguous: isWrite(req) && (res.status === 502 || res.status === 504),
      message: `B2C Service answered ${res.status}${errorCode ? ` ${errorCode}` : ''}${reason ? `: ${redactPhones(reason).slice(0, 300)}` : ''}`,
    });
  }

  #noAnswer(req: B2cRequest, cause: unknown): B2cError {
    const aborted = req.signal?.aborted === true;
    const detail = aborted ? 'no answer before the attempt timeout' : `no answer: ${describeNetworkError(cause)}`;
    return new B2cError(
      {
        operation: req.operation,
        kind: aborted ? 'timeout' : 'network',
        retryable: true,
        ambiguous: isWrite(req) && !neverSent(cause),
        message: detail,
      },
      { cause },
    );
  }
}

/**
 * The body as text, or undefined once it passes `maxBytes` (counted after content decoding, so a
 * compressed bomb stops too): the rest is never buffered, and the stream is cancelled.
 */
async function readCapped(res: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  if (res.body === null) return '';
  if (Number.isFinite(declared) && declared > maxBytes && !res.headers.has('content-encoding')) {
    await res.body.cancel();
    return undefined;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes that are not safe to repeat blindly. */
function isWrite(req: B2cRequest): boolean {
  return req.method === 'POST' || req.method === 'PATCH';
}

/** Failures that happen before a request can reach the server: it was certainly not applied. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);
function neverSent(error: unknown): boolean {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' && NOT_SENT.has(cause.code);
}

/** undici hides the useful part (`ECONNREFUSED`, `UND_ERR_SOCKET`) in `cause.code`. */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return code ? `${error.message} (${code})` : error.message;
}

/** Parses a success body with its schema; a body that does not fit is a `response` failure. */
export function parseBody<T>(operation: string, res: B2cResponse, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch (cause) {
    throw new B2cError(
      {
        operation,
        kind: 'response',
        status: res.status,
        retryable: false,
        message: `answered ${res.status} with a body that is not JSON`,
      },
      { cause },
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new B2cError({
      operation,
      kind: 'response',
      status: res.status,
      retryable: false,
      message: `answered ${res.status} with an unexpected body (${parsed.error.issues[0]?.path.join('.') || 'root'}: ${parsed.error.issues[0]?.message})`,
    });
  }
  return parsed.data;
}
