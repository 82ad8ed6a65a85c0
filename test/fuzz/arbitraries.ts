// Generated webhooks for the fuzz suites: real shapes bent out of shape, random bytes, hostile
// headers. Every string that could be echoed back carries MARKER, which no answer may contain.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { signHmac } from '../helpers/sign-hmac.js';
import { signTwilioForm } from '../helpers/sign-twilio.js';
import { signVonage } from '../helpers/sign-vonage.js';

export const MARKER = '<x-echo>"&';
export const ROUTE = '/webhooks/sms-to-incident';
export const HOST = 'gw.example.com';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/providers/${name}`, import.meta.url), 'utf8');
const TWILIO_FORM = [...new URLSearchParams(fixture('twilio-messaging-webhook.form'))];
const TWILIO_JSON = JSON.parse(fixture('twilio-message-resource.json')) as Record<string, unknown>;
const VONAGE = JSON.parse(fixture('vonage-inbound.json')) as Record<string, string>;
const GENERIC = JSON.parse(fixture('generic-inbound.json')) as Record<string, unknown>;

export interface FuzzCall {
  readonly method: string;
  readonly body: Buffer;
  readonly contentType: string | null;
  readonly headers: Record<string, string>;
  readonly url: string | null;
}

const marked = fc.string({ maxLength: 30, unit: 'grapheme' }).map((s) => `${s}${MARKER}`);

/** Values a field might hold: sane, hostile, wrong type. */
const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    '+14155550101',
    '447700900001',
    '+1 (415) 555-0101',
    "+1' OR 1=1 --",
    '',
    ' ',
    '0',
    'whatsapp:+14155550101',
    '+999999999999999999',
    'SM1f0e3d3b2c4a4e5f8a9b0c1d2e3f4a5b',
  ),
  marked,
  fc.string({ maxLength: 300, unit: 'binary' }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** Where each shape keeps its message id, and a fresh one, so runs are new messages, not journal replays. */
const ID_KEYS: Record<string, (hex: string) => string> = {
  MessageSid: (hex) => `SM${hex}`,
  sid: (hex) => `SM${hex}`,
  messageId: (hex) => hex.slice(0, 16).toUpperCase(),
  id: (hex) => `msg-${hex}`,
};

/** A known shape with a fresh message id and some fields replaced, dropped or added. */
function mutate(base: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(base);
  const idKey = keys.find((k) => k in ID_KEYS);
  return fc
    .record({
      hex: fc.stringMatching(/^[0-9a-f]{32}$/),
      replace: fc.dictionary(fc.constantFrom(...keys), fieldValue, { maxKeys: 3 }),
      drop: fc.subarray(keys, { maxLength: 2 }),
      add: fc.dictionary(
        fc.oneof(
          fc.string({ maxLength: 12 }),
          fc.constantFrom('__proto__', 'constructor', 'NumMedia', 'MediaUrl0', 'sig', 'concat'),
        ),
        fieldValue,
        { maxKeys: 3 },
      ),
    })
    .map(({ hex, replace, drop, add }) => {
      const out: Record<string, unknown> = {
        ...base,
        ...(idKey === undefined ? {} : { [idKey]: ID_KEYS[idKey]!(hex) }),
        ...add,
      };
      for (const k of drop) delete out[k];
      for (const [k, v] of Object.entries(replace)) out[k] = v;
      return out;
    });
}

const asFormValue = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
const toForm = (fields: Record<string, unknown>): string =>
  Object.entries(fields)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(asFormValue(v))}`)
    .join('&');

const jsonBody = fc
  .oneof(mutate(TWILIO_JSON), mutate(GENERIC), mutate(VONAGE))
  .map((o) => ({ body: JSON.stringify(o), kind: 'json' as const }));
const formBody = fc
  .oneof(mutate(Object.fromEntries(TWILIO_FORM)), mutate(VONAGE))
  .map((o) => ({ body: toForm(o), kind: 'form' as const }));
