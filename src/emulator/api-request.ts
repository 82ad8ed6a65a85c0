/** What a resource handler sees of a request, and what it answers: plain data, no sockets. */
import type { Quirks } from './quirks.js';
import type { SiteProfile } from './site.js';

export interface ApiRequest {
  /** Effective method: a POST with `X-HTTP-Method-Override: PATCH` is a PATCH. */
  readonly method: string;
  /** Resource path segments after `/services/rest/connect/<ver>`. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  /** `<origin>/services/rest/connect/<ver>`, as the client called it. */
  readonly base: string;
  /** The full request URL. */
  readonly href: string;
  /** The body as JSON; throws 400 OSC-CREST-00010 (empty) or OSC-CREST-00011 (bad JSON or UTF-8). */
  json(): unknown;
  /** The emulated site's vocabulary, custom fields and the account's permissions. */
  readonly site: SiteProfile;
  /** How the site strays in what it stores (thread text, subjects). */
  readonly quirks: Quirks;
}

export interface ApiResult {
  readonly status: number;
  /** Absent for the empty bodies of PATCH and DELETE. */
  readonly json?: unknown;
  /** Content type of an empty answer, as the real site sends it. */
  readonly emptyContentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** PATCH: 200, `content-length: 0`, `content-type: application/json` (recorded, notes §2). */
export const PATCHED: ApiResult = { status: 200, emptyContentType: 'application/json' };
/** DELETE: 200, empty, `text/html; charset=UTF-8` (recorded, notes §2). */
export const DELETED: ApiResult = { status: 200, emptyContentType: 'text/html; charset=UTF-8' };

/** A numeric object id from the URI, or undefined. */
export function parseId(segment: string): number | undefined {
  if (!/^\d{1,15}$/.test(segment)) return undefined;
  const id = Number(segment);
  return id > 0 ? id : undefined;
}

/** `expand=phones,emails` or `expand=all`. */
export function expands(query: URLSearchParams, list: string): boolean {
  const names = (query.get('expand') ?? '').split(',').map((n) => n.trim().toLowerCase());
  return names.includes('all') || names.includes(list.toLowerCase());
}
