/**
 * What differs from one B2C Service site to another and the preflight (`sms-incident doctor`)
 * must find out: the localised NamedID lists, the incident custom fields its admin created, and
 * what the API account's profile may do. The default is the en_US site with every permission
 * and any custom field accepted.
 */
import { PHONE_TYPES, THREAD_ENTRY_TYPES, type NamedId, type NamedIdList } from './catalog.js';

export type CustomFieldType = 'text' | 'integer' | 'boolean' | 'date';
export type Resource = 'contacts' | 'incidents';
export type Action = 'create' | 'update' | 'delete';

export interface EmulatorSite {
  /** The site's phone types (localised lookupNames; ids as en_US). @default en_US */
  readonly phoneTypes?: readonly NamedId[];
  /** The site's thread entry types. @default en_US */
  readonly threadEntryTypes?: readonly NamedId[];
  /** Incident custom fields (`customFields.c.<name>`) and their types; when set, any other name is refused (400). */
  readonly incidentCustomFields?: Readonly<Record<string, CustomFieldType>>;
  /** What the account may not do, e.g. `{ incidents: ['delete'] }` (403). @default nothing denied */
  readonly denied?: Partial<Record<Resource, readonly Action[]>>;
  /**
   * Order of a collection's items (`GET /contacts`, `GET /incidents`). The API promises none
   * without ORDER BY: `descending` (newest first) lets a test show the client does not rely on it.
   * @default 'ascending'
   */
  readonly listOrder?: 'ascending' | 'descending';
}

export interface SiteProfile {
  readonly phoneTypes: NamedIdList;
  readonly threadEntryTypes: NamedIdList;
  readonly incidentCustomFields: Readonly<Record<string, CustomFieldType>> | undefined;
  readonly denied: Partial<Record<Resource, readonly Action[]>>;
  readonly listOrder: 'ascending' | 'descending';
}

export function siteProfile(site: EmulatorSite = {}): SiteProfile {
  return {
    phoneTypes: { label: PHONE_TYPES.label, values: site.phoneTypes ?? PHONE_TYPES.values },
    threadEntryTypes: { label: THREAD_ENTRY_TYPES.label, values: site.threadEntryTypes ?? THREAD_ENTRY_TYPES.values },
    incidentCustomFields: site.incidentCustomFields,
    denied: site.denied ?? {},
    listOrder: site.listOrder ?? 'ascending',
  };
}

/** The NamedID lists `GET /namedIDs/<resource>/<field path>` answers [inf: path of nested fields]. */
export function namedIdList(site: SiteProfile, path: string): NamedIdList | undefined {
  switch (path) {
    case 'contacts/phones/phoneType':
      return site.phoneTypes;
    case 'incidents/threads/entryType':
      return site.threadEntryTypes;
    default:
      return undefined;
  }
}
