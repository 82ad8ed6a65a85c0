/**
 * A `fetch` that records one CLIENT span per request (HTTP semantic conventions) in the active
 * context. The URL's query is never recorded: B2C lookups carry the phone number there.
 */
import { SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import { redactPhones } from '../src/log/redact.js';
import { ATTEMPT_KEY, Semconv } from './span-attributes.js';

export function tracedFetch(inner: typeof fetch, tracer: Tracer, onResponse?: (status: number) => void): typeof fetch {
  return async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    const template = urlTemplate(url.pathname);
    const attempt = context.active().getValue(ATTEMPT_KEY);
    const span = tracer.startSpan(
      `${method} ${template}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [Semconv.urlTemplate]: template,
          // The engine's retry of the same request: semconv's resend count (attempt 2 is the first resend).
          ...(typeof attempt === 'number' && attempt > 1 ? { [Semconv.resendCount]: attempt - 1 } : {}),
          [ATTR_HTTP_REQUEST_METHOD]: method,
          [ATTR_SERVER_ADDRESS]: url.hostname,
          [ATTR_SERVER_PORT]: port,
          // Origin and path only: the path holds resource ids (kept exact, they are what one
          // searches by), the query holds the looked-up phone number (never recorded).
          [ATTR_URL_FULL]: `${url.origin}${url.pathname}`,
        },
      },
      context.active(),
    );
    try {
      const response = await context.with(trace.setSpan(context.active(), span), () => inner(input, init));
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
      if (response.status >= 400) {
        span.setAttribute(ATTR_ERROR_TYPE, String(response.status));
        span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${response.status}` });
      }
      try {
        onResponse?.(response.status);
      } catch {
        // observers never change the call
      }
      return response;
    } catch (error) {
      const name =
        error instanceof Error
          ? error.name === 'AbortError' || error.name === 'TimeoutError'
            ? error.name
            : ((error as { cause?: { code?: string } }).cause?.code ?? error.name)
          : 'Error';
      span.setAttribute(ATTR_ERROR_TYPE, name);
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: redactPhones(error instanceof Error ? error.message : String(error)).slice(0, 500),
      });
      throw error;
    } finally {
      span.end();
    }
  };
}

/**
 * The route of a B2C call without its ids, for the span name (`PATCH /incidents/{id}`): the Connect
 * prefix and version dropped, numeric segments templated. Low cardinality, as semconv asks.
 */
export function urlTemplate(pathname: string): string {
  const path = pathname.replace(/^.*\/services\/rest\/connect\/[^/]+/, '') || '/';
  return path
    .split('/')
    .map((s) => (/^\d+$/.test(s) ? '{id}' : s))
    .join('/');
}
