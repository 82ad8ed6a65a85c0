/**
 * JSON representations, shaped like the real site's (notes §2, §9): objects carry
 * `links[self, canonical, describedby]`, list sub-objects are link stubs unless expanded,
 * references are link-only, collections list `{id, lookupName, times, links[canonical]}` items.
 * `base` is `<origin>/services/rest/connect/<version>` as the client called it.
 */
import { STATUS_UNRESOLVED } from './catalog.js';
import { contactLookupName } from './store.js';
import type { EmulatorContact, EmulatorIncident } from './types.js';

const SCHEMA_MEDIA_TYPE = 'application/schema+json';

export interface Link {
  rel: string;
  href: string;
  mediaType?: string;
  templated?: boolean;
}

export function objectLinks(base: string, resource: string, id: number): Link[] {
  const href = `${base}/${resource}/${id}`;
  return [
    { rel: 'self', href },
    { rel: 'canonical', href },
    { rel: 'describedby', href: `${base}/metadata-catalog/${resource}`, mediaType: SCHEMA_MEDIA_TYPE },
  ];
}

function listLinks(base: string, resource: string, id: number, list: string, itemName: string): Link[] {
  const href = `${base}/${resource}/${id}/${list}`;
  return [
    { rel: 'self', href },
    { rel: 'full', href: `${href}/{${itemName}_id}`, templated: true },
  ];
}

export function phonesJson(base: string, contact: EmulatorContact): { items: unknown[]; links: Link[] } {
  return {
    items: contact.phones.map((p) => ({ number: p.number, rawNumber: p.rawNumber, phoneType: { ...p.phoneType } })),
    links: listLinks(base, 'contacts', contact.id, 'phones', 'phone'),
  };
}

export function contactJson(base: string, contact: EmulatorContact, expandPhones: boolean): Record<string, unknown> {
  return {
    id: contact.id,
    lookupName: contactLookupName(contact),
    createdTime: contact.createdTime,
    updatedTime: contact.updatedTime,
    name: { first: contact.name.first, last: contact.name.last },
    ...(contact.externalReference === undefined ? {} : { externalReference: contact.externalReference }),
    phones: expandPhones
      ? phonesJson(base, contact)
      : { links: listLinks(base, 'contacts', contact.id, 'phones', 'phone') },
    links: objectLinks(base, 'contacts', contact.id),
  };
}

export function threadsJson(base: string, incident: EmulatorIncident): { items: unknown[]; links: Link[] } {
  return {
    items: incident.threads.map((t, i) => ({
      id: t.id,
      text: t.text,
      entryType: { ...t.entryType },
      contentType: { ...t.contentType },
      createdTime: t.createdTime,
      displayOrder: i + 1,
    })),
    links: listLinks(base, 'incidents', incident.id, 'threads', 'thread'),
  };
}

export function incidentJson(
  base: string,
  incident: EmulatorIncident,
  expandThreads: boolean,
): Record<string, unknown> {
  return {
    id: incident.id,
    lookupName: incident.referenceNumber,
    createdTime: incident.createdTime,
    updatedTime: incident.updatedTime,
    referenceNumber: incident.referenceNumber,
    subject: incident.subject,
    ...(incident.customFields === undefined ? {} : { customFields: { c: { ...incident.customFields } } }),
    primaryContact: { links: objectLinks(base, 'contacts', incident.primaryContactId) },
    statusWithType: { status: { ...STATUS_UNRESOLVED } },
    threads: expandThreads
      ? threadsJson(base, incident)
      : { links: listLinks(base, 'incidents', incident.id, 'threads', 'thread') },
    links: objectLinks(base, 'incidents', incident.id),
  };
}

export interface CollectionItemSource {
  id: number;
  lookupName: string | null;
  createdTime: string;
  updatedTime: string;
}

export function collectionJson(
  base: string,
  resource: string,
  selfHref: string,
  items: readonly CollectionItemSource[],
): Record<string, unknown> {
  const canonical = `${base}/${resource}`;
  return {
    items: items.map((item) => ({
      id: item.id,
      lookupName: item.lookupName,
      createdTime: item.createdTime,
      updatedTime: item.updatedTime,
      links: [{ rel: 'canonical', href: `${canonical}/${item.id}` }],
    })),
    links: [
      { rel: 'self', href: selfHref },
      { rel: 'canonical', href: canonical },
      { rel: 'describedby', href: `${base}/metadata-catalog/${resource}`, mediaType: SCHEMA_MEDIA_TYPE },
      { rel: 'alternate', href: canonical, mediaType: SCHEMA_MEDIA_TYPE },
    ],
  };
}

export function queryResultsJson(base: string, selfHref: string, items: readonly unknown[]): Record<string, unknown> {
  return {
    items,
    links: [
      { rel: 'self', href: selfHref },
      { rel: 'canonical', href: `${base}/queryResults` },
      { rel: 'describedby', href: `${base}/metadata-catalog/queryResults`, mediaType: SCHEMA_MEDIA_TYPE },
    ],
  };
}
