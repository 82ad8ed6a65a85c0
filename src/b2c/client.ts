import { addPhone, contactInUse, createContact, deleteContact, findContactByExternalReference, findContactByPhone, type NewContact } from './contacts.js';
import { addThread, createIncident, deleteIncident, findIncidents, threadTexts, type IncidentQuery, type NewIncident } from './incidents.js';
import type { PhoneMatch } from './roql.js';
import { B2cTransport, type CallOptions, type TransportOptions } from './transport.js';

export interface B2cClientOptions extends TransportOptions {
  /** Phone type lookupName for the sender's number. @default 'Mobile Phone' */
  readonly phoneType?: string;
  /** Thread entry type lookupName for the SMS. @default 'Note' */
  readonly threadEntryType?: string;
  /** How the sender's number is matched against contacts. @default 'e164' */
  readonly phoneMatch?: PhoneMatch;
}

/** The B2C Service operations the SMS workflow needs, over the documented Connect REST API. */
export interface B2cClient {
  findContactByPhone(e164: string, opts?: CallOptions): Promise<number | undefined>;
  createContact(contact: NewContact, opts?: CallOptions): Promise<{ id: number }>;
  addPhone(contactId: number, e164: string, opts?: CallOptions): Promise<void>;
  createIncident(incident: NewIncident, opts?: CallOptions): Promise<{ id: number; referenceNumber: string }>;
  addNote(incidentId: number, text: string, opts?: CallOptions): Promise<void>;
  deleteIncident(incidentId: number, opts?: CallOptions): Promise<void>;
  deleteContact(contactId: number, opts?: CallOptions): Promise<void>;
  contactInUse(contactId: number, opts?: CallOptions): Promise<boolean>;
  findContactByExternalReference(externalReference: string, opts?: CallOptions): Promise<number | undefined>;
  findIncidents(query: IncidentQuery, opts?: CallOptions): Promise<{ id: number; referenceNumber: string }[]>;
  threadTexts(incidentId: number, opts?: CallOptions): Promise<string[]>;
}

/**
 * @example
 * ```ts
 * const b2c = createB2cClient({ baseUrl: 'https://mysite.custhelp.com/services/rest/connect/v1.4',
 *   username, password, appContext: 'sms-incident' });
 * const contactId = await b2c.findContactByPhone('+14155550101', { signal });
 * ```
 */
export function createB2cClient(options: B2cClientOptions): B2cClient {
  const http = new B2cTransport(options);
  const phoneType = options.phoneType ?? 'Mobile Phone';
  const entryType = options.threadEntryType ?? 'Note';
  return {
    findContactByPhone: (e164, opts) => findContactByPhone(http, e164, opts, options.phoneMatch ?? 'e164'),
    createContact: (contact, opts) => createContact(http, contact, opts),
    addPhone: (contactId, e164, opts) => addPhone(http, contactId, { number: e164, phoneType }, opts),
    createIncident: (incident, opts) => createIncident(http, incident, opts),
    addNote: (incidentId, text, opts) => addThread(http, incidentId, { text, entryType, contentType: 'text/plain' }, opts),
    deleteIncident: (incidentId, opts) => deleteIncident(http, incidentId, opts),
    deleteContact: (contactId, opts) => deleteContact(http, contactId, opts),
    contactInUse: (contactId, opts) => contactInUse(http, contactId, opts),
    findContactByExternalReference: (ref, opts) => findContactByExternalReference(http, ref, opts),
    findIncidents: (query, opts) => findIncidents(http, query, opts),
    threadTexts: (incidentId, opts) => threadTexts(http, incidentId, opts),
  };
}
