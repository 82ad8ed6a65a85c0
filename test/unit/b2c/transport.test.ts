/**
 * The one place that talks HTTP to B2C Service, driven over an injected fetch: how every answer is
 * classified (retryable, ambiguous, the server's back-off hint), what each request carries, and
 * what an error may say.
 */
import { describe, expect, it } from 'vitest';
import { B2cError } from '../../../src/b2c/index.js';
import { B2cTransport, type B2cRequest } from '../../../src/b2c/transport.js';

type Method = B2cRequest['method'];

interface Seen {
  readonly url: URL;
  readonly init: RequestInit;
}

/** A fetch that answers from a list, one response per call, and keeps what it was sent. */
function scriptedFetch(...answers: (() => Response)[]): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const fetchFn = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    seen.push({ url: new URL(String(input instanceof Request ? input.url : input)), init: init ?? {} });
    const next = answers.shift();
    if (next === undefined) throw new Error('no scripted answer left');
    return Promise.resolve(next());
  };
  return { fetch: fetchFn as typeof fetch, seen };
}

function transport(f: typeof fetch): B2cTransport {
  return new B2cTransport({
    baseUrl: 'https://site.example.com/services/rest/connect/v1.4',
    username: 'api',
    password: 's3cret',
    appContext: 'sms-incident',
    fetch: f,
  });
}

function request(method: Method): B2cRequest {
  return {
    operation: 'test-call',
    method,
    path: '/contacts',
    ...(method === 'POST' || method === 'PATCH' ? { body: { a: 1 } } : {}),
  };
}

async function failure(t: B2cTransport, req: B2cRequest): Promise<B2cError> {
  try {
    await t.send(req);
  } catch (error) {
    if (error instanceof B2cError) return error;
    throw error;
  }
  throw new Error('expected a B2cError');
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): (() => Response) =>
  () =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('B2cTransport: status × method → retryable, ambiguous', () => {
  // A write is a POST or a PATCH; 502/504 on a write may have been applied, elsewhere it may not.
  const table: [status: number, method: Method, retryable: boolean, ambiguous: boolean][] = [
    [400, 'GET', false, false],
    [400, 'POST', false, false],
    [401, 'POST', false, false],
    [403, 'PATCH', false, false],
    [404, 'DELETE', false, false],
    [408, 'GET', true, false],
    [429, 'POST', true, false],
    [500, 'POST', true, false],
    [502, 'GET', true, false],
    [502, 'POST', true, true],
    [502, 'PATCH', true, true],
    [502, 'DELETE', true, false],
    [503, 'POST', true, false],
    [504, 'GET', true, false],
    [504, 'POST', true, true],
    [504, 'PATCH', true, true],
    [504, 'DELETE', true, false],
  ];

  it.each(table)('%i on %s: retryable %s, ambiguous %s', async (status, method, retryable, ambiguous) => {
    const { fetch: f } = scriptedFetch(json(status, { title: 'Failure', 'o:errorCode': 'OSC-CREST-00001' }));
    const error = await failure(transport(f), request(method));
    expect(error).toMatchObject({
      kind: 'http',
      status,
      retryable,
      ambiguous,
      operation: 'test-call',
      errorCode: 'OSC-CREST-00001',
      code: 'OSC-CREST-00001',
    });
  });

  it('names the status when the body carries no error code', async () => {
    const { fetch: f } = scriptedFetch(() => new Response('<html>bad gateway</html>', { status: 502 }));
    expect(await failure(transport(f), request('GET'))).toMatchObject({ code: 'HTTP 502', errorCode: undefined });
  });

  it('a write with no answer is ambiguous, unless it never left (connection refused)', async () => {
    const reset = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
    });
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    });
    const throwing = (error: Error): typeof fetch => (() => Promise.reject(error)) as typeof fetch;

    expect(await failure(transport(throwing(reset)), request('POST'))).toMatchObject({
      kind: 'network',
      retryable: true,
      ambiguous: true,
    });
    expect(await failure(transport(throwing(reset)), request('GET'))).toMatchObject({
      kind: 'network',
      retryable: true,
      ambiguous: false,
    });
    expect(await failure(transport(throwing(refused)), request('POST'))).toMatchObject({
      kind: 'network',
      retryable: true,
      ambiguous: false,
    });
    expect((await failure(transport(throwing(refused)), request('POST'))).message).toContain('ECONNREFUSED');
  });

  it('an attempt aborted by its timeout is a retryable timeout, ambiguous for a write', async () => {
    const controller = new AbortController();
    controller.abort();
    const aborted: typeof fetch = (() => Promise.reject(new DOMException('aborted', 'AbortError'))) as typeof fetch;
    expect(await failure(transport(aborted), { ...request('PATCH'), signal: controller.signal })).toMatchObject({
      kind: 'timeout',
      retryable: true,
      ambiguous: true,
    });
  });
});

