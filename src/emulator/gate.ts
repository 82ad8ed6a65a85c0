/**
 * What the site checks before routing, in its order: the API version (even before credentials),
 * Basic credentials, then the application-context header that v1.4 and `latest` require.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { API_PREFIX, API_VERSIONS, APP_CONTEXT_MAX_LENGTH, VERSIONS_NEEDING_APP_CONTEXT } from './catalog.js';
import { ConnectError, ERROR_CODES, notRecognized, unauthorized } from './errors.js';

export interface ApiPath {
  /** The version segment, or undefined when the path is not under `/services/rest/connect/`. */
  readonly version: string | undefined;
  /** What follows the version (no query); the whole path when not under the API prefix. */
  readonly resource: string;
}

export function splitApiPath(pathname: string): ApiPath {
  if (!pathname.startsWith(API_PREFIX)) return { version: undefined, resource: pathname };
  const rest = pathname.slice(API_PREFIX.length);
  const slash = rest.indexOf('/');
  return slash === -1
    ? { version: rest, resource: '' }
    : { version: rest.slice(0, slash), resource: rest.slice(slash) };
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

function sameText(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')];
  return x.length === y.length && timingSafeEqual(x, y);
}

function authorized(header: string | undefined, credentials: Credentials): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return false;
  return sameText(
    Buffer.from(match[1] ?? '', 'base64').toString('utf8'),
    `${credentials.username}:${credentials.password}`,
  );
}

/** Throws the ConnectError the site would answer with; returns when the request may be routed. */
export function checkGate(path: ApiPath, headers: IncomingHttpHeaders, credentials: Credentials): void {
  if (path.version !== undefined && !(API_VERSIONS as readonly string[]).includes(path.version)) {
    throw new ConnectError(400, ERROR_CODES.unsupportedVersion, `Unsupported version: ${path.version}`);
  }
  if (!authorized(headers.authorization, credentials)) throw unauthorized();
  if (path.version === undefined) throw notRecognized(path.resource);
  if (VERSIONS_NEEDING_APP_CONTEXT.has(path.version)) {
    const raw = headers['osvc-crest-application-context'];
    const context = Array.isArray(raw) ? raw.join(', ') : raw;
    // [inf] documented as 400; the error code is a guess.
    if (context === undefined || context.trim() === '') {
      throw new ConnectError(
        400,
        ERROR_CODES.unsupportedManner,
        `The OSvC-CREST-Application-Context header is required for version ${path.version}`,
      );
    }
    if ([...context].length > APP_CONTEXT_MAX_LENGTH) {
      throw new ConnectError(
        400,
        ERROR_CODES.unsupportedManner,
        `The OSvC-CREST-Application-Context header must be at most ${APP_CONTEXT_MAX_LENGTH} characters`,
      );
    }
  }
}
