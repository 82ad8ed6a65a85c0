/** `/contacts`, `/contacts/{id}` and `/contacts/{id}/phones`. */
import { DELETED, PATCHED, expands, parseId, type ApiRequest, type ApiResult } from './api-request.js';
import { readContactBody } from './bodies.js';
import { noSuchObject, notRecognized, unsupportedMethod } from './errors.js';
import { page } from './paging.js';
import { CONTACTS_TABLE } from './query-tables.js';
import { collectionJson, contactJson, phonesJson } from './render.js';
import { filterObjects } from './roql-match.js';
import { contactLookupName, type EmulatorStore } from './store.js';
import type { EmulatorContact } from './types.js';
import { whereParam } from './where-param.js';

function list(req: ApiRequest, store: EmulatorStore): ApiResult {
  const matching = filterObjects(CONTACTS_TABLE, store.searchView(), whereParam(req.query));
  const { items, paging } = page(req, matching);
  const sources = items.map((c) => ({
    id: c.id,
    lookupName: contactLookupName(c),
    createdTime: c.createdTime,
    updatedTime: c.updatedTime,
  }));
  return { status: 200, json: { ...collectionJson(req.base, 'contacts', req.href, sources), ...paging } };
}

function create(req: ApiRequest, store: EmulatorStore): ApiResult {
  const contact = store.createContact(readContactBody(req.json(), 'create', req.site));
  return {
    status: 201,
    headers: { location: `${req.base}/contacts/${contact.id}` },
    json: contactJson(req.base, contact, false),
  };
}

function existing(store: EmulatorStore, segment: string): EmulatorContact {
  const id = parseId(segment);
  const contact = id === undefined ? undefined : store.contact(id);
  if (contact === undefined) throw noSuchObject('Contact', segment);
  return contact;
}

export function handleContacts(req: ApiRequest, store: EmulatorStore, rest: readonly string[]): ApiResult {
  const [idSegment, sub, ...deeper] = rest;
  if (idSegment === undefined) {
    if (req.method === 'GET') return list(req, store);
    if (req.method === 'POST') return create(req, store);
    throw unsupportedMethod(req.method);
  }
  if (sub === undefined) {
    if (req.method === 'GET')
      return { status: 200, json: contactJson(req.base, existing(store, idSegment), expands(req.query, 'phones')) };
    if (req.method === 'PATCH') {
      const contact = existing(store, idSegment);
      store.updateContact(contact, readContactBody(req.json(), 'update', req.site));
      return PATCHED;
    }
    if (req.method === 'DELETE') {
      store.deleteContact(existing(store, idSegment).id);
      return DELETED;
    }
    throw unsupportedMethod(req.method);
  }
  // Sub-collections are read-only here: phones are written through the contact (PATCH /contacts/{id}).
  if (req.method !== 'GET') throw unsupportedMethod(req.method);
  if (sub !== 'phones' || deeper.length > 0) throw notRecognized(`contacts/${rest.join('/')}`);
  return { status: 200, json: phonesJson(req.base, existing(store, idSegment)) };
}
