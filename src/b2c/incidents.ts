import { CreatedIncidentSchema } from './schemas.js';
import { parseBody, type B2cTransport, type CallOptions } from './transport.js';

export interface NewIncident {
  /** ≤ 240 characters: the caller truncates. */
  readonly subject: string;
  readonly primaryContactId: number;
}

/** `POST /incidents` → 201 with the full object; its `lookupName` is the reference number. */
export async function createIncident(http: B2cTransport, incident: NewIncident, opts: CallOptions = {}): Promise<{ id: number; referenceNumber: string }> {
  const operation = 'create-incident';
  const res = await http.send({
    ...opts,
    operation,
    method: 'POST',
    path: '/incidents',
    body: { subject: incident.subject, primaryContact: { id: incident.primaryContactId } },
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

/**
 * Appends a thread. The documented way is `PATCH /incidents/{id}` with a `threads` list
 * (200, empty body): `POST /incidents/{id}/threads` does not exist (400 OSC-CREST-00002).
 */
export async function addThread(http: B2cTransport, incidentId: number, thread: NewThread, opts: CallOptions = {}): Promise<void> {
  await http.send({
    ...opts,
    operation: 'add-thread',
    method: 'PATCH',
    path: `/incidents/${incidentId}`,
    body: { threads: [{ text: thread.text, entryType: { lookupName: thread.entryType }, contentType: { lookupName: thread.contentType } }] },
  });
}

/** `DELETE /incidents/{id}` → 200, empty body. */
export async function deleteIncident(http: B2cTransport, incidentId: number, opts: CallOptions = {}): Promise<void> {
  await http.send({ ...opts, operation: 'delete-incident', method: 'DELETE', path: `/incidents/${incidentId}` });
}
