/**
 * The net for what slips through: reads B2C Service for the runs of a window, with the reconcile's
 * reads (the contact marker, the incident look-up, the thread list), and lists what the function
 * made that the promise forbids: duplicate incidents, incidents without the note, second notes, and
 * phoneless contacts. `fix` resolves what is provably ours: a note naming the message id, a contact
 * carrying the run's marker, an incident the run recorded (or, with `b2cservice_incident_sms_field`,
 * one carrying the message id). Only finished (succeeded) runs are fixed: an unfinished one is still
 * the sweeper's, and its reconcile adopts or replaces what it finds. Safe to run twice: a fixed
 * finding is gone on the next read, and deleting what is already gone counts as done.
 */
import { B2cError, createB2cClient, type B2cClient } from '../b2c/index.js';
import { createAuditProbe, type AuditProbe } from '../b2c/audit-probe.js';
import { b2cBaseUrl, type Config } from '../config.js';
import { InboundSmsSchema, type InboundSms } from '../inbound/index.js';
import { listingOf, type RunJournal, type RunRecord } from '../journal/index.js';
import { mapBounded } from '../journal/listing.js';
import { CLOCK_SKEW_MS, contactMarker } from '../../workflows/sms-to-incident.js';
import { incidentSubject, noteMessageId, smsNote } from '../../workflows/sms-content.js';

export type FindingKind = 'duplicate-incident' | 'noteless-incident' | 'second-note' | 'phoneless-contact';

export interface AuditFinding {
  readonly kind: FindingKind;
  readonly runId: string;
  readonly key: string;
  /** The incident or contact id. */
  readonly id: number;
  /** Provably this run's: `fix` may act on it. */
  readonly ours: boolean;
  readonly detail: string;
  /** What `fix` did. */
  readonly fixed?: 'deleted' | 'phone added' | 'note added';
  /** Why `fix` could not. */
  readonly fixError?: string;
}

export interface AuditReport {
  readonly since: number;
  /** Runs read in the window. */
  readonly runs: number;
  readonly findings: readonly AuditFinding[];
  /** Runs whose reads failed (the audit went on): audit again. */
  readonly errors: readonly { readonly runId: string; readonly error: string }[];
  /** Records in the window the journal listing could not read. */
  readonly unreadable: number;
}

/** What the audit reads and writes: the function's client plus {@link AuditProbe}. */
export type AuditDesk = AuditProbe &
  Pick<
    B2cClient,
    | 'findIncidents'
    | 'threadTexts'
    | 'deleteIncident'
    | 'deleteContact'
    | 'addPhone'
    | 'addThread'
    | 'findContactByPhone'
  >;

export interface AuditOptions {
  /** Epoch ms: runs started at or after. */
  readonly since: number;
  readonly fix: boolean;
  /** `b2cservice_incident_sms_field`: incidents found by it are provably the message's. */
  readonly incidentSmsField?: string;
  /** Runs audited at once. @default 4 */
  readonly concurrency?: number;
  /** Only the runs this accepts (the sweeper's late-write watch: runs that abandoned a write). @default every run */
  readonly only?: (record: RunRecord) => boolean;
}

/** The desk as the function's config says (site, credentials, phone type, entry type). */
export function auditDesk(config: Config, fetchImpl?: typeof fetch): AuditDesk {
  const { b2c } = config;
  const transport = {
    baseUrl: b2cBaseUrl(b2c),
    username: b2c.b2cservice_username,
    password: b2c.b2cservice_password,
    appContext: b2c.b2cservice_app_context,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  };
  const client = createB2cClient({
    ...transport,
    phoneType: b2c.b2cservice_phone_type,
    threadEntryType: b2c.b2cservice_thread_entry_type,
    phoneMatch: b2c.b2cservice_phone_match,
  });
  return { ...createAuditProbe(transport), ...client };
}

export async function auditRuns(journal: RunJournal, desk: AuditDesk, options: AuditOptions): Promise<AuditReport> {
  const listing =
    journal.listSince === undefined
      ? listingOf(await journal.list(), options.since)
      : await journal.listSince(options.since);
  const records = options.only === undefined ? listing.records : listing.records.filter(options.only);
  const errors: { runId: string; error: string }[] = [];
  const perRun = await mapBounded(records, options.concurrency ?? 4, async (record) => {
    try {
      return await auditRun(record, desk, options);
    } catch (error) {
      errors.push({ runId: record.runId, error: error instanceof Error ? error.message : String(error) });
      return [];
    }
  });
  // Two look-alike runs may both see one object: report it once.
  const seen = new Set<string>();
  const findings = perRun.flat().filter((f) => !seen.has(`${f.kind}:${f.id}`) && seen.add(`${f.kind}:${f.id}`));
  return {
    since: options.since,
    runs: records.length,
    findings,
    errors,
    unreadable: listing.unreadable.length,
  };
}