describe('B2cTransport: the server back-off hint', () => {
  it.each([
    ['osvc-crest-next-request-after in ms', { 'osvc-crest-next-request-after': '1500' }, 1500],
    ['Retry-After in seconds', { 'retry-after': '3' }, 3000],
    [
      'osvc-crest-next-request-after before Retry-After',
      { 'osvc-crest-next-request-after': '250', 'retry-after': '9' },
      250,
    ],
    ['no hint', {}, undefined],
    ['a malformed hint', { 'retry-after': 'soon' }, undefined],
  ])('%s', async (_what, headers: Record<string, string>, retryAfterMs) => {
    const { fetch: f } = scriptedFetch(json(503, { 'o:errorCode': 'OSC-CREST-00035' }, headers));
    expect((await failure(transport(f), request('POST'))).retryAfterMs).toBe(retryAfterMs);
  });

  it('reads an HTTP-date Retry-After as the time left until then', async () => {
    const at = new Date(Date.now() + 60_000).toUTCString();
    const { fetch: f } = scriptedFetch(json(503, {}, { 'retry-after': at }));
    const hint = (await failure(transport(f), request('GET'))).retryAfterMs;
    // HTTP dates have whole seconds: up to a second early, never later than the date.
    expect(hint).toBeGreaterThan(50_000);
    expect(hint).toBeLessThanOrEqual(60_000);
  });
});

describe('B2cTransport: what goes out and what comes back', () => {
  it('sends Basic auth, the application context and JSON; refuses redirects', async () => {
    const { fetch: f, seen } = scriptedFetch(json(201, { id: 1 }));
    await transport(f).send({
      operation: 'create-contact',
      method: 'POST',
      path: '/contacts',
      query: { q: "phones.rawNumber = '1'" },
      body: { a: 1 },
    });
    const [call] = seen;
    const headers = call!.init.headers as Record<string, string>;
    expect(headers.authorization).toBe(`Basic ${Buffer.from('api:s3cret').toString('base64')}`);
    expect(headers['osvc-crest-application-context']).toBe('sms-incident');
    expect(headers['content-type']).toBe('application/json');
    expect(call!.init.redirect).toBe('error');
    expect(call!.init.body).toBe('{"a":1}');
    expect(call!.url.pathname).toBe('/services/rest/connect/v1.4/contacts');
    expect(call!.url.searchParams.get('q')).toBe("phones.rawNumber = '1'");
  });

  it('echoes the last api-access-token in the next request', async () => {
    const { fetch: f, seen } = scriptedFetch(
      json(200, {}, { 'osvc-crest-api-access-token': 'tok-1' }),
      json(200, {}),
      json(200, {}, { 'osvc-crest-api-access-token': 'tok-2' }),
      json(200, {}),
    );
    const t = transport(f);
    for (let i = 0; i < 4; i++) await t.send(request('GET'));
    const tokens = seen.map((s) => (s.init.headers as Record<string, string>)['osvc-crest-api-access-token']);
    expect(tokens).toEqual([undefined, 'tok-1', 'tok-1', 'tok-2']);
  });

  it('masks phone numbers in the error text the server sent back', async () => {
    const { fetch: f } = scriptedFetch(
      json(400, { title: 'Bad Request', detail: 'phones.number +14155550101 is not valid' }),
    );
    const error = await failure(transport(f), request('POST'));
    expect(error.message).not.toContain('4155550101');
    expect(error.message).toContain('+1415•••0101');
  });
});
