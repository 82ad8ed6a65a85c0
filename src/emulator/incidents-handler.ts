/** `/incidents`, `/incidents/{id}` and `/incidents/{id}/threads`. */
import { DELETED, PATCHED, expands, parseId, type ApiRequest, type ApiResult } from './api-request.js';
import { readIncidentBody, type ObjectReference } from './bodies.js';
import { type Quirks, storedSubject, storedThreadText } from './quirks.js';
import { noSuchObject, notRecognized, unsupportedMethod, writeFailed } from './errors.js';
import { page } from './paging.js';
import { INCIDENTS_TABLE } from './query-tables.js';
import { collectionJson, incidentJson, threadsJson } from './render.js';
import { filterObjects } from './roql-match.js';
import { contactLookupName, isThreadEdit, type EmulatorStore, type NewThread, type ThreadEdit } from './store.js';
import type { EmulatorIncident } from './types.js';
import { whereParam } from './where-param.js';

const BAD_REFERENCE = 'A problem setting a property to reference another object was encountered';

/** The documented 400 OSC-CREST-00006 wording for a reference to a missing object. */
function contactReference(store: EmulatorStore, ref: ObjectReference): number {
  if ('id' in ref) {
    if (store.contact(ref.id) === undefined)
      throw writeFailed(`${BAD_REFERENCE}: Invalid ID: No such Contact with ID = ${ref.id}`);
    return ref.id;
  }
  const named = store.contacts().filter((c) => contactLookupName(c) === ref.lookupName);
  const only = named.length === 1 ? named[0] : undefined;
  if (only === undefined) {
    throw writeFailed(
      `${BAD_REFERENCE}: Invalid lookupName: ${named.length === 0 ? 'No' : 'More than one'} Contact with lookupName = '${ref.lookupName}'`,
    );
  }
  return only.id;
}

function isNewThread(entry: NewThread | ThreadEdit): entry is NewThread {
  return !isThreadEdit(entry);
}

function list(req: ApiRequest, store: EmulatorStore): ApiResult {
  const { items, paging } = page(req, filterObjects(INCIDENTS_TABLE, store.searchView(), whereParam(req.query)));
  const sources = items.map((i) => ({
    id: i.id,
    lookupName: i.referenceNumber,
    createdTime: i.createdTime,
    updatedTime: i.updatedTime,
  }));
  return { status: 200, json: { ...collectionJson(req.base, 'incidents', req.href, sources), ...paging } };
}

/** What the site stores of a thread entry: its text normalised as the site's quirks say. */
function stored<T extends NewThread | ThreadEdit>(entry: T, quirks: Quirks): T {
  return entry.text === undefined ? entry : { ...entry, text: storedThreadText(entry.text, quirks) };
}

function create(req: ApiRequest, store: EmulatorStore): ApiResult {
  const body = readIncidentBody(req.json(), 'create', req.site);
  const incident = store.createIncident({
    ...(body.subject === undefined ? {} : { subject: storedSubject(body.subject, req.quirks) }),
    // biome-ignore lint/style/noNonNullAssertion: readIncidentBody(…, 'create') refuses a body without primaryContact
    primaryContactId: contactReference(store, body.primaryContact!),
    threads:
      req.quirks.threadsOnCreate === 'dropped'
        ? []
        : (body.threads ?? []).filter(isNewThread).map((t) => stored(t, req.quirks)),
    ...(body.customFields === undefined ? {} : { customFields: body.customFields }),
  });
  return {
    status: 201,
    headers: { location: `${req.base}/incidents/${incident.id}` },
    json: incidentJson(req.base, incident, false),
  };
}

/** Everything is checked before anything is written, so a rejected PATCH changes nothing. */
function update(req: ApiRequest, store: EmulatorStore, incident: EmulatorIncident): ApiResult {
  const body = readIncidentBody(req.json(), 'update', req.site);
  const primaryContactId = body.primaryContact === undefined ? undefined : contactReference(store, body.primaryContact);
  for (const entry of body.threads ?? []) {
    if (!isNewThread(entry) && !incident.threads.some((t) => t.id === entry.id)) {
      throw writeFailed(`Invalid ID: No such Thread with ID = ${entry.id}`);
    }
  }
  store.updateIncident(incident, {
    ...(body.subject === undefined ? {} : { subject: storedSubject(body.subject, req.quirks) }),
    ...(primaryContactId === undefined ? {} : { primaryContactId }),
    ...(body.threads === undefined ? {} : { threads: body.threads.map((t) => stored(t, req.quirks)) }),
    ...(body.customFields === undefined ? {} : { customFields: body.customFields }),
  });
  return PATCHED;
}

function existing(store: EmulatorStore, segment: string): EmulatorIncident {
  const id = parseId(segment);
  const incident = id === undefined ? undefined : store.incident(id);
  if (incident === undefined) throw noSuchObject('Incident', segment);
  return incident;
}

export function handleIncidents(req: ApiRequest, store: EmulatorStore, rest: readonly string[]): ApiResult {
  const [idSegment, sub, ...deeper] = rest;
  if (idSegment === undefined) {
    if (req.method === 'GET') return list(req, store);
    if (req.method === 'POST') return create(req, store);
    throw unsupportedMethod(req.method);
  }
  if (sub === undefined) {
    if (req.method === 'GET')
      return { status: 200, json: incidentJson(req.base, existing(store, idSegment), expands(req.query, 'threads')) };
    if (req.method === 'PATCH') return update(req, store, existing(store, idSegment));
    if (req.method === 'DELETE') {
      store.deleteIncident(existing(store, idSegment).id);
      return DELETED;
    }
    throw unsupportedMethod(req.method);
  }
  // No documented POST /incidents/{id}/threads: threads are added through PATCH /incidents/{id}.
  if (req.method !== 'GET') throw unsupportedMethod(req.method);
  if (sub !== 'threads' || deeper.length > 0) throw notRecognized(`incidents/${rest.join('/')}`);
  return { status: 200, json: threadsJson(req.base, existing(store, idSegment)) };
}