async function auditRun(record: RunRecord, desk: AuditDesk, options: AuditOptions): Promise<AuditFinding[]> {
  const parsed = InboundSmsSchema.safeParse(record.payload);
  if (!parsed.success) return [];
  const sms = parsed.data;
  const outputs = Object.assign(
    {},
    ...record.steps.filter((s) => s.compensated !== 'succeeded').map((s) => s.output ?? {}),
  ) as { contactId?: unknown; contactCreated?: unknown; incidentId?: unknown };
  const contactId = typeof outputs.contactId === 'number' ? outputs.contactId : undefined;
  const incidentId = typeof outputs.incidentId === 'number' ? outputs.incidentId : undefined;
  // Only a finished run is fixed: an unfinished one is the sweeper's, and its reconcile acts on what it finds.
  const fix = options.fix && record.status === 'succeeded';
  const base = { runId: record.runId, key: record.key };
  const findings: AuditFinding[] = [];

  for (const id of await desk.contactsByExternalReference(contactMarker(record.runId))) {
    const phones = await gone(() => desk.phoneCount(id));
    if (phones === undefined || phones > 0) continue;
    const incidents = (await gone(() => desk.incidentsOf(id))) ?? [];
    const finding = { ...base, kind: 'phoneless-contact' as const, id, ours: true };
    if (incidents.length === 0) {
      findings.push(
        await fixed(
          { ...finding, detail: 'made by this run (its marker), no phone, no incident' },
          fix,
          'deleted',
          () => deletedIfThere(() => desk.deleteContact(id)),
        ),
      );
    } else if (id === contactId) {
      const holder = await desk.findContactByPhone(sms.from);
      const detail = `made by this run (its marker) for incident${incidents.length === 1 ? '' : 's'} ${incidents.join(', ')}, but without the sender's number`;
      findings.push(
        holder === undefined || holder === id
          ? await fixed({ ...finding, detail }, fix, 'phone added', () => desk.addPhone(id, sms.from))
          : { ...finding, detail: `${detail}; contact ${holder} has the number now: merge them in the agent console` },
      );
    } else {
      findings.push({
        ...finding,
        detail: `made by this run (its marker), no phone, primary contact of incident${incidents.length === 1 ? '' : 's'} ${incidents.join(', ')}: look in the agent console`,
      });
    }
  }
  if (contactId !== undefined)
    findings.push(...(await auditIncidents(record, sms, contactId, incidentId, desk, options, fix)));
  return findings;
}

async function auditIncidents(
  record: RunRecord,
  sms: InboundSms,
  contactId: number,
  incidentId: number | undefined,
  desk: AuditDesk,
  options: AuditOptions,
  fix: boolean,
): Promise<AuditFinding[]> {
  const base = { runId: record.runId, key: record.key };
  const customField =
    options.incidentSmsField === undefined ? undefined : { name: options.incidentSmsField, value: sms.messageId };
  const found = await desk.findIncidents({
    ...(customField ? { customField } : {}),
    primaryContactId: contactId,
    createdSince: new Date(record.startedAt - CLOCK_SKEW_MS).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    subject: incidentSubject(sms),
  });
  const ids = [...new Set([...(incidentId === undefined ? [] : [incidentId]), ...found.map((i) => i.id)])];
  const read: { id: number; ours: number; anyNote: boolean }[] = [];
  for (const id of ids) {
    const texts = await gone(() => desk.threadTexts(id));
    if (texts === undefined) continue;
    read.push({
      id,
      ours: texts.filter((t) => noteMessageId(t) === sms.messageId).length,
      anyNote: texts.some((t) => noteMessageId(t) !== undefined),
    });
  }
  const findings: AuditFinding[] = [];
  const noted = read.filter((r) => r.ours > 0);
  // The one to keep: the incident the run recorded (and answered), else the first with our note.
  const keep = read.find((r) => r.id === incidentId) ?? noted[0];
  for (const r of noted) {
    if (r.ours > 1)
      findings.push({
        ...base,
        kind: 'second-note',
        id: r.id,
        ours: true,
        detail: `${r.ours} notes of message ${sms.messageId}: delete the later one in the agent console (REST cannot delete a thread)`,
      });
    if (keep !== undefined && r.id !== keep.id) {
      findings.push(
        await fixed(
          {
            ...base,
            kind: 'duplicate-incident',
            id: r.id,
            ours: true,
            detail: `carries this message's note; the run's incident is ${keep.id}`,
          },
          fix,
          'deleted',
          () => deletedIfThere(() => desk.deleteIncident(r.id)),
        ),
      );
    }
  }
  for (const r of read.filter((x) => x.ours === 0 && !x.anyNote)) {
    if (r.id === keep?.id) {
      findings.push(
        await fixed(
          { ...base, kind: 'noteless-incident', id: r.id, ours: true, detail: "the run's incident, without its note" },
          fix,
          'note added',
          () => desk.addThread(r.id, smsNote(sms)),
        ),
      );
    } else if (customField !== undefined) {
      findings.push(
        await fixed(
          {
            ...base,
            kind: 'noteless-incident',
            id: r.id,
            ours: true,
            detail: `a second incident carrying message id ${sms.messageId}, without a note`,
          },
          fix,
          'deleted',
          () => deletedIfThere(() => desk.deleteIncident(r.id)),
        ),
      );
    } else {
      findings.push({
        ...base,
        kind: 'noteless-incident',
        id: r.id,
        ours: false,
        detail:
          "same contact and subject, created since the run started, no note: may be this message's duplicate (set b2cservice_incident_sms_field to tell), or an agent's",
      });
    }
  }
  return findings;
}

async function fixed(
  finding: AuditFinding,
  fix: boolean,
  what: NonNullable<AuditFinding['fixed']>,
  act: () => Promise<void>,
): Promise<AuditFinding> {
  if (!fix || !finding.ours) return finding;
  try {
    await act();
    return { ...finding, fixed: what };
  } catch (error) {
    return { ...finding, fixError: error instanceof Error ? error.message : String(error) };
  }
}

/** A read of an object deleted meanwhile (404): undefined. */
async function gone<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof B2cError && error.status === 404) return undefined;
    throw error;
  }
}

async function deletedIfThere(remove: () => Promise<void>): Promise<void> {
  await gone(remove);
}
