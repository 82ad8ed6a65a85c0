import type { ApiRequest } from './api-request.js';
import { invalidQuery } from './errors.js';

/** Collections page at 1000 by default and 20,000 at most (`cxsvc/c_osvc_manage_collections.html`). */
const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 20_000;

function integerParam(req: ApiRequest, name: string, min: number, max: number): number | undefined {
  const raw = req.query.get(name);
  if (raw === null) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) throw invalidQuery(`Invalid value for query parameter '${name}': ${raw}`);
  return value;
}

/** Applies the site's list order, then `limit`/`offset`; when either was given, adds `hasMore`, `limit` and `offset` like the site. */
export function page<T>(req: ApiRequest, all: readonly T[]): { items: T[]; paging: Record<string, unknown> } {
  const limit = integerParam(req, 'limit', 1, MAX_LIMIT);
  const offset = integerParam(req, 'offset', 0, Number.MAX_SAFE_INTEGER);
  const start = offset ?? 0;
  const size = limit ?? DEFAULT_LIMIT;
  // The store keeps ids ascending; a site may list in another order (EmulatorSite.listOrder).
  const ordered = req.site.listOrder === 'descending' ? [...all].reverse() : all;
  const items = ordered.slice(start, start + size);
  const paging =
    limit === undefined && offset === undefined
      ? {}
      : { hasMore: start + size < all.length, limit: size, offset: start };
  return { items, paging };
}
