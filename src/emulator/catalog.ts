/**
 * Fixed vocabulary of the emulated site: API versions and the NamedID lists a default en_US
 * interface ships with (notes §2, §3). Real sites localise lookupNames; ids are stable.
 */

/** Versions the site serves; `latest` behaves as v1.4. */
export const API_VERSIONS = ['v1.3', 'v1.4', 'latest'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** From CCOM v1.4 on (so also `latest`) `OSvC-CREST-Application-Context` is mandatory. */
export const VERSIONS_NEEDING_APP_CONTEXT: ReadonlySet<string> = new Set(['v1.4', 'latest']);
export const APP_CONTEXT_MAX_LENGTH = 40;

export const API_PREFIX = '/services/rest/connect/';

export interface NamedId {
  readonly id: number;
  readonly lookupName: string;
}

/** What a NamedID list is called in error details. */
export interface NamedIdList {
  readonly label: string;
  readonly values: readonly NamedId[];
}

export const PHONE_TYPES = {
  label: 'Phone Type',
  values: [
    { id: 0, lookupName: 'Office Phone' },
    { id: 1, lookupName: 'Mobile Phone' },
    { id: 2, lookupName: 'Fax Phone' },
    { id: 3, lookupName: 'Assistant Phone' },
    { id: 4, lookupName: 'Home Phone' },
  ],
} as const satisfies NamedIdList;

export const THREAD_ENTRY_TYPES = {
  label: 'Thread Entry Type',
  values: [
    { id: 1, lookupName: 'Note' },
    { id: 2, lookupName: 'Staff Account' },
    { id: 3, lookupName: 'Customer' },
    { id: 4, lookupName: 'Customer Proxy' },
    { id: 5, lookupName: 'Chat' },
    { id: 6, lookupName: 'Rule Response' },
    { id: 7, lookupName: 'Rule Response Template' },
    { id: 8, lookupName: 'Voice Integration' },
  ],
} as const satisfies NamedIdList;

export const THREAD_CONTENT_TYPES = {
  label: 'Thread Content Type',
  values: [
    { id: 1, lookupName: 'text/plain' },
    { id: 2, lookupName: 'text/html' },
  ],
} as const satisfies NamedIdList;

/** New incidents start Unresolved. */
export const STATUS_UNRESOLVED = { id: 1, lookupName: 'Unresolved' } as const;

/** Incident subject limit, in characters. */
export const SUBJECT_MAX_LENGTH = 240;
/** Phone number limit, in characters [inf]. */
export const PHONE_NUMBER_MAX_LENGTH = 40;

export const EXTERNAL_REFERENCE_MAX_LENGTH = 64;
