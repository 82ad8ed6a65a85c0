/** Dispatches an authenticated API request to its resource handler. */
import type { ApiRequest, ApiResult } from './api-request.js';
import { handleContacts } from './contacts-handler.js';
import { ConnectError, ERROR_CODES, notRecognized, unsupportedMethod } from './errors.js';
import { namedIdList } from './site.js';
import { handleIncidents } from './incidents-handler.js';
import { handleQueryResults } from './query-results-handler.js';
import type { EmulatorStore } from './store.js';

/** PUT is not supported anywhere (`cxsvc/c_osvc_http_methods.html`). */
const METHODS = new Set(['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS']);
const ALLOW = 'GET, POST, PATCH, DELETE, OPTIONS';
const COLLECTIONS = ['contacts', 'incidents', 'queryResults'] as const;

/** What the account's profile may not do: 403, before anything is read or written [inf: code]. */
function checkPermission(req: ApiRequest): void {
  const [head, id] = req.segments;
  if (head !== 'contacts' && head !== 'incidents') return;
  const action =
    req.method === 'POST' && id === undefined
      ? 'create'
      : req.method === 'PATCH'
        ? 'update'
        : req.method === 'DELETE'
          ? 'delete'
          : undefined;
  if (action !== undefined && req.site.denied[head]?.includes(action)) {
    throw new ConnectError(
      403,
      ERROR_CODES.notAuthorized,
      `Access denied: this account's profile may not ${action} ${head}`,
    );
  }
}

/** `GET /namedIDs/<resource>/<field path>`: the values of one NamedID field. */
function namedIds(req: ApiRequest, rest: readonly string[]): ApiResult {
  if (req.method !== 'GET') throw unsupportedMethod(req.method);
  const list = namedIdList(req.site, rest.join('/'));
  if (list === undefined) throw notRecognized(`namedIDs/${rest.join('/')}`);
  return {
    status: 200,
    json: {
      items: list.values.map((v) => ({ id: v.id, lookupName: v.lookupName })),
      links: [{ rel: 'self', href: req.href }],
    },
  };
}

export function routeApi(req: ApiRequest, store: EmulatorStore): ApiResult {
  if (!METHODS.has(req.method)) throw unsupportedMethod(req.method);
  if (req.method === 'OPTIONS') return { status: 200, emptyContentType: 'text/plain', headers: { allow: ALLOW } };
  const [head, ...rest] = req.segments;
  checkPermission(req);
  switch (head) {
    case undefined:
      // The version root lists its collections.
      if (req.method !== 'GET') throw unsupportedMethod(req.method);
      return {
        status: 200,
        json: {
          items: COLLECTIONS.map((name) => ({ name, links: [{ rel: 'canonical', href: `${req.base}/${name}` }] })),
          links: [
            { rel: 'self', href: req.href },
            { rel: 'canonical', href: req.base },
          ],
        },
      };
    case 'contacts':
      return handleContacts(req, store, rest);
    case 'incidents':
      return handleIncidents(req, store, rest);
    case 'queryResults':
      return handleQueryResults(req, store, rest);
    case 'namedIDs':
      return namedIds(req, rest);
    default:
      throw notRecognized(req.segments.join('/'));
  }
}
