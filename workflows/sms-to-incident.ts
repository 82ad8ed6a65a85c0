import {
  appliedMaybe,
  type AttemptContext,
  type RetryPolicy,
  type UndoEffect,
  type WorkflowDefinition,
} from '../src/engine/index.js';
import type { InboundSms } from '../src/inbound/index.js';
import { incidentSubject, noteMessageId, smsNote } from './sms-content.js';

/**
 * SMS to incident: find or create the sender's contact, open an incident for them and keep
 * the message on it as a note. If a later step fails for good, what this run created is undone.
 */

/** What the workflow needs from the service desk; the B2C Service client provides it. */
export interface ServiceDesk {
  findContactByPhone(phone: string, opts: { signal: AbortSignal }): Promise<number | undefined>;
  createContact(
    contact: { firstName: string; lastName: string; externalReference?: string },
    opts: { signal: AbortSignal },
  ): Promise<{ id: number }>;
  addPhone(contactId: number, phone: string, opts: { signal: AbortSignal }): Promise<void>;
  createIncident(
    incident: { subject: string; primaryContactId: number; customField?: { name: string; value: string } },
    opts: { signal: AbortSignal },
  ): Promise<{ id: number; referenceNumber: string }>;
  addThread(incidentId: number, text: string, opts: { signal: AbortSignal }): Promise<void>;
  deleteIncident(incidentId: number, opts: { signal: AbortSignal }): Promise<void>;
  deleteContact(contactId: number, opts: { signal: AbortSignal }): Promise<void>;
  /**
   * Why anyone but the run that created it can rely on the contact: it carries a phone (a look-up by
   * number finds it) or is an incident's primary contact; undefined when nobody can.
   */
  contactInUse(
    contactId: number,
    opts: { signal: AbortSignal },
  ): Promise<{ readonly phone: true } | { readonly incidentId: number } | undefined>;
  /** Reconciliation look-ups, used only when an earlier write's outcome is unknown. */
  findContactByExternalReference(externalReference: string, opts: { signal: AbortSignal }): Promise<number | undefined>;
  findIncidents(
    query: {
      customField?: { name: string; value: string };
      primaryContactId: number;
      createdSince: string;
      subject: string;
    },
    opts: { signal: AbortSignal },
  ): Promise<{ id: number; referenceNumber: string }[]>;
  threadTexts(incidentId: number, opts: { signal: AbortSignal }): Promise<string[]>;
}

