/** Dispatches an authenticated API request to its resource handler. */
import type { ApiRequest, ApiResult } from './api-request.js';
import { handleContacts } from './contacts-handler.js';
import { notRecognized, unsupportedMethod } from './errors.js';
import { handleIncidents } from './incidents-handler.js';
import { handleQueryResults } from './query-results-handler.js';
import type { EmulatorStore } from './store.js';

/** PUT is not supported anywhere (`cxsvc/c_osvc_http_methods.html`). */
const METHODS = new Set(['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS']);
const ALLOW = 'GET, POST, PATCH, DELETE, OPTIONS';
const COLLECTIONS = ['contacts', 'incidents', 'queryResults'] as const;

export function routeApi(req: ApiRequest, store: EmulatorStore): ApiResult {
  if (!METHODS.has(req.method)) throw unsupportedMethod(req.method);
  if (req.method === 'OPTIONS') return { status: 200, emptyContentType: 'text/plain', headers: { allow: ALLOW } };
  const [head, ...rest] = req.segments;
  switch (head) {
    case undefined:
      // The version root lists its collections.
      if (req.method !== 'GET') throw unsupportedMethod(req.method);
      return {
        status: 200,
        json: {
          items: COLLECTIONS.map((name) => ({ name, links: [{ rel: 'canonical', href: `${req.base}/${name}` }] })),
          links: [{ rel: 'self', href: req.href }, { rel: 'canonical', href: req.base }],
        },
      };
    case 'contacts':
      return handleContacts(req, store, rest);
    case 'incidents':
      return handleIncidents(req, store, rest);
    case 'queryResults':
      return handleQueryResults(req, store, rest);
    default:
      throw notRecognized(req.segments.join('/'));
  }
}
