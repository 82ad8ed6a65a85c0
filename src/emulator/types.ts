/** The emulator's public types: what tests and `npm start` code against. */
import type { EmulatorSite } from './site.js';

/** How to run the emulator. */
export interface EmulatorOptions {
  /** @default 0 (a random free port; see {@link RunningEmulator.url}) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Basic-auth user name the API accepts. @default 'admin' */
  username?: string;
  /** Basic-auth password the API accepts. @default 'admin' */
  password?: string;
  /** A site unlike the default en_US one: localised NamedIDs, custom fields, a restricted account. */
  site?: EmulatorSite;
}

/** A fault to inject on matching API requests, checked before normal handling. */
export interface FaultSpec {
  /** `'GET' | 'POST' | 'PATCH' | 'DELETE' | '*'`; matched against the effective method (after `X-HTTP-Method-Override`). */
  method: string;
  /** Resource path after `/services/rest/connect/<ver>`, e.g. `/incidents/*`; `*` matches one segment; query ignored. */
  path: string;
  /**
   * - `status`: answer `status` with the Connect error body, nothing else happens
   * - `delay`: wait `delayMs`, then handle normally
   * - `drop`: destroy the socket without answering and without doing the write
   * - `commit-then-drop`: do the write, then destroy the socket without answering
   * - `commit-then-status`: do the write, then answer `status` (@default 500) as a proxy does: an
   *   HTML page, no `o:errorCode` (`body: 'connect'` for a Connect error body instead)
   * - `drop-then-commit`: destroy the socket at once, then do the write `commitAfterMs` later
   * - `hang`: never answer (until `close()`)
   */
  action: 'status' | 'delay' | 'drop' | 'commit-then-drop' | 'commit-then-status' | 'drop-then-commit' | 'hang';
  /** For `status` (@default 503) and `commit-then-status` (@default 500). */
  status?: number;
  /**
   * The error answer's body: `connect` (Connect's JSON error with `o:errorCode`) or `html` (a
   * proxy's page, no code). @default 'connect' for `status`, 'html' for `commit-then-status`
   */
  body?: 'connect' | 'html';
  /** For `drop-then-commit` (required there): milliseconds between the dropped connection and the write. */
  commitAfterMs?: number;
  /** `o:errorCode` of the error body. @default 'OSC-CREST-00035' for 503 */
  errorCode?: string;
  /** `detail` of the error body. @default the code's title */
  detail?: string;
  /**
   * For `delay`: milliseconds to wait before handling the request. With another action, the wait
   * comes first: `status` + `delayMs` is a slow refusal, `commit-then-drop` + `delayMs` a late commit
   * whose answer never comes.
   */
  delayMs?: number;
  /** Sets `osvc-crest-next-request-after` (ms) on the faulted answer. */
  nextRequestAfterMs?: number;
  /** How many matching requests it affects. @default unlimited */
  times?: number;
  /**
   * A rule armed (ahead of the others) each time this one fires: compound faults, e.g. a
   * commit-then-drop whose reconcile read is then throttled.
   */
  then?: Omit<FaultSpec, 'then'>;
}

/**
 * How the site strays from an ideal one in what it stores and what its searches see; every key
 * absent is off. Set with {@link RunningEmulator.setQuirks} or `PUT /__emulator/quirks`.
 */
export interface EmulatorQuirks {
  /**
   * Collection reads (`GET /contacts`, `GET /incidents`, with or without `q=`) and `queryResults`
   * read a replica this many ms behind: a record shows there that long after its write, a change
   * (a phone added) that long after it, and a deleted record stays that long. Reads by id and
   * sub-collections (`/threads`, `/phones`) are live. @default 0
   */
  searchLagMs?: number;
  /** `crlf`: thread text is stored, and read back, with `\r\n` line ends. @default 'as-sent' */
  threadLineEnds?: 'as-sent' | 'crlf';
  /** `end`: trailing white space of thread text is dropped; `lines`: of every line, too. @default 'none' */
  threadTrim?: 'none' | 'end' | 'lines';
  /** Subjects are stored without leading and trailing white space. @default false */
  subjectTrim?: boolean;
  /** `dropped`: threads sent inline with `POST /incidents` are not stored (a profile that may not add them). @default 'kept' */
  threadsOnCreate?: 'kept' | 'dropped';
  /**
   * The site's clock runs this many ms ahead of the machine's (negative: behind): the times it
   * stamps (`createdTime`, `updatedTime`) and the `q=` comparisons against them. @default 0
   */
  clockOffsetMs?: number;
}

