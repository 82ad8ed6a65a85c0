/**
 * Unauthenticated control routes for `npm start` users and other processes: inspect state and
 * recorded requests, inject faults, reset, seed contacts. Never recorded as API requests.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FaultSpecError, type FaultBook } from './faults.js';
import { decodeUtf8, readBody, writeEmpty, writeJson } from './http-io.js';
import { type Quirks, QuirksError } from './quirks.js';
import type { SiteProfile } from './site.js';
import type { EmulatorStore } from './store.js';
import { seedContact } from './seed-contact.js';
import type { RecordedRequest } from './types.js';

export const ADMIN_PREFIX = '/__emulator';

export interface AdminDeps {
  readonly url: () => string;
  readonly store: EmulatorStore;
  readonly site: SiteProfile;
  readonly faults: FaultBook;
  /** `set` validates and replaces the whole setting; throws {@link QuirksError}. */
  readonly quirks: { get(): Quirks; set(input: unknown): Quirks };
  readonly requests: () => RecordedRequest[];
  readonly reset: () => void;
}

export function isAdminPath(pathname: string): boolean {
  return pathname === '/' || pathname === ADMIN_PREFIX || pathname.startsWith(`${ADMIN_PREFIX}/`);
}

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  try {
    return { ok: true, value: JSON.parse(decodeUtf8(await readBody(req))) };
  } catch {
    return { ok: false, error: 'body must be UTF-8 JSON' };
  }
}

function describe(url: string): unknown {
  return {
    name: 'Oracle B2C Service (Connect REST) emulator',
    api: `${url}/services/rest/connect/v1.4`,
    versions: ['v1.3', 'v1.4', 'latest'],
    resources: ['contacts', 'incidents', 'queryResults'],
    admin: {
      state: `GET ${url}${ADMIN_PREFIX}/state`,
      requests: `GET ${url}${ADMIN_PREFIX}/requests`,
      faults: `GET|POST|DELETE ${url}${ADMIN_PREFIX}/faults`,
      quirks: `GET|PUT|DELETE ${url}${ADMIN_PREFIX}/quirks {"searchLagMs":1500,"threadLineEnds":"crlf","threadTrim":"lines","subjectTrim":true}`,
      reset: `POST ${url}${ADMIN_PREFIX}/reset`,
      seedContact: `POST ${url}${ADMIN_PREFIX}/contacts {"phone":"+15551234567","phoneType":"Mobile Phone"}`,
    },
  };
}

export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  deps: AdminDeps,
): Promise<void> {
  const route = `${req.method ?? 'GET'} ${pathname.replace(/\/+$/, '') || '/'}`;
  switch (route) {
    case 'GET /':
      return writeJson(res, 200, describe(deps.url()));
    case `GET ${ADMIN_PREFIX}/state`:
      return writeJson(res, 200, deps.store.snapshot());
    case `GET ${ADMIN_PREFIX}/requests`:
      return writeJson(res, 200, deps.requests());
    case `GET ${ADMIN_PREFIX}/faults`:
      return writeJson(res, 200, deps.faults.list());
    case `POST ${ADMIN_PREFIX}/faults`: {
      const body = await readJson(req);
      if (!body.ok) return writeJson(res, 400, { error: body.error });
      try {
        return writeJson(res, 201, deps.faults.add(body.value));
      } catch (error) {
        if (error instanceof FaultSpecError)
          return writeJson(res, 400, { error: 'invalid fault spec', issues: error.issues });
        throw error;
      }
    }
    case `DELETE ${ADMIN_PREFIX}/faults`:
      deps.faults.clear();
      return writeEmpty(res, 204, undefined);
    case `GET ${ADMIN_PREFIX}/quirks`:
      return writeJson(res, 200, deps.quirks.get());
    case `PUT ${ADMIN_PREFIX}/quirks`: {
      const body = await readJson(req);
      if (!body.ok) return writeJson(res, 400, { error: body.error });
      try {
        return writeJson(res, 200, deps.quirks.set(body.value));
      } catch (error) {
        if (error instanceof QuirksError) return writeJson(res, 400, { error: 'invalid quirks', issues: error.issues });
        throw error;
      }
    }
    case `DELETE ${ADMIN_PREFIX}/quirks`:
      deps.quirks.set({});
      return writeEmpty(res, 204, undefined);
    case `POST ${ADMIN_PREFIX}/reset`:
      deps.reset();
      return writeEmpty(res, 204, undefined);
    case `POST ${ADMIN_PREFIX}/contacts`: {
      const body = await readJson(req);
      const value = body.ok ? (body.value as { phone?: unknown; phoneType?: unknown } | null) : null;
      if (typeof value?.phone !== 'string' || (value.phoneType !== undefined && typeof value.phoneType !== 'string')) {
        return writeJson(res, 400, { error: 'body must be {"phone": "+1…", "phoneType"?: "Mobile Phone"}' });
      }
      try {
        return writeJson(res, 201, seedContact(deps.store, deps.site, value.phone, value.phoneType));
      } catch (error) {
        return writeJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
      }
    }
    default:
      return writeJson(res, 404, { error: `no admin route ${route}`, see: `GET ${deps.url()}/` });
  }
}
