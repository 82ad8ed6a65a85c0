/**
 * The reads `runs audit` needs beyond the workflow's: every contact carrying a marker (not only the
 * lowest id), a contact's phones and incidents. The workflow's own reads (incident look-up, thread
 * list) and writes come from the client.
 */
import { roqlString } from './roql.js';
import { ContactCollectionSchema, IncidentCollectionSchema, PhoneCollectionSchema } from './schemas.js';
import { parseBody, B2cTransport, type TransportOptions } from './transport.js';

export interface AuditProbe {
  /** Ids of every contact whose `externalReference` is `ref`, lowest first. */
  contactsByExternalReference(ref: string): Promise<number[]>;
  /** How many phones the contact has (`GET /contacts/{id}/phones`). */
  phoneCount(contactId: number): Promise<number>;
  /** Ids of the incidents whose primary contact it is. */
  incidentsOf(contactId: number): Promise<number[]>;
}

export function createAuditProbe(options: TransportOptions): AuditProbe {
  const http = new B2cTransport(options);
  return {
    async contactsByExternalReference(ref) {
      const res = await http.send({
        operation: 'audit-contacts',
        method: 'GET',
        path: '/contacts',
        query: { q: `externalReference = ${roqlString(ref)}` },
      });
      return parseBody('audit-contacts', res, ContactCollectionSchema)
        .items.map((c) => c.id)
        .sort((a, b) => a - b);
    },
    async phoneCount(contactId) {
      const res = await http.send({
        operation: 'audit-phones',
        method: 'GET',
        path: `/contacts/${Math.trunc(contactId)}/phones`,
      });
      return parseBody('audit-phones', res, PhoneCollectionSchema).items.length;
    },
    async incidentsOf(contactId) {
      const res = await http.send({
        operation: 'audit-incidents',
        method: 'GET',
        path: '/incidents',
        query: { q: `primaryContact.id = ${Math.trunc(contactId)}` },
      });
      return parseBody('audit-incidents', res, IncidentCollectionSchema)
        .items.map((i) => i.id)
        .sort((a, b) => a - b);
    },
  };
}