/**
 * Decides faults for requests no listed fault matched (e.g. a seeded random draw in a soak):
 * returns the fault to apply, or undefined for normal handling.
 */
export type FaultPolicy = (request: { readonly method: string; readonly resource: string }) => FaultSpec | undefined;

/** One request the API received, as recorded before any fault or handling. */
export interface RecordedRequest {
  /** As received (a tunnelled PATCH is recorded as POST). */
  method: string;
  /** Full path with query, as received. */
  path: string;
  /** Path after `/services/rest/connect/<ver>`, no query. */
  resource: string;
  query: Record<string, string>;
  /** Lower-case names; the authorization value is replaced by `[redacted]`. */
  headers: Record<string, string>;
  body: string;
  /** What the emulator answered; 0 if dropped or never answered. */
  status: number;
  /** Epoch milliseconds of arrival. */
  at: number;
}

export interface EmulatorPhone {
  number: string;
  /** Digits only, as B2C Service derives it. */
  rawNumber: string;
  phoneType: { id: number; lookupName: string };
}

export interface EmulatorContact {
  id: number;
  name: { first: string | null; last: string | null };
  phones: EmulatorPhone[];
  /** Set only when a write gave one (an integration's marker or foreign id; ≤ 64 characters). */
  externalReference?: string;
  createdTime: string;
  updatedTime: string;
}

export interface EmulatorThread {
  id: number;
  text: string;
  entryType: { id: number; lookupName: string };
  contentType: { id: number; lookupName: string };
  createdTime: string;
}

export interface EmulatorIncident {
  id: number;
  /** `YYMMDD-NNNNNN`; also the incident's `lookupName`. */
  referenceNumber: string;
  subject: string;
  primaryContactId: number;
  threads: EmulatorThread[];
  /** Site custom fields (`customFields.c.<name>`), only those ever written. */
  customFields?: Record<string, string | number | boolean | null>;
  createdTime: string;
  updatedTime: string;
}

export interface EmulatorState {
  contacts: EmulatorContact[];
  incidents: EmulatorIncident[];
}

/** A listening emulator. */
export interface RunningEmulator {
  /** Origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Deep copy of the data. */
  state(): EmulatorState;
  /** Every request to the API (not the admin routes), in order; deep copies. */
  requests(): RecordedRequest[];
  /** Validates and appends a fault; throws on an invalid spec. */
  addFault(f: FaultSpec): void;
  clearFaults(): void;
  /** Consulted for every API request no listed fault matches; undefined turns it off. */
  setFaultPolicy(policy: FaultPolicy | undefined): void;
  /** Replaces the site's quirks (absent keys are off); throws on an invalid setting. */
  setQuirks(quirks: EmulatorQuirks): void;
  /** The quirks in force, every key given. */
  quirks(): Required<EmulatorQuirks>;
  /**
   * A pre-existing contact holding `phone` as its phone of `phoneType` (@default the site's id 1,
   * 'Mobile Phone' on en_US), stored as given: `+14155550101`, or typed by hand, `(415) 555-0101`.
   */
  seedContact(phone: string, phoneType?: string): EmulatorContact;
  /** Clears data, recorded requests, faults and quirks; ids keep increasing. */
  reset(): void;
  /** Stops listening and destroys open and hanging sockets, so it never hangs. */
  close(): Promise<void>;
}
