/**
 * The emulated site's data: contacts with typed phones, incidents with threads. Inputs arrive
 * validated (see `bodies.ts`); the store only applies them. Ids never restart, not even on
 * `clear()`, so a test can never confuse an object from before a reset with one after it.
 */
import type { NamedId } from './catalog.js';
import { type ReplicaView, LaggingReplica, type StoredObject } from './replica.js';
import type { EmulatorContact, EmulatorIncident, EmulatorState, EmulatorThread } from './types.js';

export interface PhoneWrite {
  readonly number: string;
  readonly phoneType: NamedId;
}

export interface ContactWrite {
  readonly name?: { readonly first?: string | null; readonly last?: string | null };
  readonly phones?: readonly PhoneWrite[];
  readonly externalReference?: string | null;
}

export interface NewThread {
  readonly text: string;
  readonly entryType: NamedId;
  readonly contentType: NamedId;
}

/** A thread entry with an `id` edits that thread; without one it is appended. */
export interface ThreadEdit {
  readonly id: number;
  readonly text?: string;
  readonly entryType?: NamedId;
  readonly contentType?: NamedId;
}

export interface NewIncident {
  readonly subject?: string;
  readonly primaryContactId: number;
  readonly threads?: readonly NewThread[];
  readonly customFields?: Readonly<Record<string, string | number | boolean | null>>;
}

export interface IncidentWrite {
  readonly subject?: string;
  readonly primaryContactId?: number;
  readonly threads?: readonly (NewThread | ThreadEdit)[];
  /** Merged into the incident's custom fields. */
  readonly customFields?: Readonly<Record<string, string | number | boolean | null>>;
}

export function isThreadEdit(entry: NewThread | ThreadEdit): entry is ThreadEdit {
  return (entry as Partial<ThreadEdit>).id !== undefined;
}

/** Connect renders times as ISO-8601 UTC with whole seconds: `2013-08-21T20:30:18Z`. */
export function connectTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A contact's `lookupName` is its full name; null when it has none. */
export function contactLookupName(contact: EmulatorContact): string | null {
  const full = [contact.name.first, contact.name.last].filter((part): part is string => !!part).join(' ');
  return full === '' ? null : full;
}

export class EmulatorStore implements ReplicaView {
  readonly #contacts = new Map<number, EmulatorContact>();
  readonly #incidents = new Map<number, EmulatorIncident>();
  readonly #now: () => Date;
  readonly #replica = new LaggingReplica();
  #searchLagMs = 0;
  // Distinct ranges so a contact id passed where an incident id belongs shows up as a 404.
  #nextContactId = 101;
  #nextIncidentId = 1001;
  #nextThreadId = 5001;
  #referenceCounter = 0;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  /** Searches see the data as it was `ms` ago from now on (0: live). */
  setSearchLag(ms: number): void {
    this.#searchLagMs = ms;
    if (ms === 0) this.#replica.clear();
  }

