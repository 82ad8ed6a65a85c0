import { systemClock, type AttemptContext, type Clock, type RetryPolicy, type WorkflowDefinition } from '../src/engine/index.js';
import type { InboundSms } from '../src/inbound/index.js';
import { incidentSubject, smsNote } from './sms-content.js';

/**
 * SMS to incident: find or create the sender's contact, open an incident for them and keep
 * the message on it as a note. If a later step fails for good, what this run created is undone.
 */

/** What the workflow needs from the service desk; the B2C Service client provides it. */
export interface ServiceDesk {
  findContactByPhone(phone: string, opts: { signal: AbortSignal }): Promise<number | undefined>;
  createContact(contact: { firstName: string; lastName: string; externalReference?: string }, opts: { signal: AbortSignal }): Promise<{ id: number }>;
  addPhone(contactId: number, phone: string, opts: { signal: AbortSignal }): Promise<void>;
  createIncident(
    incident: { subject: string; primaryContactId: number; customField?: { name: string; value: string } },
    opts: { signal: AbortSignal },
  ): Promise<{ id: number; referenceNumber: string }>;
  addNote(incidentId: number, text: string, opts: { signal: AbortSignal }): Promise<void>;
  deleteIncident(incidentId: number, opts: { signal: AbortSignal }): Promise<void>;
  deleteContact(contactId: number, opts: { signal: AbortSignal }): Promise<void>;
  /** Reconciliation look-ups, used only when an earlier write's outcome is unknown. */
  findContactByExternalReference(externalReference: string, opts: { signal: AbortSignal }): Promise<number | undefined>;
  findIncidents(
    query: { customField?: { name: string; value: string }; primaryContactId: number; createdSince: string; subject: string },
    opts: { signal: AbortSignal },
  ): Promise<{ id: number; referenceNumber: string }[]>;
  threadTexts(incidentId: number, opts: { signal: AbortSignal }): Promise<string[]>;
}

export interface SmsToIncidentOptions {
  /** Incident custom field (`customFields.c.<name>`) that receives the message id: exact reconciliation. */
  readonly incidentSmsField?: string;
  /** The run's clock, the one the engine is given. @default systemClock */
  readonly clock?: Pick<Clock, 'now'>;
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

/** Connect compares times to the second; B2C Service's clock may run behind ours. */
const CLOCK_SKEW_MS = 60_000;
/** Without a run start (a run outside the journal), look back this far. */
const DEFAULT_LOOKBACK_MS = 15 * 60_000;

/**
 * Whether a write of this step may already have been applied: an earlier execution of the run
 * was cut off (crash, take-over), or the previous attempt's outcome is unknown (its answer was
 * lost, or it timed out). Errors that say they were not applied (`ambiguous: false`) do not count.
 */
export function mayHaveApplied(state: Pick<SmsToIncidentState, 'recovering'>, ctx: Pick<AttemptContext, 'previousError'>): boolean {
  if (state.recovering === true) return true;
  const previous = ctx.previousError;
  if (previous === undefined) return false;
  return (previous as { ambiguous?: unknown }).ambiguous !== false;
}

/** The `externalReference` a contact created by this run carries, to find it again. */
export function contactMarker(runId: string): string {
  return `sms-incident:${runId}`;
}

/** ISO-8601 to the second, as Connect renders and compares times. */
function connectTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function known<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing from the run state`);
  return value;
}

export function smsToIncident(desk: ServiceDesk, options: SmsToIncidentOptions = {}): WorkflowDefinition<SmsToIncidentState> {
  const clock = options.clock ?? systemClock;
  const smsField = (s: SmsToIncidentState): { name: string; value: string } | undefined =>
    options.incidentSmsField === undefined ? undefined : { name: options.incidentSmsField, value: s.sms.messageId };
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
        run: async (s, ctx) => {
          const externalReference = contactMarker(ctx.runId);
          if (mayHaveApplied(s, ctx)) {
            const found = await desk.findContactByExternalReference(externalReference, ctx);
            if (found !== undefined) return { contactId: found, contactCreated: true };
          }
          const contact = await desk.createContact({ firstName: 'SMS', lastName: 'User', externalReference }, ctx);
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
          const subject = incidentSubject(s.sms);
          const primaryContactId = known(s.contactId, 'contactId');
          const customField = smsField(s);
          if (mayHaveApplied(s, ctx)) {
            // Adopt what a lost answer created rather than create a second incident.
            const since = s.runStartedAt === undefined ? clock.now() - DEFAULT_LOOKBACK_MS : s.runStartedAt - CLOCK_SKEW_MS;
            const [found] = await desk.findIncidents({ ...(customField ? { customField } : {}), primaryContactId, createdSince: connectTime(since), subject }, ctx);
            if (found !== undefined) return { incidentId: found.id, referenceNumber: found.referenceNumber };
          }
          const incident = await desk.createIncident({ subject, primaryContactId, ...(customField ? { customField } : {}) }, ctx);
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
          const incidentId = known(s.incidentId, 'incidentId');
          const note = smsNote(s.sms);
          if (mayHaveApplied(s, ctx) && (await desk.threadTexts(incidentId, ctx)).includes(note)) return;
          await desk.addNote(incidentId, note, ctx);
        },
      },
    ],
  };
}
