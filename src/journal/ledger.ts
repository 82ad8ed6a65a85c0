import type { RunJournal } from './journal.js';
import { JournalError } from './journal.js';

/**
 * Create-only facts the function keeps beside B2C Service, in the run journal, because B2C Service
 * cannot hold them (no unique key on an incident's owner or on a phone number). A fact once written
 * never changes, so two runs can never both win it. The workflow's `Ledger` port.
 *
 * - `incident:<id>` → the run that owns the incident: written right after a create's 201, and by a
 *   reconcile before it adopts a note-less look-alike. Protects against two runs adopting one incident.
 * - `contact-for:<E.164>` → the contact this function made for the number: written before the
 *   number is set on it. Protects against a second contact for a number whose contact a lagging
 *   search does not show yet, and against two first messages from one new number each making one.
 */
export interface JournalLedger {
  claimIncident(incidentId: number, runId: string): Promise<string>;
  recordContact(phone: string, contactId: number): Promise<number>;
  contactFor(phone: string): Promise<number | undefined>;
}

export function journalLedger(journal: RunJournal): JournalLedger {
  return {
    claimIncident: (incidentId, runId) => mark(journal, `incident:${Math.trunc(incidentId)}`, runId),
    async recordContact(phone, contactId) {
      const held = Number(await mark(journal, `contact-for:${phone}`, String(Math.trunc(contactId))));
      if (!Number.isSafeInteger(held)) throw new JournalError(`the contact recorded for a number is not an id`);
      return held;
    },
    async contactFor(phone) {
      const held = await journal.getMark(`contact-for:${phone}`);
      if (held === undefined) return undefined;
      const id = Number(held);
      return Number.isSafeInteger(id) ? id : undefined;
    },
  };
}

/** Writes the fact unless one is there; a write whose outcome is unknown is read back once. */
async function mark(journal: RunJournal, name: string, value: string): Promise<string> {
  try {
    return await journal.createMark(name, value);
  } catch (error) {
    if (!(error instanceof JournalError) || error.inDoubt === false) throw error;
    const held = await journal.getMark(name);
    if (held !== undefined) return held;
    return journal.createMark(name, value);
  }
}
