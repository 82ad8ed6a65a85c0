import { createHmac } from 'node:crypto';
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';
import { safeEqual } from './constant-time.js';

/**
 * Twilio's `X-Twilio-Signature`, computed and checked with node:crypto only (the `twilio`
 * package is a test-only dependency: too heavy to load in a function). Same algorithm as
 * twilio-node's `webhooks.ts`: HMAC over the full URL followed by every POST parameter sorted by
 * name as `name + value` (a repeated name: its distinct values sorted), base64.
 */
export type TwilioAlgorithm = 'sha1' | 'sha256';

/** Parameters as signed: a repeated form field has several values. */
export type SignedParams = ReadonlyMap<string, readonly string[]>;

export const TWILIO_SIGNATURE_HEADER = 'X-Twilio-Signature';
export const TWILIO_SIGNATURE_SETTINGS_HEADER = 'X-Twilio-Webhooks-Signature-Settings';

export function twilioSignature(
  token: string,
  url: string,
  params: SignedParams,
  algorithm: TwilioAlgorithm = 'sha1',
): string {
  let data = url;
  for (const name of [...params.keys()].sort()) {
    for (const value of [...new Set(params.get(name))].sort()) data += name + value;
  }
  return createHmac(algorithm, token).update(Buffer.from(data, 'utf8')).digest('base64');
}

/**
 * The algorithm a SharedKey webhook announces (`key=…,algorithm=HMAC_SHA256`); none means the
 * Auth Token's HMAC-SHA1. Undefined for an algorithm we do not support (the request fails).
 */
export function twilioAlgorithm(settings: string | null): TwilioAlgorithm | undefined {
  for (const part of (settings ?? '').split(',')) {
    const at = part.indexOf('=');
    if (at !== -1 && part.slice(0, at).trim() === 'algorithm') {
      const algorithm = part
        .slice(at + 1)
        .trim()
        .toUpperCase();
      if (algorithm === '') break;
      return algorithm === 'HMAC_SHA1' ? 'sha1' : algorithm === 'HMAC_SHA256' ? 'sha256' : undefined;
    }
  }
  return 'sha1';
}

/**
 * Every form of the URL Twilio may have signed, as twilio-node tries them: as received and
 * normalised, each with and without the default port, and with a legacy-escaped query.
 */
export function twilioUrlCandidates(url: string): string[] {
  const candidates = [removePort(url), addPort(url)];
  let normalised: string | undefined;
  try {
    normalised = new URL(url).toString();
  } catch {
    // not a URL: only the forms as received
  }
  if (normalised !== undefined) {
    const without = removePort(normalised);
    const withPort = addPort(normalised);
    candidates.push(without, withPort, legacyQuery(without), legacyQuery(withPort));
  }
  return [...new Set(candidates)];
}

/** Constant-time check of one signature header against every URL candidate. */
export function verifyTwilioSignature(
  token: string,
  signature: string,
  url: string,
  params: SignedParams,
  algorithm: TwilioAlgorithm,
): boolean {
  const given = Buffer.from(signature, 'utf8');
  let valid = false;
  // No early exit: the time spent does not say which candidate matched.
  for (const candidate of twilioUrlCandidates(url)) {
    if (safeEqual(given, Buffer.from(twilioSignature(token, candidate, params, algorithm), 'utf8'))) valid = true;
  }
  return valid;
}

interface UrlParts {
  scheme: string;
  userInfo: string;
  host: string;
  port: string;
  rest: string;
}

/** Splits without normalising, so path and query keep the exact characters Twilio signed. */
function splitUrl(url: string): UrlParts | undefined {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return undefined;
  const [prefix, scheme, authority] = match as unknown as [string, string, string];
  const userInfoEnd = authority.lastIndexOf('@');
  const hostAndPort = authority.slice(userInfoEnd + 1);
  const portStart = hostAndPort.indexOf(':', hostAndPort.lastIndexOf(']') + 1);
  return {
    scheme,
    userInfo: authority.slice(0, userInfoEnd + 1),
    host: portStart === -1 ? hostAndPort : hostAndPort.slice(0, portStart),
    port: portStart === -1 ? '' : hostAndPort.slice(portStart),
    rest: url.slice(prefix.length),
  };
}

function addPort(url: string): string {
  const parts = splitUrl(url);
  if (!parts || parts.port) return url;
  const port = parts.scheme.toLowerCase() === 'https://' ? ':443' : ':80';
  return parts.scheme + parts.userInfo + parts.host + port + parts.rest;
}

function removePort(url: string): string {
  const parts = splitUrl(url);
  return parts ? parts.scheme + parts.userInfo + parts.host + parts.rest : url;
}

function legacyQuery(url: string): string {
  const at = url.indexOf('?');
  if (at === -1 || at === url.length - 1) return url;
  return `${url.slice(0, at)}?${stringifyQuery(parseQuery(url.slice(at + 1)))}`;
}
