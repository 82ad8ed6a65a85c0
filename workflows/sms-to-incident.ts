import type { RetryPolicy, WorkflowDefinition } from '../src/engine/index.js';
import type { InboundSms } from '../src/inbound/index.js';
import { incidentSubject, smsNote } from './sms-content.js';

/**
 * SMS to incident: find or create the sender's contact, open an incident for them and keep
 * the message on it as a note. If a later step fails for good, what this run created is undone.
 */

/** What the workflow needs from the service desk; the B2C Service client provides it. */
export interface ServiceDesk {
  findContactByPhone(phone: string, opts: { signal: AbortSignal }): Promise<number | undefined>;
  createContact(contact: { firstName: string; lastName: string }, opts: { signal: AbortSignal }): Promise<{ id: number }>;
  addPhone(contactId: number, phone: string, opts: { signal: AbortSignal }): Promise<void>;
  createIncident(incident: { subject: string; primaryContactId: number }, opts: { signal: AbortSignal }): Promise<{ id: number; referenceNumber: string }>;
  addNote(incidentId: number, text: string, opts: { signal: AbortSignal }): Promise<void>;
  deleteIncident(incidentId: number, opts: { signal: AbortSignal }): Promise<void>;
  deleteContact(contactId: number, opts: { signal: AbortSignal }): Promise<void>;
}

export interface SmsToIncidentState {
  readonly sms: InboundSms;
  readonly contactId?: number;
  /** True only when this run created the contact: only then may it delete it. */
  readonly contactCreated?: boolean;
  readonly incidentId?: number;
  readonly referenceNumber?: string;
  /** Epoch ms the run first started: anything it may have created is at least this recent. */
  readonly runStartedAt?: number;
  /** An earlier execution of this run may have sent writes whose outcome is unknown (crash, take-over). */
  readonly recovering?: boolean;
}

export const STEP = {
  lookupContact: 'lookup-contact',
  createContact: 'create-contact',
  addPhone: 'add-phone',
  createIncident: 'create-incident',
  addThread: 'add-thread',
} as const;

/** Reads are safe to repeat: retry quickly. */
const read: RetryPolicy = { initialDelayMs: 200, multiplier: 2, maxDelayMs: 2_000, maxAttempts: 4 };
/** Writes follow Oracle's throttling advice: about 1 s, 2 s, 4 s, with jitter. */
const write: RetryPolicy = { initialDelayMs: 1_000, multiplier: 2, maxDelayMs: 4_000, maxAttempts: 3 };
/** Undoing matters more than speed. */
const undo: RetryPolicy = { initialDelayMs: 500, multiplier: 2, maxDelayMs: 2_000, maxAttempts: 4 };

/** One B2C call should take well under a second; beyond this the attempt is abandoned. */
const CALL_TIMEOUT_MS = 8_000;

function known<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing from the run state`);
  return value;
}

export function smsToIncident(desk: ServiceDesk): WorkflowDefinition<SmsToIncidentState> {
  return {
    name: 'sms-to-incident',
    steps: [
      {
        name: STEP.lookupContact,
        retry: read,
        timeoutMs: CALL_TIMEOUT_MS,
        run: async ({ sms }, ctx) => {
          const contactId = await desk.findContactByPhone(sms.from, ctx);
          return contactId === undefined ? {} : { contactId, contactCreated: false };
        },
      },
      {
        name: STEP.createContact,
        when: (s) => s.contactId === undefined,
        retry: write,
        timeoutMs: CALL_TIMEOUT_MS,
        run: async (_, ctx) => {
          const contact = await desk.createContact({ firstName: 'SMS', lastName: 'User' }, ctx);
          return { contactId: contact.id, contactCreated: true };
        },
        compensate: (s, ctx) => desk.deleteContact(known(s.contactId, 'contactId'), ctx),
        compensationRetry: undo,
      },
      {
        name: STEP.addPhone,
        when: (s) => s.contactCreated === true,
        retry: write,
        timeoutMs: CALL_TIMEOUT_MS,
        run: async (s, ctx) => {
          await desk.addPhone(known(s.contactId, 'contactId'), s.sms.from, ctx);
        },
      },
      {
        name: STEP.createIncident,
        retry: write,
        timeoutMs: CALL_TIMEOUT_MS,
        run: async (s, ctx) => {
          const incident = await desk.createIncident({ subject: incidentSubject(s.sms), primaryContactId: known(s.contactId, 'contactId') }, ctx);
          return { incidentId: incident.id, referenceNumber: incident.referenceNumber };
        },
        compensate: (s, ctx) => desk.deleteIncident(known(s.incidentId, 'incidentId'), ctx),
        compensationRetry: undo,
      },
      {
        name: STEP.addThread,
        retry: write,
        timeoutMs: CALL_TIMEOUT_MS,
        run: async (s, ctx) => {
          await desk.addNote(known(s.incidentId, 'incidentId'), smsNote(s.sms), ctx);
        },
      },
    ],
  };
}
