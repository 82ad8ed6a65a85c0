import { B2cError } from './errors.js';
import { roqlString } from './roql.js';
import { CreatedIncidentSchema, IncidentCollectionSchema, ThreadCollectionSchema } from './schemas.js';
import { parseBody, type B2cTransport, type CallOptions } from './transport.js';

export interface NewIncident {
  /** ≤ 240 characters: the caller truncates. */
  readonly subject: string;
  readonly primaryContactId: number;
  /** A site custom field to set (`customFields.c.<name>`), e.g. the SMS message id for exact look-ups. */
  readonly customField?: { readonly name: string; readonly value: string };
  /** The first thread, created with the incident in the same request: both exist, or neither. */
  readonly thread?: NewThread;
}

/**
 * `POST /incidents` → 201 with the full object; its `lookupName` is the reference number. A thread
 * sent with it is part of the same commit (Connect REST's only atomic multi-object write).
 */
export async function createIncident(
  http: B2cTransport,
  incident: NewIncident,
  opts: CallOptions = {},
): Promise<{ id: number; referenceNumber: string }> {
  const operation = 'create-incident';
  const res = await http.send({
    ...opts,
    operation,
    method: 'POST',
    path: '/incidents',
    body: {
      subject: incident.subject,
      primaryContact: { id: incident.primaryContactId },
      ...(incident.customField === undefined
        ? {}
        : { customFields: { c: { [incident.customField.name]: incident.customField.value } } }),
      ...(incident.thread === undefined ? {} : { threads: [threadBody(incident.thread)] }),
    },
  });
  const created = parseBody(operation, res, CreatedIncidentSchema);
  return { id: created.id, referenceNumber: created.referenceNumber ?? created.lookupName ?? String(created.id) };
}

export interface NewThread {
  readonly text: string;
  /** Thread entry type lookupName, e.g. `Note` (private) or `Customer`. */
  readonly entryType: string;
  readonly contentType: 'text/plain' | 'text/html';
}

function threadBody(thread: NewThread) {
  return {
    text: thread.text,
    entryType: { lookupName: thread.entryType },
    contentType: { lookupName: thread.contentType },
  };
}

/**
 * Appends a thread. The documented way is `PATCH /incidents/{id}` with a `threads` list
 * (200, empty body): `POST /incidents/{id}/threads` does not exist (400 OSC-CREST-00002).
 */
export async function addThread(
  http: B2cTransport,
  incidentId: number,
  thread: NewThread,
  opts: CallOptions = {},
): Promise<void> {
  await http.send({
    ...opts,
    operation: 'add-thread',
    method: 'PATCH',
    path: `/incidents/${incidentId}`,
    body: { threads: [threadBody(thread)] },
  });
}

/** `DELETE /incidents/{id}` → 200, empty body. */
export async function deleteIncident(http: B2cTransport, incidentId: number, opts: CallOptions = {}): Promise<void> {
  await http.send({ ...opts, operation: 'delete-incident', method: 'DELETE', path: `/incidents/${incidentId}` });
}

/** What an incident creation may have left behind, for {@link findIncidents}. */
export interface IncidentQuery {
  /** With a custom field, the look-up is exact and the other criteria are not used. */
  readonly customField?: { readonly name: string; readonly value: string };
  readonly primaryContactId: number;
  /** ISO-8601 UTC; Connect compares times to the second. */
  readonly createdSince: string;
  readonly subject: string;
}

/**
 * Incidents matching `query`, lowest id first: reconciles a `POST /incidents` whose answer was
 * lost. `GET /incidents?q=…` with the whole filter URL-encoded.
 */
export async function findIncidents(
  http: B2cTransport,
  query: IncidentQuery,
  opts: CallOptions = {},
): Promise<{ id: number; referenceNumber: string }[]> {
  const operation = 'find-incidents';
  if (query.customField !== undefined && !/^[A-Za-z][A-Za-z0-9_]*$/.test(query.customField.name)) {
    throw new B2cError({
      operation,
      kind: 'request',
      retryable: false,
      message: 'refusing to query a custom field whose name is not an identifier',
    });
  }
  const q =
    query.customField !== undefined
      ? `customFields.c.${query.customField.name} = ${roqlString(query.customField.value)}`
      : `primaryContact.id = ${Math.trunc(query.primaryContactId)} and createdTime >= ${roqlString(query.createdSince)} and subject = ${roqlString(query.subject)}`;
  const res = await http.send({ ...opts, operation, method: 'GET', path: '/incidents', query: { q } });
  const { items } = parseBody(operation, res, IncidentCollectionSchema);
  return items.map((i) => ({ id: i.id, referenceNumber: i.lookupName ?? String(i.id) })).sort((a, b) => a.id - b.id);
}

/** The texts of an incident's threads: tells whether a note whose answer was lost was added. */
export async function threadTexts(http: B2cTransport, incidentId: number, opts: CallOptions = {}): Promise<string[]> {
  const operation = 'list-threads';
  const res = await http.send({ ...opts, operation, method: 'GET', path: `/incidents/${incidentId}/threads` });
  return parseBody(operation, res, ThreadCollectionSchema).items.map((t) => t.text ?? '');
}