export interface SmsToIncidentOptions {
  /** Incident custom field (`customFields.c.<name>`) that receives the message id: exact reconciliation. */
  readonly incidentSmsField?: string;
  /** Timeout of one B2C Service call (clamped to the run's budget). @default 8000 */
  readonly callTimeoutMs?: number;
  /**
   * How long after we abandon a write (timeout, crash) B2C Service may still apply it. Until then
   * a reconcile read that finds nothing proves nothing: the write is not sent again. @default 10000
   */
  readonly lateWriteWindowMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
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
  /** Epoch ms an earlier execution last abandoned a write in flight (timeout, crash), when it did. */
  readonly abandonedAt?: number;
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
export const CALL_TIMEOUT_MS = 8_000;
/** @see SmsToIncidentOptions.lateWriteWindowMs */
export const LATE_WRITE_WINDOW_MS = 10_000;

/** Connect compares times to the second; B2C Service's clock may run behind ours. */
const CLOCK_SKEW_MS = 60_000;
/** Without a run start (a run outside the journal), look back this far. */
const DEFAULT_LOOKBACK_MS = 15 * 60_000;

/** Errors that leave the write's outcome unknown: all but those that say it was not applied (the engine's contract). */
function leftUnknown(error: unknown): boolean {
  return appliedMaybe(error) !== false;
}

/**
 * Errors after which the request may still be on its way or in progress at B2C Service: we gave
 * up waiting (our timeout) or a gateway did (502/504). A connection the server side closed
 * (reset after the commit) has finished: what it did is visible at once.
 */
export function mayStillApply(error: unknown): boolean {
  const e = error as { name?: unknown; kind?: unknown; status?: unknown } | undefined;
  if (e?.name === 'AttemptTimeoutError' || e?.kind === 'timeout') return true;
  return appliedMaybe(error) === true && (e?.status === 502 || e?.status === 504);
}

/**
 * Whether a write of this step may already have been applied: an earlier execution of the run
 * was cut off (crash, take-over, restart), or an earlier attempt of this step left its outcome
 * unknown (answer lost, timeout). It stays unknown, whatever later attempts met (a failed
 * reconcile read included), until a reconcile read succeeds within an attempt.
 */
export function mayHaveApplied(
  state: Pick<SmsToIncidentState, 'recovering'>,
  ctx: Pick<AttemptContext, 'earlierAttempts'>,
): boolean {
  if (state.recovering === true) return true;
  return ctx.earlierAttempts.some((a) => leftUnknown(a.error));
}

/** Epoch ms after which an abandoned write can no longer land: a reconcile read that finds nothing then means "not applied". */
export function settledAt(
  state: Pick<SmsToIncidentState, 'recovering' | 'abandonedAt'>,
  ctx: Pick<AttemptContext, 'earlierAttempts'>,
  windowMs: number,
): number {
  const abandoned = ctx.earlierAttempts.filter((a) => mayStillApply(a.error)).map((a) => a.endedAt);
  if (state.recovering === true && state.abandonedAt !== undefined) abandoned.push(state.abandonedAt);
  return abandoned.length === 0 ? 0 : Math.max(...abandoned) + windowMs;
}

/**
 * A write whose earlier attempt may still be applied: reading now proves nothing, so nothing is
 * sent until `retryAfterMs` has passed. Retryable, and says the write was not sent.
 */
export class OutcomeInDoubtError extends Error {
  override readonly name = 'OutcomeInDoubtError';
  readonly code = 'OutcomeInDoubt';
  readonly retryable = true;
  readonly ambiguous = false;
  constructor(
    readonly step: string,
    readonly retryAfterMs: number,
    reason: string,
  ) {
    super(`${step}: ${reason}; not sent again for ${Math.ceil(retryAfterMs)} ms`);
  }
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

/** A delete whose object is already gone (an earlier attempt's lost answer) has done its job. */
async function deleted(remove: () => Promise<void>): Promise<UndoEffect> {
  try {
    await remove();
    return { effect: 'deleted' };
  } catch (error) {
    if ((error as { status?: unknown } | undefined)?.status === 404) return { effect: 'already-gone' };
    throw error;
  }
}

export function smsToIncident(
  desk: ServiceDesk,
  options: SmsToIncidentOptions = {},
): WorkflowDefinition<SmsToIncidentState> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.callTimeoutMs ?? CALL_TIMEOUT_MS;
  const windowMs = options.lateWriteWindowMs ?? LATE_WRITE_WINDOW_MS;
  const smsField = (s: SmsToIncidentState): { name: string; value: string } | undefined =>
    options.incidentSmsField === undefined ? undefined : { name: options.incidentSmsField, value: s.sms.messageId };

  /**
   * Exactly once for one write: when an earlier try may have applied it, read first and adopt
   * what it made; write only once a read has shown nothing and nothing abandoned can still land.
   */
  async function once<T>(
    step: string,
    s: SmsToIncidentState,
    ctx: AttemptContext,
    find: () => Promise<T | undefined>,
    send: () => Promise<T>,
  ): Promise<T> {
    if (mayHaveApplied(s, ctx)) {
      const found = await find();
      if (found !== undefined) return found;
      const waitMs = settledAt(s, ctx, windowMs) - now();
      if (waitMs > 0) throw new OutcomeInDoubtError(step, waitMs, 'an abandoned write may still be applied');
    }
    return send();
  }

  /**
   * This message's incident among look-alikes (same contact and subject, recent): the one whose
   * note is this message's; else the only one with no note of ours yet. An incident noting another
   * message is never ours. Several unclaimed look-alikes cannot be told apart: wait for their notes.
   */
  async function findOurIncident(
    s: SmsToIncidentState,
    ctx: AttemptContext,
  ): Promise<{ incidentId: number; referenceNumber: string } | undefined> {
    const customField = smsField(s);
    const since = s.runStartedAt === undefined ? now() - DEFAULT_LOOKBACK_MS : s.runStartedAt - CLOCK_SKEW_MS;
    const candidates = await desk.findIncidents(
      {
        ...(customField ? { customField } : {}),
        primaryContactId: known(s.contactId, 'contactId'),
        createdSince: connectTime(since),
        subject: incidentSubject(s.sms),
      },
      ctx,
    );
    if (candidates.length === 0) return undefined;
    const note = smsNote(s.sms);
    const ours: typeof candidates = [];
    const unclaimed: typeof candidates = [];
    for (const candidate of candidates) {
      const texts = await desk.threadTexts(candidate.id, ctx);
      if (texts.includes(note)) ours.push(candidate);
      else if (!texts.some((t) => noteMessageId(t) !== undefined)) unclaimed.push(candidate);
    }
    // With the custom field every candidate is this message's: keep one, undo the others.
    const exact = customField !== undefined;
    const keep = ours[0] ?? (exact || unclaimed.length === 1 ? unclaimed[0] : undefined);
    if (keep === undefined) {
      if (unclaimed.length > 1)
        throw new OutcomeInDoubtError(
          STEP.createIncident,
          1_000,
          `${unclaimed.length} look-alike incidents without a note`,
        );
      return undefined;
    }
    const extras = [...ours, ...(exact ? unclaimed : [])].filter((c) => c.id !== keep.id);
    for (const extra of extras) await deleted(() => desk.deleteIncident(extra.id, ctx));
    return { incidentId: keep.id, referenceNumber: keep.referenceNumber };
  }

