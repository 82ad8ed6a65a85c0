import {
  addPhone,
  contactInUse,
  createContact,
  deleteContact,
  findContactByExternalReference,
  findContactByPhone,
  numberOnContact,
  type ContactUse,
  type NewContact,
  type NumberOnContact,
} from './contacts.js';
import {
  addThread,
  createIncident,
  deleteIncident,
  findIncidents,
  threadTexts,
  type IncidentQuery,
  type NewIncident,
} from './incidents.js';
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

/**
 * The B2C Service operations, over the documented Connect REST API: the implementation of the
 * workflow's `ServiceDesk` port (workflows/sms-to-incident.ts), one function of `contacts.ts` or
 * `incidents.ts` per operation, named as the step that calls it.
 *
 * @example
 * ```ts
 * const b2c = createB2cClient({ baseUrl: 'https://mysite.custhelp.com/services/rest/connect/v1.4',
 *   username, password, appContext: 'sms-incident' });
 * const contactId = await b2c.findContactByPhone('+14155550101', { signal });
 * ```
 */
export function createB2cClient(options: B2cClientOptions) {
  const http = new B2cTransport(options);
  const phoneType = options.phoneType ?? 'Mobile Phone';
  const entryType = options.threadEntryType ?? 'Note';
  return {
    findContactByPhone: (e164: string, opts?: CallOptions): Promise<number | undefined> =>
      findContactByPhone(http, e164, opts, options.phoneMatch ?? 'e164'),
    createContact: (contact: NewContact, opts?: CallOptions): Promise<{ id: number }> =>
      createContact(http, contact, opts),
    addPhone: (contactId: number, e164: string, opts?: CallOptions): Promise<void> =>
      addPhone(http, contactId, { number: e164, phoneType }, opts),
    /** `note`: the text of the incident's first thread, created with it (entry type as configured). */
    createIncident: (
      { note, ...incident }: Omit<NewIncident, 'thread'> & { readonly note?: string },
      opts?: CallOptions,
    ): Promise<{ id: number; referenceNumber: string }> =>
      createIncident(
        http,
        note === undefined ? incident : { ...incident, thread: { text: note, entryType, contentType: 'text/plain' } },
        opts,
      ),
    addThread: (incidentId: number, text: string, opts?: CallOptions): Promise<void> =>
      addThread(http, incidentId, { text, entryType, contentType: 'text/plain' }, opts),
    deleteIncident: (incidentId: number, opts?: CallOptions): Promise<void> => deleteIncident(http, incidentId, opts),
    deleteContact: (contactId: number, opts?: CallOptions): Promise<void> => deleteContact(http, contactId, opts),
    contactInUse: (contactId: number, opts?: CallOptions): Promise<ContactUse | undefined> =>
      contactInUse(http, contactId, opts),
    numberOnContact: (contactId: number, e164: string, opts?: CallOptions): Promise<NumberOnContact> =>
      numberOnContact(http, contactId, e164, opts, options.phoneMatch ?? 'e164'),
    findContactByExternalReference: (ref: string, opts?: CallOptions): Promise<number | undefined> =>
      findContactByExternalReference(http, ref, opts),
    findIncidents: (query: IncidentQuery, opts?: CallOptions): Promise<{ id: number; referenceNumber: string }[]> =>
      findIncidents(http, query, opts),
    threadTexts: (incidentId: number, opts?: CallOptions): Promise<string[]> => threadTexts(http, incidentId, opts),
  };
}

/** What {@link createB2cClient} returns: the `ServiceDesk` port and more (the options of each call are optional). */
export type B2cClient = ReturnType<typeof createB2cClient>;
