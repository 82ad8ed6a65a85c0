import type { AttemptContext, RetryPolicy, UndoEffect, WorkflowDefinition } from '../src/engine/index.js';
import type { InboundSms } from '../src/inbound/index.js';
import { incidentSubject, noteId, noteMessageId, smsNote } from './sms-content.js';

/**
 * SMS to incident: find or create the sender's contact, open an incident for them and keep
 * the message on it as a note. If a later step fails for good, what this run created is undone.
 *
 * The note is created with the incident, in one request: B2C Service cannot delete a thread, so a
 * note sent on its own and applied late (after the run gave up on it and sent it again) would stay
 * twice for good; an incident applied late is a whole duplicate, which can be found and deleted.
 */

/** What the workflow needs from the service desk; the B2C Service client provides it. */
export interface ServiceDesk {
  findContactByPhone(phone: string, opts: { signal: AbortSignal }): Promise<number | undefined>;
  createContact(
    contact: { firstName: string; lastName: string; externalReference?: string },
    opts: { signal: AbortSignal },
  ): Promise<{ id: number }>;
  addPhone(contactId: number, phone: string, opts: { signal: AbortSignal }): Promise<void>;
  /** Creates the incident with `note` as its first thread, in one atomic request. */
  createIncident(
    incident: {
      subject: string;
      primaryContactId: number;
      customField?: { name: string; value: string };
      note: string;
    },
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
  /** Whether the contact carries this number (matched as the look-up matches), only other numbers, or none. */
  numberOnContact(contactId: number, phone: string, opts: { signal: AbortSignal }): Promise<'this' | 'others' | 'none'>;
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

/**
 * Create-only facts kept beside B2C Service (the run journal), which B2C Service cannot hold: who
 * owns an incident, which contact this function made for a number. A fact once written never
 * changes, so two runs can never both win it.
 */
export interface Ledger {
  /** Claims the incident for the run (create-only); answers the run that holds it now: this one or another. */
  claimIncident(incidentId: number, runId: string): Promise<string>;
  /**
   * Records the contact made for the number (create-only); answers the contact that holds the number now.
   * `replacing`: the contact the ledger named, found gone (deleted or merged away by an agent).
   */
  recordContact(phone: string, contactId: number, replacing?: number): Promise<number>;
  /** The contact this function made for the number last, when it made one. */
  contactFor(phone: string): Promise<number | undefined>;
}

export interface SmsToIncidentOptions {
  /** Incident custom field (`customFields.c.<name>`) that receives the message id: exact reconciliation. */
  readonly incidentSmsField?: string;
  /** Timeout of one B2C Service call (clamped to the run's budget). @default 8000 */
  readonly callTimeoutMs?: number;
  /**
   * How long after we abandon a write (timeout, dropped connection, crash) B2C Service may still
   * apply it. Until then a reconcile read that finds nothing proves nothing: the write is not sent
   * again. @default 10000
   */
  readonly lateWriteWindowMs?: number;
  /** How long a new record may take to show in `q=` searches: a reconcile keeps looking this long. @default 2000 */
  readonly searchLagMs?: number;
  /** Incident adoption and number → contact facts; without it, look-alikes are told apart by their notes only. */
  readonly ledger?: Ledger;
  /** @default Date.now */
  readonly now?: () => number;
}

/** The business state: the message and what the steps made of it. Recovery facts come through `ctx.run`. */
export interface SmsToIncidentState {
  readonly sms: InboundSms;
  readonly contactId?: number;
  /** True only when this run created the contact: only then may it delete it. */
  readonly contactCreated?: boolean;
  /** The contact was known only from the ledger (a search did not show it): it may still lack the number. */
  readonly contactNeedsPhone?: boolean;
  /** The contact the ledger named for the number is gone: the one this run makes replaces it there. */
  readonly replacesContactId?: number;
  readonly incidentId?: number;
  readonly referenceNumber?: string;
  /** The incident carries this message's note: created with it, or found with it. */
  readonly noted?: boolean;
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
/** @see SmsToIncidentOptions.searchLagMs */
export const SEARCH_LAG_MS = 2_000;

/**
 * How far B2C Service's clock may run behind ours: a reconcile looks for incidents created since
 * the run started less this (Connect compares times to the second). `doctor` measures the site's.
 */
export const CLOCK_SKEW_MS = 60_000;

/**
 * Whether a write of this step may already have been applied: an earlier execution of the run
 * was cut off (crash, take-over, restart), or an earlier attempt of this step left it in doubt.
 * It stays in doubt, whatever later attempts met (a failed reconcile read included), until a
 * reconcile read succeeds within an attempt.
 */
export function inDoubt(ctx: Pick<AttemptContext, 'earlierAttempts' | 'run'>): boolean {
  return ctx.run.recovering || ctx.earlierAttempts.some((a) => a.inDoubt !== false);
}

/**
 * Epoch ms after which a reconcile read that finds nothing means "not applied": every write in
 * doubt has either landed or can no longer land (`windowMs` after it was abandoned in flight), and
 * the searches show it (`lagMs` later). A recovering run's earlier writes all ended when its
 * earlier executions did (a failed one's final record), or at the latest when this one started.
 */
export function settledAt(
  ctx: Pick<AttemptContext, 'earlierAttempts' | 'run'>,
  windowMs: number,
  lagMs: number,
): number {
  const ends = ctx.earlierAttempts
    .filter((a) => a.inDoubt !== false)
    .map((a) => a.endedAt + (a.inDoubt === 'in-flight' ? windowMs : 0));
  if (ctx.run.recovering) {
    ends.push(ctx.run.earlierExecutionsEndedAt ?? ctx.run.executionStartedAt);
    if (ctx.run.abandonedAt !== undefined) ends.push(ctx.run.abandonedAt + windowMs);
  }
  return ends.length === 0 ? 0 : Math.max(...ends) + lagMs;
}

/**
 * A write whose earlier attempt may still land or not show yet: reading now proves nothing, so
 * nothing is sent until `retryAfterMs` has passed. Retryable, and says the write was not sent.
 */
export class OutcomeInDoubtError extends Error {
  override readonly name = 'OutcomeInDoubtError';
  readonly code = 'OutcomeInDoubt';
  readonly retryable = true;
  readonly inDoubt = false as const;
  readonly retryAfterMs: number;
  constructor(
    readonly step: string,
    retryAfterMs: number,
    reason: string,
  ) {
    super(`${step}: ${reason}; not sent again for ${Math.ceil(retryAfterMs)} ms`);
    this.retryAfterMs = Math.max(0, retryAfterMs);
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

/** B2C Service's answer for a record that does not exist (any more). */
function gone(error: unknown): boolean {
  return (error as { status?: unknown } | undefined)?.status === 404;
}

/** A delete whose object is already gone (an earlier attempt's lost answer) has done its job. */
async function deleted(remove: () => Promise<void>): Promise<UndoEffect> {
  try {
    await remove();
    return { effect: 'deleted' };
  } catch (error) {
    if (gone(error)) return { effect: 'already-gone' };
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
  const lagMs = options.searchLagMs ?? SEARCH_LAG_MS;
  const { ledger } = options;
  const smsField = (s: SmsToIncidentState): { name: string; value: string } | undefined =>
    options.incidentSmsField === undefined ? undefined : { name: options.incidentSmsField, value: s.sms.messageId };

  /**
   * Exactly once for one write: when an earlier try may have applied it, read first and adopt
   * what it made; write only once a read has shown nothing, nothing abandoned can still land and
   * the searches can no longer be behind.
   */
  async function once<T>(
    step: string,
    ctx: AttemptContext,
    find: () => Promise<T | undefined>,
    send: () => Promise<T>,
  ): Promise<T> {
    if (inDoubt(ctx)) {
      const found = await find();
      if (found !== undefined) return found;
      const waitMs = settledAt(ctx, windowMs, lagMs) - now();
      if (waitMs > 0) throw new OutcomeInDoubtError(step, waitMs, 'a write in doubt may still land or not show yet');
    }
    return send();
  }

  /** Whether the incident is this run's to adopt: always without a ledger; with one, when the run holds (or wins) its claim. */
  async function claimed(incidentId: number, ctx: AttemptContext): Promise<boolean> {
    return ledger === undefined || (await ledger.claimIncident(incidentId, ctx.runId)) === ctx.runId;
  }

  /**
   * This message's incident among look-alikes (same contact and subject, recent): the one whose
   * note names this message; else one with no note that this run holds or wins in the ledger
   * (lowest id first). An incident noting another message, or held by another run, is never ours:
   * two runs never adopt the same incident, and never wait on each other.
   */
  async function findOurIncident(
    s: SmsToIncidentState,
    ctx: AttemptContext,
  ): Promise<{ incidentId: number; referenceNumber: string; noted: boolean } | undefined> {
    const customField = smsField(s);
    const since = ctx.run.startedAt - CLOCK_SKEW_MS;
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
    const ours: typeof candidates = [];
    const unclaimed: typeof candidates = [];
    for (const candidate of candidates) {
      let texts: string[];
      try {
        texts = await desk.threadTexts(candidate.id, ctx);
      } catch (error) {
        // A lagging search still lists an incident deleted a moment ago (an undo's, or an agent's): not ours.
        if (gone(error)) continue;
        throw error;
      }
      const ids = texts.map(noteMessageId).filter((id) => id !== undefined);
      if (ids.includes(noteId(s.sms))) ours.push(candidate);
      else if (ids.length === 0) unclaimed.push(candidate);
    }
    // With the custom field every candidate is this message's: keep one, undo the others.
    const exact = customField !== undefined;
    let keep = ours[0] ?? (exact ? unclaimed[0] : undefined);
    if (keep === undefined && ledger === undefined) {
      // Without a ledger, several note-less look-alikes cannot be told apart: wait for their notes.
      if (unclaimed.length > 1)
        throw new OutcomeInDoubtError(
          STEP.createIncident,
          1_000,
          `${unclaimed.length} look-alike incidents without a note`,
        );
      keep = unclaimed[0];
    }
    if (keep === undefined) {
      for (const candidate of unclaimed) {
        if (await claimed(candidate.id, ctx)) {
          keep = candidate;
          break;
        }
      }
      if (keep === undefined) return undefined;
    }
    const extras = [...ours, ...(exact ? unclaimed : [])].filter((c) => c.id !== keep.id);
    for (const extra of extras) await deleted(() => desk.deleteIncident(extra.id, ctx));
    return { incidentId: keep.id, referenceNumber: keep.referenceNumber, noted: ours.includes(keep) };
  }

  /** Deletes a contact this run created, unless someone can have found it (it has a phone or an incident). */
  async function deleteUnusedContact(
    contactId: number,
    ctx: AttemptContext,
    /** Why an unused contact must stay all the same, if it must. */
    spare?: () => Promise<string | undefined>,
  ): Promise<UndoEffect> {
    let use;
    try {
      use = await desk.contactInUse(contactId, ctx);
    } catch (error) {
      if (gone(error)) return { effect: 'already-gone' };
      throw error;
    }
    if (use === undefined) {
      const reason = await spare?.();
      return reason === undefined ? deleted(() => desk.deleteContact(contactId, ctx)) : { effect: 'kept', reason };
    }
    return {
      effect: 'kept',
      reason:
        'phone' in use
          ? 'it carries the number: a look-up finds it, other messages may use it'
          : `it is the primary contact of incident ${use.incidentId}`,
    };
  }

  /** The number on the contact (a live read by id: no search lag); undefined when the contact is gone. */
  async function numberOn(
    contactId: number,
    phone: string,
    ctx: AttemptContext,
  ): Promise<'this' | 'others' | 'none' | undefined> {
    try {
      return await desk.numberOnContact(contactId, phone, ctx);
    } catch (error) {
      if (gone(error)) return undefined;
      throw error;
    }
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
          // A search may lag behind a contact this function made a moment ago: the ledger does not. Both
          // are read at once (reads; the ledger's answer counts only when the search finds nothing): a
          // race with another run making the number's contact is settled by add-phone's create-only mark.
          const searching = desk.findContactByPhone(s.sms.from, ctx);
          const fromLedger = ledger?.contactFor(s.sms.from);
          fromLedger?.catch(() => {}); // awaited below only when the search finds nothing
          const searched = await searching;
          const contactId = searched ?? (await fromLedger);
          if (contactId === undefined) return {};
          // The ledger outlives what it says: an agent may have deleted the contact it names, merged it away, or
          // given it another number (an agent's edit is never overwritten: the number gets a contact of its own).
          const onIt = searched === undefined ? await numberOn(contactId, s.sms.from, ctx) : 'this';
          if (onIt === undefined || onIt === 'others') return { replacesContactId: contactId };
          // An earlier execution may have created our own contact and died before giving it the
          // number; another message has made the number's contact since. Ours is then an orphan.
          if (ctx.run.recovering) await dropOwnUnusedContact(contactId, ctx);
          // Known only from the ledger, without a number: its run failed before giving it the number (add-phone does).
          return { contactId, contactCreated: false, ...(onIt === 'none' ? { contactNeedsPhone: true } : {}) };
        },
      },
      {
        name: STEP.createContact,
        when: (s) => s.contactId === undefined,
        retry: write,
        timeoutMs,
        run: (_s, ctx) => {
          const externalReference = contactMarker(ctx.runId);
          return once(
            STEP.createContact,
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
        // DELETE would take their incidents with it. Only a contact nobody can have found goes, and
        // only one this run made (add-phone may have switched the run to another run's contact).
        compensate: async (s, ctx) => {
          if (s.contactCreated !== true) {
            return { effect: 'kept', reason: "another run's contact for the number: not this run's to delete" };
          }
          const contactId = known(s.contactId, 'contactId');
          // Once the ledger names it the number's contact, other messages find it there: it stays (and a later
          // message, or this run's next delivery, gives it the number).
          return deleteUnusedContact(contactId, ctx, async () =>
            ledger !== undefined && (await ledger.contactFor(s.sms.from)) === contactId
              ? "the ledger records it as the number's contact: other messages use it"
              : undefined,
          );
        },
        compensationRetry: undo,
      },
      {
        name: STEP.addPhone,
        when: (s) => s.contactCreated === true || s.contactNeedsPhone === true,
        retry: write,
        timeoutMs,
        run: async (s, ctx) => {
          const contactId = known(s.contactId, 'contactId');
          // The number gets one contact: the first run to record its contact in the ledger. A run
          // that lost (two first messages from one new number) drops its own and uses that one. A
          // contact the ledger named is recorded already.
          if (ledger !== undefined && s.contactCreated === true) {
            const holder = await ledger.recordContact(s.sms.from, contactId, s.replacesContactId);
            if (holder !== contactId) {
              await deleteUnusedContact(contactId, ctx);
              return { contactId: holder, contactCreated: false };
            }
          }
          // Setting the phone of a type is idempotent: repeating it is safe.
          await desk.addPhone(contactId, s.sms.from, ctx);
          return {};
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
            ctx,
            () => findOurIncident(s, ctx),
            async () => {
              // With its note, which names this message: a look-alike's reconcile never adopts it.
              const incident = await desk.createIncident(
                {
                  subject: incidentSubject(s.sms),
                  primaryContactId: known(s.contactId, 'contactId'),
                  ...(customField ? { customField } : {}),
                  note: smsNote(s.sms),
                },
                ctx,
              );
              return { incidentId: incident.id, referenceNumber: incident.referenceNumber, noted: true };
            },
          );
        },
        compensate: (s, ctx) => deleted(() => desk.deleteIncident(known(s.incidentId, 'incidentId'), ctx)),
        compensationRetry: undo,
      },
      {
        // Only for an incident adopted without this message's note (one made by an earlier version of
        // the function, which sent the note apart): the incidents this version makes carry it.
        name: STEP.addThread,
        when: (s) => s.noted !== true,
        retry: write,
        timeoutMs,
        run: async (s, ctx) => {
          const incidentId = known(s.incidentId, 'incidentId');
          // Our note is known by the message id it names, whatever the site did to its text.
          await once(
            STEP.addThread,
            ctx,
            async () =>
              (await desk.threadTexts(incidentId, ctx)).some((t) => noteMessageId(t) === noteId(s.sms))
                ? true
                : undefined,
            async () => {
              await desk.addThread(incidentId, smsNote(s.sms), ctx);
              return true;
            },
          );
        },
      },
    ],
  };
}