  /** Deletes a contact this run created, unless someone can have found it (it has a phone or an incident). */
  async function deleteUnusedContact(contactId: number, ctx: AttemptContext): Promise<UndoEffect> {
    let use;
    try {
      use = await desk.contactInUse(contactId, ctx);
    } catch (error) {
      if ((error as { status?: unknown } | undefined)?.status === 404) return { effect: 'already-gone' };
      throw error;
    }
    if (use === undefined) return deleted(() => desk.deleteContact(contactId, ctx));
    return {
      effect: 'kept',
      reason:
        'phone' in use
          ? 'it carries the number: a look-up finds it, other messages may use it'
          : `it is the primary contact of incident ${use.incidentId}`,
    };
  }

  /** The contact an earlier execution of this run created, when the look-up now finds another: deleted if unused. */
  async function dropOwnUnusedContact(found: number, ctx: AttemptContext): Promise<void> {
    const own = await desk.findContactByExternalReference(contactMarker(ctx.runId), ctx);
    if (own !== undefined && own !== found) await deleteUnusedContact(own, ctx);
  }

  return {
    name: 'sms-to-incident',
    steps: [
      {
        name: STEP.lookupContact,
        reads: true,
        retry: read,
        timeoutMs,
        run: async (s, ctx) => {
          const contactId = await desk.findContactByPhone(s.sms.from, ctx);
          if (contactId === undefined) return {};
          // An earlier execution may have created our own contact and died before giving it the
          // number; another message has made the number's contact since. Ours is then an orphan.
          if (s.recovering === true) await dropOwnUnusedContact(contactId, ctx);
          return { contactId, contactCreated: false };
        },
      },
      {
        name: STEP.createContact,
        when: (s) => s.contactId === undefined,
        retry: write,
        timeoutMs,
        run: (s, ctx) => {
          const externalReference = contactMarker(ctx.runId);
          return once(
            STEP.createContact,
            s,
            ctx,
            async () => {
              const found = await desk.findContactByExternalReference(externalReference, ctx);
              return found === undefined ? undefined : { contactId: found, contactCreated: true };
            },
            async () => ({
              contactId: (await desk.createContact({ firstName: 'SMS', lastName: 'User', externalReference }, ctx)).id,
              contactCreated: true,
            }),
          );
        },
        // Once it carries the number (or an incident), another message may have found and used it:
        // DELETE would take their incidents with it. Only a contact nobody can have found goes.
        compensate: (s, ctx) => deleteUnusedContact(known(s.contactId, 'contactId'), ctx),
        compensationRetry: undo,
      },
      {
        name: STEP.addPhone,
        when: (s) => s.contactCreated === true,
        retry: write,
        timeoutMs,
        // Setting the phone of a type is idempotent: repeating it is safe.
        run: async (s, ctx) => {
          await desk.addPhone(known(s.contactId, 'contactId'), s.sms.from, ctx);
        },
      },
      {
        name: STEP.createIncident,
        retry: write,
        timeoutMs,
        run: (s, ctx) => {
          const customField = smsField(s);
          return once(
            STEP.createIncident,
            s,
            ctx,
            () => findOurIncident(s, ctx),
            async () => {
              const incident = await desk.createIncident(
                {
                  subject: incidentSubject(s.sms),
                  primaryContactId: known(s.contactId, 'contactId'),
                  ...(customField ? { customField } : {}),
                },
                ctx,
              );
              return { incidentId: incident.id, referenceNumber: incident.referenceNumber };
            },
          );
        },
        compensate: (s, ctx) => deleted(() => desk.deleteIncident(known(s.incidentId, 'incidentId'), ctx)),
        compensationRetry: undo,
      },
      {
        name: STEP.addThread,
        retry: write,
        timeoutMs,
        run: async (s, ctx) => {
          const incidentId = known(s.incidentId, 'incidentId');
          const note = smsNote(s.sms);
          await once(
            STEP.addThread,
            s,
            ctx,
            async () => ((await desk.threadTexts(incidentId, ctx)).includes(note) ? true : undefined),
            async () => {
              await desk.addThread(incidentId, note, ctx);
              return true;
            },
          );
        },
      },
    ],
  };
}
