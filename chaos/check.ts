/** What the soak promises, checked against the emulated site's final state. */
import type { EmulatorState } from '../src/emulator/index.js';
import type { SoakMessage } from './messages.js';

export interface Verdict {
  /** Breaches: each must be 0. */
  readonly breaches: Record<string, number>;
  /** Facts worth printing that are not breaches. */
  readonly facts: Record<string, number>;
  /** Message ids behind the breaches, for the log. */
  readonly suspects: string[];
}

const noteId = (text: string): string | undefined =>
  text.startsWith('Inbound SMS via ') ? /^Message ID: (.*)$/m.exec(text)?.[1] : undefined;

/**
 * - lost: a message no incident carries the note of;
 * - duplicate incidents: a message whose note is on more than one incident;
 * - incidents with 0 or with >1 SMS notes;
 * - notes of another message: the incident a message was answered with carries another message's note;
 * - contacts without a phone; duplicate contacts for a number the site knew before; orphan contacts
 *   (made by the function, no incident); crashes (process exits the harness did not cause).
 */
export function check(
  state: EmulatorState,
  messages: readonly SoakMessage[],
  known: readonly string[],
  answered: ReadonlyMap<string, number | undefined>,
  crashes: number,
): Verdict {
  const incidentsOf = new Map<string, number[]>();
  let noNote = 0;
  let manyNotes = 0;
  const notesOn = new Map<number, string[]>();
  for (const incident of state.incidents) {
    const ids = incident.threads.map((t) => noteId(t.text)).filter((id): id is string => id !== undefined);
    notesOn.set(incident.id, ids);
    if (ids.length === 0) noNote++;
    if (ids.length > 1) manyNotes++;
    for (const id of new Set(ids)) incidentsOf.set(id, [...(incidentsOf.get(id) ?? []), incident.id]);
  }
  const unique = [...new Map(messages.map((m) => [m.id, m])).values()];
  const lostIds = unique.filter((m) => (incidentsOf.get(m.id) ?? []).length === 0).map((m) => m.id);
  const duplicateIds = unique.filter((m) => (incidentsOf.get(m.id) ?? []).length > 1).map((m) => m.id);
  const lost = lostIds.length;
  const duplicates = duplicateIds.length;
  const foreign = unique.filter((m) => {
    const id = answered.get(m.id);
    return id !== undefined && !(notesOn.get(id) ?? []).includes(m.id);
  }).length;
  const digits = (e164: string): string => e164.slice(1);
  const contactsByNumber = new Map<string, number>();
  for (const c of state.contacts)
    for (const p of new Set(c.phones.map((x) => x.rawNumber)))
      contactsByNumber.set(p, (contactsByNumber.get(p) ?? 0) + 1);
  const knownDuplicates = known.filter((n) => (contactsByNumber.get(digits(n)) ?? 0) > 1).length;
  const knownSet = new Set(known.map(digits));
  const freshDuplicates = [...contactsByNumber.entries()].filter(([n, count]) => !knownSet.has(n) && count > 1).length;
  const withIncident = new Set(state.incidents.map((i) => i.primaryContactId));
  const orphans = state.contacts.filter(
    (c) => c.externalReference?.startsWith('sms-incident:') && !withIncident.has(c.id),
  ).length;
  const phoneless = state.contacts.filter((c) => c.phones.length === 0).length;
  return {
    breaches: {
      'lost messages': lost,
      'duplicate incidents': duplicates,
      'incidents with 0 SMS notes': noNote,
      'incidents with >1 SMS notes': manyNotes,
      "answers naming another message's incident": foreign,
      'contacts without a phone': phoneless,
      'duplicate contacts for a known number': knownDuplicates,
      'orphan contacts': orphans,
      crashes,
    },
    suspects: [...lostIds, ...duplicateIds],
    facts: {
      messages: unique.length,
      incidents: state.incidents.length,
      contacts: state.contacts.length,
      'new numbers with 2 contacts (first messages raced)': freshDuplicates,
    },
  };
}