const rawText = fc
  .oneof(
    fc.string({ maxLength: 400, unit: 'binary' }),
    fc.json({ maxDepth: 3 }),
    fc.constantFrom(
      '{',
      '[]',
      'null',
      '"x"',
      '{"__proto__":{"polluted":1}}',
      '%%%',
      'a=1&&&=&b',
      `{"sid":"SM${'x'.repeat(100_000)}"}`,
    ),
  )
  .map((body) => ({ body, kind: 'any' as const }));
const bytes = fc.uint8Array({ maxLength: 600 }).map((b) => ({ body: Buffer.from(b), kind: 'any' as const }));

const contentTypeFor = (kind: 'json' | 'form' | 'any'): fc.Arbitrary<string | null> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constant(kind === 'form' ? 'application/x-www-form-urlencoded' : 'application/json; charset=utf-8'),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        null,
        '',
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'APPLICATION/JSON',
        'application/vnd.api+json',
        'application/x-www-form-urlencoded; charset=utf-8',
      ),
    },
    // the other family than the body's: a JSON body read as a form, a form read as JSON
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'application/json, application/x-www-form-urlencoded',
        kind === 'form' ? 'application/json' : 'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
      ),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );

const headerValue = fc.oneof(
  fc.string({ maxLength: 60 }),
  marked,
  fc.base64String({ maxLength: 44 }),
  fc.stringMatching(/^[0-9a-f]{64}$/),
);
const headers = fc.record(
  {
    Host: fc.oneof(fc.constant(HOST), fc.string({ maxLength: 30 }), fc.constant('gw.example.com:443')),
    'X-Twilio-Signature': headerValue,
    'X-Webhook-Signature': headerValue,
    'X-Twilio-Webhooks-Signature-Settings': fc.constantFrom(
      'key=k,algorithm=HMAC_SHA256',
      'algorithm=',
      'algorithm=MD5',
      '',
    ),
    'I-Twilio-Idempotency-Token': headerValue,
    Other: headerValue,
  },
  { requiredKeys: [] },
);
const url = fc.oneof(
  { weight: 4, arbitrary: fc.constant(ROUTE) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      null,
      '',
      `${ROUTE}?bodySHA256=${'0'.repeat(64)}`,
      `https://${HOST}${ROUTE}`,
      '/%zz?%',
      `${ROUTE}?a=${encodeURIComponent(MARKER)}`,
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

/** Shapes that pass verification (signed correctly) but carry hostile values: the schema must hold. */
const signedCall: fc.Arbitrary<FuzzCall> = fc.oneof(
  mutate(Object.fromEntries(TWILIO_FORM)).map((o) => {
    const body = toForm(o);
    return {
      method: 'POST',
      body: Buffer.from(body),
      contentType: 'application/x-www-form-urlencoded',
      url: ROUTE,
      headers: { Host: HOST, 'X-Twilio-Signature': signTwilioForm(`https://${HOST}${ROUTE}`, body) },
    };
  }),
  mutate(GENERIC).map((o) => {
    const body = JSON.stringify(o);
    return {
      method: 'POST',
      body: Buffer.from(body),
      contentType: 'application/json',
      url: ROUTE,
      headers: { Host: HOST, 'X-Webhook-Signature': signHmac(body) },
    };
  }),
  mutate(VONAGE).map((o) => {
    const fields = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, asFormValue(v)]));
    return {
      method: 'POST',
      body: Buffer.from(JSON.stringify(signVonage(fields))),
      contentType: 'application/json',
      url: ROUTE,
      headers: { Host: HOST },
    };
  }),
  // GET, signed the way each scheme can sign it: Twilio over the URL, Vonage with sig in the query
  mutate(Object.fromEntries(TWILIO_FORM)).map((o) => {
    const url = `${ROUTE}?${toForm(o)}`;
    return {
      method: 'GET',
      body: Buffer.alloc(0),
      contentType: null,
      url,
      headers: { Host: HOST, 'X-Twilio-Signature': signTwilioForm(`https://${HOST}${url}`, '') },
    };
  }),
  mutate(VONAGE).map((o) => {
    const fields = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, asFormValue(v)]));
    return {
      method: 'GET',
      body: Buffer.alloc(0),
      contentType: null,
      url: `${ROUTE}?${new URLSearchParams(signVonage(fields)).toString()}`,
      headers: { Host: HOST },
    };
  }),
  // GET with the body HMAC: a genuine signature of a body, or of the empty body, never covers the query
  mutate(GENERIC).chain((o) =>
    fc
      .record({ signedBody: fc.constantFrom('', JSON.stringify(GENERIC)), withBody: fc.boolean() })
      .map(({ signedBody, withBody }) => ({
        method: 'GET',
        body: Buffer.from(withBody ? signedBody : ''),
        contentType: withBody ? 'application/json' : null,
        url: `${ROUTE}?${toForm(o)}`,
        headers: { Host: HOST, 'X-Webhook-Signature': signHmac(signedBody) },
      })),
  ),
);

