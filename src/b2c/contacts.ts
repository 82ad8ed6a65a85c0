import {
  contactByNationalNumberFilter,
  contactByPhoneFilter,
  phoneMatches,
  roqlString,
  type PhoneMatch,
} from './roql.js';
import { ContactCollectionSchema, CreatedSchema, IncidentCollectionSchema, PhoneCollectionSchema } from './schemas.js';
import { parseBody, type B2cTransport, type CallOptions } from './transport.js';

/**
 * Finds the contact holding this phone number. Several contacts may share a number and one
 * contact may hold it under two phone types: the lowest id wins, so every run picks the same one.
 * Under the `national` policy an exact match still comes first; only without one is a number
 * typed without its country code accepted (it may be another country's, or several people's).
 */
export async function findContactByPhone(
  http: B2cTransport,
  e164: string,
  opts: CallOptions = {},
  match: PhoneMatch = 'e164',
): Promise<number | undefined> {
  const exact = await contactsWhere(http, contactByPhoneFilter(e164), opts);
  if (exact !== undefined || match === 'e164') return exact;
  const national = contactByNationalNumberFilter(e164);
  return national === undefined ? undefined : contactsWhere(http, national, opts);
}

async function contactsWhere(http: B2cTransport, q: string, opts: CallOptions): Promise<number | undefined> {
  const operation = 'lookup-contact';
  const res = await http.send({ ...opts, operation, method: 'GET', path: '/contacts', query: { q } });
  const { items } = parseBody(operation, res, ContactCollectionSchema);
  return items.length === 0 ? undefined : Math.min(...items.map((c) => c.id));
}

export interface NewContact {
  readonly firstName: string;
  readonly lastName: string;
  /** A marker to find the contact again when the create's outcome is unknown (≤ 64 characters). */
  readonly externalReference?: string;
}

/** `POST /contacts` → 201 with the full object. */
export async function createContact(
  http: B2cTransport,
  contact: NewContact,
  opts: CallOptions = {},
): Promise<{ id: number }> {
  const operation = 'create-contact';
  const res = await http.send({
    ...opts,
    operation,
    method: 'POST',
    path: '/contacts',
    body: {
      name: { first: contact.firstName, last: contact.lastName },
      ...(contact.externalReference === undefined ? {} : { externalReference: contact.externalReference }),
    },
  });
  return { id: parseBody(operation, res, CreatedSchema).id };
}

/**
 * Sets the contact's phone of `phoneType`. The documented way is `PATCH /contacts/{id}` with a
 * `phones` list (200, empty body): `POST /contacts/{id}/phones` does not exist (400 OSC-CREST-00002).
 */
export async function addPhone(
  http: B2cTransport,
  contactId: number,
  phone: { number: string; phoneType: string },
  opts: CallOptions = {},
): Promise<void> {
  await http.send({
    ...opts,
    operation: 'add-phone',
    method: 'PATCH',
    path: `/contacts/${contactId}`,
    body: { phones: [{ number: phone.number, phoneType: { lookupName: phone.phoneType } }] },
  });
}

/** `DELETE /contacts/{id}` → 200, empty body. Also deletes incidents whose last contact it was. */
export async function deleteContact(http: B2cTransport, contactId: number, opts: CallOptions = {}): Promise<void> {
  await http.send({ ...opts, operation: 'delete-contact', method: 'DELETE', path: `/contacts/${contactId}` });
}

/** The contact carrying this `externalReference` (lowest id if several): reconciles a create whose answer was lost. */
export async function findContactByExternalReference(
  http: B2cTransport,
  externalReference: string,
  opts: CallOptions = {},
): Promise<number | undefined> {
  const operation = 'find-contact-by-reference';
  const res = await http.send({
    ...opts,
    operation,
    method: 'GET',
    path: '/contacts',
    query: { q: `externalReference = ${roqlString(externalReference)}` },
  });
  const { items } = parseBody(operation, res, ContactCollectionSchema);
  return items.length === 0 ? undefined : Math.min(...items.map((c) => c.id));
}

/** Whether a contact carries the number, only other numbers, or no number at all. */
export type NumberOnContact = 'this' | 'others' | 'none';

/** `GET /contacts/{id}/phones`, matched as the look-up matches; a 404 means the contact is gone. */
export async function numberOnContact(
  http: B2cTransport,
  contactId: number,
  e164: string,
  opts: CallOptions = {},
  match: PhoneMatch = 'e164',
): Promise<NumberOnContact> {
  const operation = 'contact-phones';
  const res = await http.send({ ...opts, operation, method: 'GET', path: `/contacts/${Math.trunc(contactId)}/phones` });
  const raws = parseBody(operation, res, PhoneCollectionSchema).items.map((p) => p.rawNumber ?? p.number ?? '');
  if (raws.some((raw) => phoneMatches(raw, e164, match))) return 'this';
  return raws.length > 0 ? 'others' : 'none';
}

/** Why a contact must stay: it carries a phone, or an incident names it as primary contact. */
export type ContactUse = { readonly phone: true } | { readonly incidentId: number };

/**
 * Whether anyone else may rely on the contact, and why: it carries a phone (a look-up by number
 * finds it) or some incident names it as primary contact. `GET /contacts/{id}/phones`, then
 * `GET /incidents?q=primaryContact.id = <id>`; a 404 means the contact is gone.
 */
export async function contactInUse(
  http: B2cTransport,
  contactId: number,
  opts: CallOptions = {},
): Promise<ContactUse | undefined> {
  const operation = 'contact-in-use';
  const id = Math.trunc(contactId);
  const phones = await http.send({ ...opts, operation, method: 'GET', path: `/contacts/${id}/phones` });
  if (parseBody(operation, phones, PhoneCollectionSchema).items.length > 0) return { phone: true };
  const incidents = await http.send({
    ...opts,
    operation,
    method: 'GET',
    path: '/incidents',
    query: { q: `primaryContact.id = ${id}` },
  });
  const first = parseBody(operation, incidents, IncidentCollectionSchema).items[0];
  return first === undefined ? undefined : { incidentId: first.id };
}
