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
 * - `contact-for:<E.164>~<id>` → the contact made for the number after contact `<id>` was found gone
 *   (an agent deleted it, or merged it away): the facts form a chain, and its last link is the
 *   number's contact. Two runs replacing one gone contact race on one create-only link: one wins.
 */
export interface JournalLedger {
  claimIncident(incidentId: number, runId: string): Promise<string>;
  recordContact(phone: string, contactId: number, replacing?: number): Promise<number>;
  contactFor(phone: string): Promise<number | undefined>;
}

/** Links followed at most: a number whose contact was replaced this often is a person's to look at. */
const CHAIN_LIMIT = 16;

export function journalLedger(journal: RunJournal): JournalLedger {
  const link = (phone: string, after?: number): string =>
    after === undefined ? `contact-for:${phone}` : `contact-for:${phone}~${Math.trunc(after)}`;
  /** The last link of the chain that starts at `id`. */
  async function latest(phone: string, id: number): Promise<number> {
    let current = id;
    for (let hop = 0; hop < CHAIN_LIMIT; hop++) {
      const next = contactId(await journal.getMark(link(phone, current)));
      if (next === undefined) return current;
      current = next;
    }
    return current;
  }
  return {
    claimIncident: (incidentId, runId) => mark(journal, `incident:${Math.trunc(incidentId)}`, runId),
    async recordContact(phone, id, replacing) {
      const held = contactId(await mark(journal, link(phone, replacing), String(Math.trunc(id))));
      if (held === undefined) throw new JournalError(`the contact recorded for a number is not an id`);
      return held === id ? held : latest(phone, held);
    },
    async contactFor(phone) {
      const first = contactId(await journal.getMark(link(phone)));
      return first === undefined ? undefined : latest(phone, first);
    },
  };
}

function contactId(held: string | undefined): number | undefined {
  if (held === undefined) return undefined;
  const id = Number(held);
  return Number.isSafeInteger(id) ? id : undefined;
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
