import { InboundError } from './errors.js';
import { formRecord, parseForm, type FormPairs } from './form.js';
import { assertFormFieldCount, assertJsonShape } from './limits.js';

/** A webhook body decoded but not yet trusted: syntax only, no schema, no signature. */
export type Payload =
  | { readonly kind: 'json'; readonly fields: Readonly<Record<string, unknown>> }
  | { readonly kind: 'form'; readonly fields: Readonly<Record<string, string>>; readonly pairs: FormPairs };

export type BodyKind = Payload['kind'];

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The media type family of a Content-Type, or undefined when we do not read it. */
export function bodyKind(contentType: string | null): BodyKind | undefined {
  // `fn invoke` and some gateways send no content type for a JSON body.
  if (contentType === null || contentType.trim() === '') return 'json';
  const mediaType = (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) return 'json';
  if (mediaType === 'application/x-www-form-urlencoded') return 'form';
  return undefined;
}

/**
 * A GET webhook (Vonage and Twilio can be set to GET): its parameters are the query string,
 * read as a form. It must carry no body: nothing would say which of the two is the message, and
 * the schemes that accept GET sign the URL, not a body.
 */
export function decodeQuery(req: { readonly body: Buffer; readonly url: string | null }, maxBytes: number): Payload {
  if (req.body.length > 0)
    throw new InboundError(400, 'a GET webhook carries its parameters in the query string: send no body');
  const url = req.url;
  const query = url === null || !url.includes('?') ? '' : url.slice(url.indexOf('?') + 1).replace(/#.*$/, '');
  if (Buffer.byteLength(query) > maxBytes) throw new InboundError(413, `query is larger than ${maxBytes} bytes`);
  assertFormFieldCount(query, 'query');
  const pairs = parseForm(query);
  return { kind: 'form', pairs, fields: formRecord(pairs) };
}

/**
 * Size (413), content type (415), UTF-8, field count (413), nesting depth and syntax (400), in
 * that order, before a byte is interpreted. Messages name the problem and never echo the input.
 */
export function decodeBody(
  req: { readonly body: Buffer; readonly contentType: string | null },
  maxBytes: number,
): Payload {
  if (req.body.length > maxBytes) throw new InboundError(413, `body is larger than ${maxBytes} bytes`);
  const kind = bodyKind(req.contentType);
  if (kind === undefined) {
    throw new InboundError(415, 'unsupported content type: send application/json or application/x-www-form-urlencoded');
  }
  let text: string;
  try {
    text = utf8.decode(req.body);
  } catch (cause) {
    throw new InboundError(400, 'body is not valid UTF-8', undefined, { cause });
  }
  if (kind === 'form') {
    assertFormFieldCount(text, 'body');
    const pairs = parseForm(text);
    return { kind, pairs, fields: formRecord(pairs) };
  }
  assertJsonShape(text);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InboundError(400, 'body is not valid JSON', undefined, { cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InboundError(400, 'body must be a JSON object');
  }
  return { kind, fields: json as Record<string, unknown> };
}
