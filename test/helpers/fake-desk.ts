/**
 * The one in-memory `ServiceDesk` for the workflow's unit tests: a small site (contacts with their
 * phones and markers, incidents with their notes) whose look-ups see what was applied, a log of every
 * call, and per-call faults that are applied to the site or not.
 */
import type { ServiceDesk } from '../../workflows/sms-to-incident.js';

export type DeskCall = keyof ServiceDesk;

/** A call that fails: `applied` = the site made the change, then the answer was an error (a lost answer). */
export interface DeskFault {
  readonly error: Error;
  /** @default false: the write was refused, nothing changed */
  readonly applied?: boolean;
  /** How many calls fail, the first ones; then the call works. @default every call */
  readonly times?: number;
}

export interface FakeContact {
  readonly id: number;
  readonly externalReference?: string;
  readonly phones: string[];
}

export interface FakeIncident {
  readonly id: number;
  readonly referenceNumber: string;
  readonly subject: string;
  readonly primaryContactId: number;
  /** The custom field's value, when the create set one. */
  readonly field?: string;
  readonly notes: string[];
}

export interface FakeDeskOptions {
  /** Contacts on the site before the run (a sender already known: `{ id: 3, phones: [sms.from] }`). */
  readonly contacts?: readonly { id: number; externalReference?: string; phones?: readonly string[] }[];
  /** Incidents on the site before the run (look-alikes an earlier run made). */
  readonly incidents?: readonly (Omit<FakeIncident, 'notes' | 'referenceNumber'> & { notes?: readonly string[] })[];
  /** An `Error` fails every call of that name, unapplied; a `DeskFault` says more. */
  readonly fail?: Partial<Record<DeskCall, Error | DeskFault>>;
}

/** New contacts get ids from 7, new incidents from 42; an incident's reference is `ref-<id>`. */
const FIRST_CONTACT_ID = 7;
const FIRST_INCIDENT_ID = 42;

const notFound = (what: string): Error => Object.assign(new Error(`${what} not found`), { status: 404 });

export function fakeDesk(options: FakeDeskOptions = {}) {
  const site = {
    contacts: (options.contacts ?? []).map(
      (c): FakeContact => ({
        id: c.id,
        ...(c.externalReference !== undefined ? { externalReference: c.externalReference } : {}),
        phones: [...(c.phones ?? [])],
      }),
    ),
    incidents: (options.incidents ?? []).map(
      (i): FakeIncident => ({ ...i, referenceNumber: `ref-${i.id}`, notes: [...(i.notes ?? [])] }),
    ),
  };
  let nextContactId = FIRST_CONTACT_ID;
  let nextIncidentId = FIRST_INCIDENT_ID;
  /** Every call, in order: `name(arguments)`. */
  const log: string[] = [];
  const failures = new Map<DeskCall, { fault: DeskFault; left: number }>();
  for (const [name, f] of Object.entries(options.fail ?? {}) as [DeskCall, Error | DeskFault][]) {
    const fault = f instanceof Error ? { error: f } : f;
    failures.set(name, { fault, left: fault.times ?? Number.POSITIVE_INFINITY });
  }

  /** Logs the call, then applies it unless a fault refuses it; a fault applied answers its error all the same. */
  async function call<T>(name: DeskCall, detail: string, apply: () => T): Promise<T> {
    log.push(`${name}(${detail})`);
    const failure = failures.get(name);
    if (failure === undefined || failure.left <= 0) return apply();
    failure.left -= 1;
    if (failure.fault.applied === true) apply();
    throw failure.fault.error;
  }
  const contact = (id: number): FakeContact => {
    const found = site.contacts.find((c) => c.id === id);
    if (found === undefined) throw notFound(`contact ${id}`);
    return found;
  };
  const incident = (id: number): FakeIncident => {
    const found = site.incidents.find((i) => i.id === id);
    if (found === undefined) throw notFound(`incident ${id}`);
    return found;
  };

  const desk: ServiceDesk = {
    findContactByPhone: (phone) =>
      call('findContactByPhone', phone, () => site.contacts.find((c) => c.phones.includes(phone))?.id),
    createContact: (c) =>
      call('createContact', c.externalReference ?? '', () => {
        const made: FakeContact = {
          id: nextContactId++,
          ...(c.externalReference !== undefined ? { externalReference: c.externalReference } : {}),
          phones: [],
        };
        site.contacts.push(made);
        return { id: made.id };
      }),
    addPhone: (id, phone) =>
      call('addPhone', `${id},${phone}`, () => {
        const phones = contact(id).phones;
        if (!phones.includes(phone)) phones.push(phone);
      }),
    createIncident: (i) =>
      call(
        'createIncident',
        `${i.primaryContactId},${i.subject}${i.customField ? `,${i.customField.name}=${i.customField.value}` : ''}`,
        () => {
          const id = nextIncidentId++;
          const made: FakeIncident = {
            id,
            referenceNumber: `ref-${id}`,
            subject: i.subject,
            primaryContactId: i.primaryContactId,
            ...(i.customField ? { field: i.customField.value } : {}),
            notes: [i.note],
          };
          site.incidents.push(made);
          return { id, referenceNumber: made.referenceNumber };
        },
      ),
    addThread: (id, text) =>
      call('addThread', String(id), () => {
        incident(id).notes.push(text);
      }),
    deleteIncident: (id) =>
      call('deleteIncident', String(id), () => {
        site.incidents.splice(site.incidents.indexOf(incident(id)), 1);
      }),
    deleteContact: (id) =>
      call('deleteContact', String(id), () => {
        site.contacts.splice(site.contacts.indexOf(contact(id)), 1);
      }),
    contactInUse: (id) =>
      call('contactInUse', String(id), () => {
        if (contact(id).phones.length > 0) return { phone: true as const };
        const named = site.incidents.find((i) => i.primaryContactId === id);
        return named === undefined ? undefined : { incidentId: named.id };
      }),
    numberOnContact: (id, phone) =>
      call('numberOnContact', `${id},${phone}`, () => {
        const phones = contact(id).phones;
        return phones.includes(phone) ? 'this' : phones.length > 0 ? 'others' : 'none';
      }),
    findContactByExternalReference: (ref) =>
      call('findContactByExternalReference', ref, () => site.contacts.find((c) => c.externalReference === ref)?.id),
    findIncidents: (q) =>
      call(
        'findIncidents',
        q.customField ? `field=${q.customField.value}` : `${q.primaryContactId},${q.createdSince},${q.subject}`,
        () =>
          site.incidents
            .filter((i) =>
              q.customField
                ? i.field === q.customField.value
                : i.primaryContactId === q.primaryContactId && i.subject === q.subject,
            )
            .map((i) => ({ id: i.id, referenceNumber: i.referenceNumber })),
      ),
    threadTexts: (id) => call('threadTexts', String(id), () => [...incident(id).notes]),
  };
  return { desk, site, log };
}