  /** What a search reads: the live data, or the lagging replica. */
  searchView(): ReplicaView {
    if (this.#searchLagMs === 0) return this;
    const at = this.#now().getTime() - this.#searchLagMs;
    this.#replica.prune(at);
    return this.#replica.view(this, at);
  }

  contacts(): EmulatorContact[] {
    return [...this.#contacts.values()];
  }

  contact(id: number): EmulatorContact | undefined {
    return this.#contacts.get(id);
  }

  incidents(): EmulatorIncident[] {
    return [...this.#incidents.values()];
  }

  incident(id: number): EmulatorIncident | undefined {
    return this.#incidents.get(id);
  }

  createContact(write: ContactWrite): EmulatorContact {
    const now = connectTime(this.#now());
    const contact: EmulatorContact = {
      id: this.#nextContactId++,
      name: { first: write.name?.first ?? null, last: write.name?.last ?? null },
      phones: [],
      createdTime: now,
      updatedTime: now,
    };
    for (const phone of write.phones ?? []) setPhone(contact, phone);
    if (typeof write.externalReference === 'string') contact.externalReference = write.externalReference;
    this.#contacts.set(contact.id, contact);
    this.#changed('contact', contact.id, null, contact);
    return contact;
  }

  updateContact(contact: EmulatorContact, write: ContactWrite): void {
    const before = this.#before(contact);
    if (write.name?.first !== undefined) contact.name.first = write.name.first;
    if (write.name?.last !== undefined) contact.name.last = write.name.last;
    for (const phone of write.phones ?? []) setPhone(contact, phone);
    if (write.externalReference === null) delete contact.externalReference;
    else if (write.externalReference !== undefined) contact.externalReference = write.externalReference;
    contact.updatedTime = connectTime(this.#now());
    this.#changed('contact', contact.id, before, contact);
  }

  /** Also deletes the incidents whose primary contact it is, as a regular (non-bulk) delete does. */
  deleteContact(id: number): boolean {
    const contact = this.#contacts.get(id);
    if (contact === undefined) return false;
    this.#contacts.delete(id);
    this.#changed('contact', id, contact, null);
    for (const incident of this.#incidents.values()) {
      if (incident.primaryContactId === id) this.deleteIncident(incident.id);
    }
    return true;
  }

  createIncident(write: NewIncident): EmulatorIncident {
    const created = this.#now();
    const now = connectTime(created);
    const incident: EmulatorIncident = {
      id: this.#nextIncidentId++,
      referenceNumber: this.#referenceNumber(created),
      subject: write.subject ?? '',
      primaryContactId: write.primaryContactId,
      ...(write.customFields === undefined ? {} : { customFields: { ...write.customFields } }),
      threads: (write.threads ?? []).map((t) => this.#thread(t, now)),
      createdTime: now,
      updatedTime: now,
    };
    this.#incidents.set(incident.id, incident);
    this.#changed('incident', incident.id, null, incident);
    return incident;
  }

  /** Thread edits must name existing threads: the caller checks, so a failed PATCH changes nothing. */
  updateIncident(incident: EmulatorIncident, write: IncidentWrite): void {
    const before = this.#before(incident);
    const now = connectTime(this.#now());
    if (write.subject !== undefined) incident.subject = write.subject;
    if (write.primaryContactId !== undefined) incident.primaryContactId = write.primaryContactId;
    if (write.customFields !== undefined) incident.customFields = { ...incident.customFields, ...write.customFields };
    for (const entry of write.threads ?? []) {
      if (isThreadEdit(entry)) {
        const thread = incident.threads.find((t) => t.id === entry.id);
        if (thread === undefined) continue;
        if (entry.text !== undefined) thread.text = entry.text;
        if (entry.entryType !== undefined) thread.entryType = { ...entry.entryType };
        if (entry.contentType !== undefined) thread.contentType = { ...entry.contentType };
      } else {
        incident.threads.push(this.#thread(entry, now));
      }
    }
    incident.updatedTime = now;
    this.#changed('incident', incident.id, before, incident);
  }

  deleteIncident(id: number): boolean {
    const incident = this.#incidents.get(id);
    if (incident === undefined) return false;
    this.#incidents.delete(id);
    this.#changed('incident', id, incident, null);
    return true;
  }

  snapshot(): EmulatorState {
    return structuredClone({ contacts: this.contacts(), incidents: this.incidents() });
  }

  clear(): void {
    this.#contacts.clear();
    this.#incidents.clear();
    this.#replica.clear();
  }

  /** A copy of an object about to change, only while a replica needs it. */
  #before<T>(obj: T): T | null {
    return this.#searchLagMs === 0 ? null : structuredClone(obj);
  }

  #changed<K extends 'contact' | 'incident'>(
    kind: K,
    id: number,
    before: StoredObject<K> | null,
    after: StoredObject<K> | null,
  ): void {
    if (this.#searchLagMs !== 0) this.#replica.record(kind, id, before, after, this.#now().getTime());
  }

  #thread(t: NewThread, now: string): EmulatorThread {
    return {
      id: this.#nextThreadId++,
      text: t.text,
      entryType: { ...t.entryType },
      contentType: { ...t.contentType },
      createdTime: now,
    };
  }

  /** `YYMMDD-NNNNNN`: the creation date (UTC) and a site-wide counter. */
  #referenceNumber(date: Date): string {
    this.#referenceCounter += 1;
    const ymd = date.toISOString().slice(2, 10).replace(/-/g, '');
    return `${ymd}-${String(this.#referenceCounter).padStart(6, '0')}`;
  }
}

/** One phone per type: a second phone of a type overwrites the first (phones are typed columns). */
function setPhone(contact: EmulatorContact, phone: PhoneWrite): void {
  const stored = {
    number: phone.number,
    rawNumber: phone.number.replace(/\D/g, ''),
    phoneType: { ...phone.phoneType },
  };
  const index = contact.phones.findIndex((p) => p.phoneType.id === phone.phoneType.id);
  if (index === -1) contact.phones.push(stored);
  else contact.phones[index] = stored;
}