/** Bodies that cost work before any signature: repeated names, nesting bombs, field floods. */
const costlyBody = fc.oneof(
  fc
    .record({
      name: fc.constantFrom('a', 'MessageSid', 'From', 'sig', '__proto__'),
      n: fc.integer({ min: 150, max: 5_000 }),
    })
    .map(({ name, n }) => ({
      body: `MessageSid=SM1&${`${name}&`.repeat(n)}`,
      kind: 'form' as const,
    })),
  fc
    .integer({ min: 150, max: 1_000 })
    .map((n) => ({ body: `{${Array.from({ length: n }, () => '"a":1').join(',')}}`, kind: 'json' as const })),
  fc
    .record({
      depth: fc.integer({ min: 15, max: 4_000 }),
      open: fc.constantFrom('[', '{"x":'),
      shape: fc.constantFrom('vonage', 'generic'),
    })
    .map(({ depth, open, shape }) => {
      const close = open === '[' ? ']' : '}';
      const head =
        shape === 'vonage'
          ? '"msisdn":"447700900001","messageId":"x","text":"a"'
          : '"id":"m","from":"+4915112345678","text":"a"';
      return { body: `{${head},"n":${open.repeat(depth)}0${close.repeat(depth)}}`, kind: 'json' as const };
    }),
);

/** Mostly POST; GET with and without a body and a query; methods no provider uses. */
const method = fc.oneof(
  { weight: 8, arbitrary: fc.constant('POST') },
  { weight: 2, arbitrary: fc.constant('GET') },
  { weight: 1, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'post', 'get') },
);

/** A GET's query: a real shape's fields, hostile ones, or the same name thousands of times. */
const query = fc.oneof(
  fc.oneof(mutate(Object.fromEntries(TWILIO_FORM)), mutate(VONAGE), mutate(GENERIC)).map((o) => `?${toForm(o)}`),
  fc.integer({ min: 150, max: 3_000 }).map((n) => `?${'From=%2B1&'.repeat(n)}`),
  fc.string({ maxLength: 60 }).map((q) => `?${q}`),
  fc.constant(''),
);

const unsignedCall: fc.Arbitrary<FuzzCall> = fc
  .oneof(jsonBody, formBody, rawText, bytes, costlyBody)
  .chain(({ body, kind }) =>
    fc
      .record({ method, contentType: contentTypeFor(kind), headers, url, query, emptyBody: fc.boolean() })
      .map(({ method, query, emptyBody, ...rest }) => {
        const get = method.toUpperCase() === 'GET';
        return {
          ...rest,
          method,
          url: get && rest.url !== null ? `${rest.url.split('?')[0]}${query}` : rest.url,
          body: get && emptyBody ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body),
        };
      }),
  );

/** Mostly unsigned or wrongly signed noise, a quarter correctly signed hostile payloads. */
export const fuzzCall: fc.Arbitrary<FuzzCall> = fc.oneof(
  { weight: 3, arbitrary: unsignedCall },
  { weight: 1, arbitrary: signedCall },
);
