/**
 * What `doctor` measures of a real site, beyond "may the account do it": each read the function's
 * reconcile makes answers as expected, how long a new record takes to show in `q=` searches, how a
 * note's text comes back, how ROQL reads a backslash, and how far the site's clock is from ours.
 * Runs on the test contact and incident the doctor wrote (and removes); every check names the
 * setting to use.
 */
import type { B2cClient, SiteProbe } from '../b2c/index.js';
import type { AuditProbe } from '../b2c/audit-probe.js';
import type { Check } from './doctor-check.js';
import { CLOCK_SKEW_MS } from '../../workflows/sms-to-incident.js';

/** How long a search may take to show a new record before doctor stops waiting. */
export const LAG_LIMIT_MS = 15_000;
const POLL_MS = 100;

/** `b2cservice_search_lag_ms`'s default: the reconcile keeps looking this long before it writes again. */
const SEARCH_LAG_DEFAULT_MS = 2_000;

/** A text with what sites are known to change: CRLF and LF line ends, trailing spaces, a character outside the BMP. */
export const NOTE_PROBE = 'sms-incident doctor text check\r\nCRLF line  \nLF line \u{1F642}  ';

export interface Written {
  readonly contactId: number;
  readonly incidentId: number;
  /** The test contact's `externalReference`. */
  readonly marker: string;
  /** The test incident's subject: holds a backslash. */
  readonly subject: string;
  /** Epoch ms just before the contact and the incident were created. */
  readonly contactWrittenAt: number;
  readonly incidentWrittenAt: number;
  /** Epoch ms the incident's create was answered. */
  readonly incidentAnsweredAt: number;
  /** How long the phone look-up took to find the contact (the doctor's own poll). */
  readonly phoneLagMs?: number;
}

export interface Lag {
  readonly what: string;
  /** undefined: not seen within {@link LAG_LIMIT_MS}. */
  readonly ms: number | undefined;
}

