/**
 * The ROQL-visible side of the data: which fields each table exposes and how a list field (phones)
 * joins. Keys of `fields` are lower case because ROQL field names are case-insensitive.
 */
import type { ReplicaView } from './replica.js';
import { contactLookupName } from './store.js';
import type { EmulatorContact, EmulatorIncident, EmulatorPhone } from './types.js';

export interface QueryField<Row> {
  /** Name in `queryResults` `columnNames`. */
  readonly column: string;
  value(row: Row): string | null;
}

export interface QueryTable<Obj, Row> {
  /** Canonical name, as `queryResults` reports it whatever the query's spelling. */
  readonly name: string;
  readonly fields: Readonly<Record<string, QueryField<Row>>>;
  /** Fields not known in advance (site custom fields), by lower-case name. */
  dynamicField?(name: string): QueryField<Row> | undefined;
  /** Field prefixes that reach into a list, making the query a join. */
  readonly listPrefixes: readonly string[];
  objects(data: ReplicaView): Obj[];
  /** One row per object, or one per list item when joined (an object without items still gives one row). */
  rows(obj: Obj, joined: boolean): Row[];
  idOf(obj: Obj): number;
}

export interface ContactRow {
  readonly contact: EmulatorContact;
  readonly phone: EmulatorPhone | null;
}

export const CONTACTS_TABLE: QueryTable<EmulatorContact, ContactRow> = {
  name: 'contacts',
  fields: {
    id: { column: 'id', value: (r) => String(r.contact.id) },
    lookupname: { column: 'lookupName', value: (r) => contactLookupName(r.contact) },
    createdtime: { column: 'createdTime', value: (r) => r.contact.createdTime },
    updatedtime: { column: 'updatedTime', value: (r) => r.contact.updatedTime },
    'name.first': { column: 'first', value: (r) => r.contact.name.first },
    'name.last': { column: 'last', value: (r) => r.contact.name.last },
    externalreference: { column: 'externalReference', value: (r) => r.contact.externalReference ?? null },
    'phones.number': { column: 'number', value: (r) => r.phone?.number ?? null },
    'phones.rawnumber': { column: 'rawNumber', value: (r) => r.phone?.rawNumber ?? null },
    'phones.phonetype.id': { column: 'id', value: (r) => (r.phone ? String(r.phone.phoneType.id) : null) },
    'phones.phonetype.lookupname': { column: 'lookupName', value: (r) => r.phone?.phoneType.lookupName ?? null },
  },
  listPrefixes: ['phones.'],
  objects: (data) => data.contacts(),
  rows: (contact, joined) =>
    joined && contact.phones.length > 0
      ? contact.phones.map((phone) => ({ contact, phone }))
      : [{ contact, phone: null }],
  idOf: (contact) => contact.id,
};

export const INCIDENTS_TABLE: QueryTable<EmulatorIncident, EmulatorIncident> = {
  name: 'incidents',
  fields: {
    id: { column: 'id', value: (i) => String(i.id) },
    lookupname: { column: 'lookupName', value: (i) => i.referenceNumber },
    referencenumber: { column: 'referenceNumber', value: (i) => i.referenceNumber },
    subject: { column: 'subject', value: (i) => i.subject },
    'primarycontact.id': { column: 'id', value: (i) => String(i.primaryContactId) },
    createdtime: { column: 'createdTime', value: (i) => i.createdTime },
    updatedtime: { column: 'updatedTime', value: (i) => i.updatedTime },
  },
  listPrefixes: [],
  dynamicField: (name) => {
    const match = /^customfields\.c\.([a-z][a-z0-9_]*)$/.exec(name);
    if (match === null) return undefined;
    const wanted = match[1] ?? '';
    const fieldOf = (i: EmulatorIncident): string | null => {
      const entry = Object.entries(i.customFields ?? {}).find(([k]) => k.toLowerCase() === wanted);
      return entry === undefined || entry[1] === null ? null : String(entry[1]);
    };
    return { column: wanted, value: fieldOf };
  },
  objects: (data) => data.incidents(),
  rows: (incident) => [incident],
  idOf: (incident) => incident.id,
};