/** Polls `read` until `ok` holds; the time it took from `since`, or undefined after the limit. */
export async function pollFor<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  since: number,
  limitMs = LAG_LIMIT_MS,
): Promise<{ value: T; ms: number | undefined }> {
  for (;;) {
    const value = await read();
    if (ok(value)) return { value, ms: Date.now() - since };
    if (Date.now() - since > limitMs) return { value, ms: undefined };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export async function measureSite(
  deps: { client: B2cClient; probe: SiteProbe; audit: AuditProbe },
  written: Written,
  env: Record<string, string | undefined>,
  checks: Check[],
): Promise<void> {
  const { client, probe, audit } = deps;
  const lags: Lag[] = written.phoneLagMs === undefined ? [] : [{ what: 'phone', ms: written.phoneLagMs }];
  const calls: string[] = [];
  const failed: string[] = [];
  const step = async (name: string, run: () => Promise<boolean>): Promise<void> => {
    try {
      (await run()) ? calls.push(name) : failed.push(name);
    } catch (error) {
      failed.push(`${name} (${error instanceof Error ? error.message : String(error)})`);
    }
  };

  await step('GET /contacts?q=externalReference', async () => {
    const r = await pollFor(
      () => client.findContactByExternalReference(written.marker),
      (id) => id === written.contactId,
      written.contactWrittenAt,
    );
    lags.push({ what: 'contact by externalReference', ms: r.ms });
    return r.ms !== undefined;
  });
  await step('GET /incidents?q=primaryContact.id', async () => {
    const r = await pollFor(
      () => audit.incidentsOf(written.contactId),
      (ids) => ids.includes(written.incidentId),
      written.incidentWrittenAt,
    );
    lags.push({ what: 'incident by primaryContact.id', ms: r.ms });
    return r.ms !== undefined;
  });
  let subjectFound = false;
  await step('GET /incidents?q=primaryContact.id+createdTime+subject', async () => {
    const since = new Date(written.incidentWrittenAt - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const r = await pollFor(
      () =>
        client.findIncidents({ primaryContactId: written.contactId, createdSince: since, subject: written.subject }),
      (found) => found.some((i) => i.id === written.incidentId),
      written.incidentWrittenAt,
    );
    subjectFound = r.ms !== undefined;
    return true; // how the subject is found is the backslash check's
  });
  await step('GET /contacts/{id}/phones', async () => (await audit.phoneCount(written.contactId)) > 0);
  await step('GET /incidents/{id}/threads', async () => (await client.threadTexts(written.incidentId)).length > 0);

  checks.push(
    failed.length === 0
      ? {
          name: 'reconcile reads',
          status: 'ok',
          detail: `every look-up a reconcile makes answers as expected: ${calls.join(', ')}`,
        }
      : {
          name: 'reconcile reads',
          status: 'fail',
          detail: `not as expected: ${failed.join('; ')}`,
          fix: "the account's profile must allow reading contacts and incidents; report this output",
        },
  );
  checks.push(searchLag(lags, env));
  // The clock first: one far behind also hides the incident from the subject look-up the backslash check makes.
  await clock(probe, written, checks);
  await backslash(probe, written.subject, subjectFound, checks);
  await noteText(client, written.incidentId, checks);
}

function searchLag(lags: readonly Lag[], env: Record<string, string | undefined>): Check {
  const configured = Number(env.b2cservice_search_lag_ms ?? SEARCH_LAG_DEFAULT_MS);
  const seen = lags
    .map((l) => `${l.what} ${l.ms === undefined ? `not within ${LAG_LIMIT_MS / 1000} s` : `${l.ms} ms`}`)
    .join(', ');
  if (lags.some((l) => l.ms === undefined)) {
    return {
      name: 'search lag',
      status: 'fail',
      detail: `a new record did not show in q= searches within ${LAG_LIMIT_MS / 1000} s (${seen})`,
      fix: 'searches read a replica far behind, or do not index these fields: report this output',
    };
  }
  const worst = Math.max(0, ...lags.map((l) => l.ms ?? 0));
  // What to set: the worst seen, with room for a slower moment, in half seconds.
  const suggested = Math.max(SEARCH_LAG_DEFAULT_MS, Math.ceil((worst * 2) / 500) * 500);
  const detail = `a new record shows in q= searches after ${worst} ms at most (${seen})`;
  if (worst <= configured / 2)
    return { name: 'search lag', status: 'ok', detail: `${detail}; b2cservice_search_lag_ms=${configured} covers it` };
  return {
    name: 'search lag',
    status: worst > configured ? 'fail' : 'warn',
    detail: `${detail}; b2cservice_search_lag_ms is ${configured}`,
    fix: `set b2cservice_search_lag_ms=${suggested}: a reconcile that stops looking sooner writes a second incident or contact`,
  };
}

async function backslash(probe: SiteProbe, subject: string, doubledFinds: boolean, checks: Check[]): Promise<void> {
  let undoubled: boolean;
  try {
    undoubled = (await probe.incidentsBySubjectUndoubled(subject)).length > 0;
  } catch {
    undoubled = false; // a syntax error is a "no": the single backslash escaped something
  }
  if (doubledFinds) {
    checks.push({
      name: 'ROQL backslash',
      status: 'ok',
      detail: `a subject holding a backslash is found with the backslash doubled (the function's literal)${undoubled ? ', and also undoubled' : ', not undoubled: a backslash escapes in ROQL literals, doubling it is right'}`,
    });
  } else if (undoubled) {
    checks.push({
      name: 'ROQL backslash',
      status: 'warn',
      detail: "a backslash is literal in ROQL strings here: the function's subject look-up misses subjects holding one",
      fix: 'set b2cservice_incident_sms_field (the look-up is then by message id)',
    });
  } else {
    checks.push({
      name: 'ROQL backslash',
      status: 'warn',
      detail:
        'the test incident was found by its subject neither way (a subject search that does not match exact text?)',
      fix: 'set b2cservice_incident_sms_field; report this output',
    });
  }
}

/**
 * The site stamps `createdTime` (to the second) between our sending the create and its answer. A
 * reconcile looks for incidents created since the run started less {@link CLOCK_SKEW_MS}: a site
 * clock further behind hides the run's own incident, and a retry makes a second one.
 */
async function clock(probe: SiteProbe, written: Written, checks: Check[]): Promise<void> {
  let stamped: number | undefined;
  try {
    stamped = await probe.incidentCreatedAt(written.incidentId);
  } catch (error) {
    checks.push({
      name: 'clock',
      status: 'warn',
      detail: `could not read the test incident's createdTime (${error instanceof Error ? error.message : String(error)})`,
    });
    return;
  }
  if (stamped === undefined) {
    checks.push({ name: 'clock', status: 'warn', detail: 'the test incident came back without a createdTime' });
    return;
  }
  // Bounds on (site - ours): the stamp is truncated to the second, taken within [sent, answered].
  const least = stamped - written.incidentAnsweredAt;
  const most = stamped + 999 - written.incidentWrittenAt;
  const offset = Math.round((least + most) / 2 / 1000);
  const behindMs = Math.max(0, -most);
  const said = `the site's clock is ${offset === 0 ? 'within a second of' : `about ${Math.abs(offset)} s ${offset < 0 ? 'behind' : 'ahead of'}`} this machine's (createdTime of the test incident)`;
  const allowedS = CLOCK_SKEW_MS / 1000;
  if (behindMs < CLOCK_SKEW_MS / 2) {
    checks.push({ name: 'clock', status: 'ok', detail: `${said}; a reconcile allows ${allowedS} s behind` });
    return;
  }
  const fail = behindMs >= CLOCK_SKEW_MS;
  checks.push({
    name: 'clock',
    status: fail ? 'fail' : 'warn',
    detail: fail
      ? `${said}: a reconcile looks back only ${allowedS} s before a run's start, and misses the run's own incident`
      : `${said}: over half the ${allowedS} s a reconcile allows`,
    fix: "check this machine's time first (NTP); if the site's clock is off, ask Oracle Support to correct it: a retry of a run would make a second incident",
  });
}

async function noteText(client: B2cClient, incidentId: number, checks: Check[]): Promise<void> {
  let back: string | undefined;
  try {
    await client.addThread(incidentId, NOTE_PROBE);
    back = (await client.threadTexts(incidentId)).find((t) => t.includes('doctor text check'));
  } catch (error) {
    checks.push({
      name: 'note text',
      status: 'warn',
      detail: `could not write and read a note: ${error instanceof Error ? error.message : String(error)}`,
    });
    return;
  }
  if (back === undefined) {
    checks.push({
      name: 'note text',
      status: 'fail',
      detail: "a note written was not among the incident's threads",
      fix: 'report this output',
    });
    return;
  }
  if (back === NOTE_PROBE) {
    checks.push({
      name: 'note text',
      status: 'ok',
      detail: 'a note comes back byte for byte (CRLF and LF line ends, trailing spaces, an emoji)',
    });
    return;
  }
  const seen: string[] = [];
  const crlf = back.includes('\r\n');
  const bareLf = /(^|[^\r])\n/.test(back);
  if (!crlf) seen.push('CRLF line ends become LF');
  else if (!bareLf) seen.push('LF line ends become CRLF');
  if (!/ {2}\r?\n/.test(back)) seen.push('trailing spaces of lines are dropped');
  if (!/ {2}$/.test(back)) seen.push('trailing spaces at the end are dropped');
  const emoji = back.includes('\u{1F642}');
  if (!emoji) seen.push('the emoji is lost (a column that is not utf8mb4)');
  checks.push({
    name: 'note text',
    status: emoji ? 'ok' : 'warn',
    detail: `a note comes back changed: ${seen.length === 0 ? 'otherwise (not byte for byte)' : seen.join(', ')}; the function finds its note by the message id it carries, so no setting is needed`,
    ...(emoji ? {} : { fix: 'SMS texts with emoji lose them in the note: ask Oracle to store threads as utf8mb4' }),
  });
}
