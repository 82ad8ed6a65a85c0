/**
 * `sms-incident doctor`: checks a configured B2C Service site before the first SMS, one line per
 * precondition, ok or what to fix. It goes through the function's own client for everything the
 * function does (so the phone look-up is the very query the function sends), leaves a marked
 * test contact and incident behind only if the site refuses to delete them, and says so.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { B2cError, createB2cClient, createSiteProbe, type B2cClient, type SiteProbe } from '../b2c/index.js';
import { ConfigSchema, b2cBaseUrl } from '../config.js';
import { createAuditProbe, type AuditProbe } from '../b2c/audit-probe.js';
import { LAG_LIMIT_MS, measureSite, pollFor } from './doctor-measure.js';
import { maskPhone } from '../log/redact.js';
import { JSON_OPTION, type CliCommand } from './command.js';

const DoctorConfigSchema = ConfigSchema.pick({
  b2cservice_hostname: true,
  b2cservice_username: true,
  b2cservice_password: true,
  b2cservice_api_version: true,
  b2cservice_app_context: true,
  b2cservice_phone_type: true,
  b2cservice_thread_entry_type: true,
  b2cservice_phone_match: true,
  b2cservice_incident_sms_field: true,
});
type DoctorConfig = ReturnType<typeof DoctorConfigSchema.parse>;

import type { Check } from './doctor-check.js';

export type { Check, CheckStatus } from './doctor-check.js';

export interface DoctorReport {
  readonly site: string;
  readonly checks: readonly Check[];
  readonly ok: boolean;
}

export interface DoctorOptions {
  readonly fetch?: typeof fetch;
  /** How many stored phone numbers to sample. @default 500 */
  readonly sample?: number;
}

/** A fictional number (NANP 555-01xx) for the test contact: never a customer's. */
function testNumber(): string {
  return `+1202555${String(100 + randomInt(100)).padStart(4, '0')}`;
}

export async function runDoctor(
  env: Record<string, string | undefined>,
  options: DoctorOptions = {},
): Promise<DoctorReport> {
  const parsed = DoctorConfigSchema.safeParse(env);
  if (!parsed.success) {
    const missing = parsed.error.issues
      .filter((i) => i.code === 'invalid_type' && i.input === undefined)
      .map((i) => i.path.join('.'));
    const invalid = parsed.error.issues.filter((i) => !(i.code === 'invalid_type' && i.input === undefined));
    const checks = [
      ...(missing.length > 0
        ? [
            {
              name: 'config',
              status: 'fail' as const,
              detail: `not set: ${missing.join(', ')}`,
              fix: `export ${missing.join(', ')} with the function's values (sms-incident doctor --help lists the settings)`,
            },
          ]
        : []),
      ...invalid.map(
        (i): Check => ({
          name: 'config',
          status: 'fail',
          detail: `${i.path.join('.')}: ${i.message}`,
          fix: `set ${i.path.join('.')} as the function has it`,
        }),
      ),
    ];
    return { site: env.b2cservice_hostname ?? '(no b2cservice_hostname)', checks, ok: false };
  }
  const config = parsed.data;
  const transport = {
    baseUrl: b2cBaseUrl(config),
    username: config.b2cservice_username,
    password: config.b2cservice_password,
    appContext: config.b2cservice_app_context,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const probe = createSiteProbe(transport);
  const client = createB2cClient({
    ...transport,
    phoneType: config.b2cservice_phone_type,
    threadEntryType: config.b2cservice_thread_entry_type,
    phoneMatch: config.b2cservice_phone_match,
  });
  const checks: Check[] = [];
  const site = `${config.b2cservice_hostname} (${config.b2cservice_api_version}, application context "${config.b2cservice_app_context}")`;

  if (!(await apiAnswers(probe, config, checks))) return { site, checks, ok: false };
  await namedIdExists(
    probe,
    'contacts/phones/phoneType',
    'phone type',
    config.b2cservice_phone_type,
    'b2cservice_phone_type',
    checks,
  );
  await namedIdExists(
    probe,
    'incidents/threads/entryType',
    'thread entry type',
    config.b2cservice_thread_entry_type,
    'b2cservice_thread_entry_type',
    checks,
  );
  await writeCycle(client, probe, createAuditProbe(transport), config, env, checks);
  await phoneForms(probe, config, options.sample ?? 500, checks);
  return { site, checks, ok: checks.every((c) => c.status !== 'fail') };
}

async function apiAnswers(probe: SiteProbe, config: DoctorConfig, checks: Check[]): Promise<boolean> {
  try {
    await probe.versionRoot();
    checks.push({
      name: 'api',
      status: 'ok',
      detail: `${config.b2cservice_api_version} answers; credentials and the OSvC-CREST-Application-Context "${config.b2cservice_app_context}" accepted`,
    });
    return true;
  } catch (error) {
    const e = asB2c(error);
    let fail: Omit<Check, 'name' | 'status'>;
    if (e === undefined || e.status === 0) {
      fail = {
        detail: `cannot reach ${config.b2cservice_hostname}: ${describe(error)}`,
        fix: 'check b2cservice_hostname, DNS and the egress from the function subnet',
      };
    } else if (e.status === 401) {
      fail = {
        detail: 'credentials refused (401)',
        fix: 'check b2cservice_username / b2cservice_password: a staff account whose profile allows the Connect REST API',
      };
    } else if (e.errorCode === 'OSC-CREST-00003') {
      fail = {
        detail: `API version ${config.b2cservice_api_version} is not served (${e.message})`,
        fix: 'set b2cservice_api_version to v1.4 or latest',
      };
    } else if (/application-context/i.test(e.message)) {
      fail = {
        detail: `the OSvC-CREST-Application-Context header was refused: ${e.message}`,
        fix: 'set b2cservice_app_context (1 to 40 characters) and make sure no proxy strips the header',
      };
    } else if (e.status === 403) {
      fail = {
        detail: `the account may not use the REST API (${e.message})`,
        fix: "give the account's profile the Connect REST API permission",
      };
    } else {
      fail = { detail: e.message, fix: 'see the error above' };
    }
    checks.push({ name: 'api', status: 'fail', ...fail });
    return false;
  }
}

async function namedIdExists(
  probe: SiteProbe,
  path: string,
  label: string,
  wanted: string,
  key: string,
  checks: Check[],
): Promise<void> {
  let values;
  try {
    values = await probe.namedIds(path);
  } catch (error) {
    checks.push({
      name: label,
      status: 'warn',
      detail: `could not list the site's ${label}s (${describe(error)}); the test writes below still use '${wanted}'`,
    });
    return;
  }
  const found = values.find((v) => v.lookupName === wanted);
  if (found) {
    checks.push({ name: label, status: 'ok', detail: `'${wanted}' exists (id ${found.id})` });
    return;
  }
  const listed = values.map((v) => `'${v.lookupName}'`).join(', ');
  checks.push({
    name: label,
    status: 'fail',
    detail: `'${wanted}' is not a ${label} on this site (lookupNames are localised); it has: ${listed}`,
    fix: `set ${key} to one of them`,
  });
}

/**
 * Creates a marked test contact and incident the way the function does, checks the phone look-up
 * finds that contact, the custom field, then deletes both; what cannot be deleted is named.
 */
async function writeCycle(
  client: B2cClient,
  probe: SiteProbe,
  audit: AuditProbe,
  config: DoctorConfig,
  env: Record<string, string | undefined>,
  checks: Check[],
): Promise<void> {
  const phone = testNumber();
  const marker = `sms-incident:doctor:${randomUUID().slice(0, 8)}`;
  // With a backslash: how ROQL reads one is measured on it (doctor-measure.ts).
  const subject = `sms-incident doctor check a\\b ${marker.slice(-8)} (safe to delete)`;
  let incidentWrittenAt = Date.now();
  let incidentAnsweredAt = incidentWrittenAt;
  let contactId: number | undefined;
  let incidentId: number | undefined;
  const contactWrittenAt = Date.now();
  let phoneWrittenAt = contactWrittenAt;
  let phoneLagMs: number | undefined;
  let phoneAdded = false;
  try {
    contactId = (
      await client.createContact({
        firstName: 'sms-incident',
        lastName: 'doctor (safe to delete)',
        externalReference: marker,
      })
    ).id;
    phoneWrittenAt = Date.now();
    await client.addPhone(contactId, phone);
    phoneAdded = true;
    checks.push({
      name: 'contacts',
      status: 'ok',
      detail: `may create and update contacts (test contact ${contactId}, ${marker}, phone ${maskPhone(phone)})`,
    });
  } catch (error) {
    checks.push(writeFailure('contacts', contactId === undefined ? 'create' : 'update', error, config));
  }
  if (contactId !== undefined) {
    try {
      // A search may read a replica behind the write: look until it shows, and say how long it took.
      const id = contactId;
      const { value: found, ms } = await pollFor(
        () => client.findContactByPhone(phone),
        (f) => f === id,
        phoneWrittenAt,
        // Without the phone there is nothing to wait for: one read says so.
        phoneAdded ? LAG_LIMIT_MS : 0,
      );
      phoneLagMs = ms;
      checks.push(
        found === contactId
          ? {
              name: 'phone look-up',
              status: 'ok',
              detail: `the function's query (phones.rawNumber, match ${config.b2cservice_phone_match}) finds the test contact by ${maskPhone(phone)}`,
            }
          : {
              name: 'phone look-up',
              status: 'fail',
              detail: `the function's query did not find the test contact ${contactId} by the number it was given (${found === undefined ? 'no match' : `found ${found}`}): every SMS would create a new contact`,
              fix: 'check how this site stores phones.rawNumber; report it with this output',
            },
      );
    } catch (error) {
      checks.push({
        name: 'phone look-up',
        status: 'fail',
        detail: describe(error),
        fix: "the account's profile must allow reading contacts",
      });
    }
    try {
      incidentWrittenAt = Date.now();
      // As the function does: the incident and its note in one POST. A site that drops the inline thread would
      // leave every incident without its message.
      const note = `sms-incident doctor: a ${config.b2cservice_thread_entry_type} thread written with the incident, as the function writes the SMS (${marker})`;
      incidentId = (await client.createIncident({ subject, primaryContactId: contactId, note })).id;
      incidentAnsweredAt = Date.now();
      const kept = (await client.threadTexts(incidentId)).some((t) => t.includes(marker));
      checks.push(
        kept
          ? {
              name: 'incidents',
              status: 'ok',
              detail: `may create incidents with a '${config.b2cservice_thread_entry_type}' thread in the same request (test incident ${incidentId})`,
            }
          : {
              name: 'incidents',
              status: 'fail',
              detail: `incident ${incidentId} was created, but without the thread sent with it`,
              fix: "the account's profile must allow adding threads to incidents; report this output",
            },
      );
    } catch (error) {
      checks.push(writeFailure('incidents', incidentId === undefined ? 'create' : 'update', error, config));
    }
  }
  if (contactId !== undefined && incidentId !== undefined) {
    await measureSite(
      { client, probe, audit },
      {
        contactId,
        incidentId,
        marker,
        subject,
        contactWrittenAt,
        incidentWrittenAt,
        incidentAnsweredAt,
        ...(phoneLagMs === undefined ? {} : { phoneLagMs }),
      },
      env,
      checks,
    );
  }
  const field = config.b2cservice_incident_sms_field;
  if (field !== undefined) {
    if (incidentId === undefined)
      checks.push({
        name: 'custom field',
        status: 'skip',
        detail: `customFields.c.${field} not checked: no test incident`,
      });
    else await customField(probe, incidentId, field, checks);
  }
  let incidentLeft = false;
  if (incidentId !== undefined) {
    const id = incidentId;
    try {
      await client.deleteIncident(id);
    } catch (error) {
      incidentLeft = true;
      checks.push(deleteFailure('incidents', error));
    }
  }
  if (contactId !== undefined) {
    try {
      await client.deleteContact(contactId);
      // Deleting a contact also deletes the incidents it was the last contact of (documented).
      checks.push({
        name: 'clean-up',
        status: incidentLeft ? 'warn' : 'ok',
        detail: incidentLeft
          ? `test contact ${contactId} removed, and with it test incident ${incidentId ?? ''} (its last contact)`
          : `may delete contacts${incidentId === undefined ? '' : ' and incidents'}: the test data is removed`,
      });
    } catch (error) {
      checks.push(deleteFailure('contacts', error));
      checks.push({
        name: 'left behind',
        status: 'fail',
        detail: `test contact ${contactId}${incidentLeft ? ` and test incident ${incidentId ?? ''}` : ''} (${marker}): delete by hand`,
        fix: 'delete them in the agent console',
      });
    }
  }
}

async function customField(probe: SiteProbe, incidentId: number, field: string, checks: Check[]): Promise<void> {
  // As long as the longest message id the function stores there: a Twilio SID is 34 characters.
  const value = `SM${randomUUID().replace(/-/g, '')}`;
  try {
    await probe.setIncidentCustomField(incidentId, field, value);
    const read = await probe.incidentCustomField(incidentId, field);
    const cut = typeof read === 'string' && read.length < value.length && value.startsWith(read);
    checks.push(
      read === value
        ? {
            name: 'custom field',
            status: 'ok',
            detail: `customFields.c.${field} exists on incidents and holds a full ${value.length}-character message id`,
          }
        : {
            name: 'custom field',
            status: 'fail',
            detail: cut
              ? `customFields.c.${field} keeps only ${read.length} of the ${value.length} characters of a message id: look-ups by it would miss`
              : `customFields.c.${field} did not keep the text written (read back ${JSON.stringify(read)})`,
            fix: `make ${field} a Text custom field of Incident of at least 64 characters, or unset b2cservice_incident_sms_field`,
          },
    );
  } catch (error) {
    checks.push({
      name: 'custom field',
      status: 'fail',
      detail: `customFields.c.${field} refused: ${describe(error)}`,
      fix: `create a Text custom field '${field}' on Incident (visible to the API), or unset b2cservice_incident_sms_field`,
    });
  }
}

function writeFailure(
  name: 'contacts' | 'incidents',
  action: 'create' | 'update',
  error: unknown,
  config: DoctorConfig,
): Check {
  const e = asB2c(error);
  if (e?.status === 403)
    return {
      name,
      status: 'fail',
      detail: `the account may not ${action} ${name} (403)`,
      fix: `give the account's profile ${action} permission on ${name}`,
    };
  const named =
    name === 'contacts'
      ? `phone type '${config.b2cservice_phone_type}'`
      : `thread entry type '${config.b2cservice_thread_entry_type}'`;
  return {
    name,
    status: 'fail',
    detail: `${action} failed: ${describe(error)}`,
    fix: e?.status === 400 ? `check the ${named} and the fields above` : 'see the error above',
  };
}

function deleteFailure(name: 'contacts' | 'incidents', error: unknown): Check {
  const e = asB2c(error);
  if (e?.status === 403) {
    return {
      name: `delete ${name}`,
      status: 'fail',
      detail: `the account may not delete ${name} (403): a failed run could not undo the ${name.slice(0, -1)} it created`,
      fix: `give the account's profile delete permission on ${name}`,
    };
  }
  return {
    name: `delete ${name}`,
    status: 'fail',
    detail: `delete failed: ${describe(error)}`,
    fix: 'see the error above',
  };
}

/**
 * How the site's contacts store the configured phone type: with the country code (what the `e164`
 * policy finds) or typed without it (only the `national` policy finds those).
 */
async function phoneForms(probe: SiteProbe, config: DoctorConfig, limit: number, checks: Check[]): Promise<void> {
  let phones;
  try {
    phones = await probe.storedPhones(config.b2cservice_phone_type, limit);
  } catch (error) {
    checks.push({
      name: 'stored numbers',
      status: 'warn',
      detail: `could not sample contacts' numbers (${describe(error)})`,
    });
    return;
  }
  if (phones.length === 0) {
    checks.push({
      name: 'stored numbers',
      status: 'ok',
      detail: `no contact holds a '${config.b2cservice_phone_type}' number yet`,
    });
    return;
  }
  const international = phones.filter((p) => hasCountryCode(p.number)).length;
  const national = phones.length - international;
  const detail = `of ${phones.length} sampled '${config.b2cservice_phone_type}' numbers, ${international} carry a country code, ${national} were typed without one`;
  if (national > 0 && config.b2cservice_phone_match === 'e164') {
    checks.push({
      name: 'stored numbers',
      status: 'warn',
      detail: `${detail}: with b2cservice_phone_match=e164 an SMS from those contacts creates a second contact`,
      fix: 'consider b2cservice_phone_match=national (see docs/configuration.md for its caveats)',
    });
  } else {
    checks.push({ name: 'stored numbers', status: 'ok', detail: `${detail} (match ${config.b2cservice_phone_match})` });
  }
}

/** `+1 415…`, `00 44…`, or digits that parse as an international number with its country code. */
function hasCountryCode(number: string): boolean {
  const compact = number.replace(/[\s().-]/g, '');
  if (compact.startsWith('+') || compact.startsWith('00')) return true;
  return parsePhoneNumberFromString(`+${compact}`)?.isValid() === true && !compact.startsWith('0');
}

function asB2c(error: unknown): B2cError | undefined {
  return error instanceof B2cError ? error : undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The report as the integrator reads it: one line per check, a fix under each failure. */
export function formatDoctor(report: DoctorReport): string {
  const lines = [`sms-incident doctor: ${report.site}`];
  for (const c of report.checks) {
    lines.push(`  ${c.status.toUpperCase().padEnd(5)} ${c.name.padEnd(17)} ${c.detail}`);
    if (c.fix && c.status !== 'ok') lines.push(`  ${''.padEnd(5)} ${''.padEnd(17)} fix: ${c.fix}`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  lines.push(
    failed === 0
      ? 'ready: the function can create incidents on this site'
      : `${failed} check${failed === 1 ? '' : 's'} failed: fix ${failed === 1 ? 'it' : 'them'} before the first SMS`,
  );
  return lines.join('\n');
}

export const doctor: CliCommand = {
  name: ['doctor'],
  summary: 'check a B2C Service site before the first SMS: one line per precondition, ok or what to fix',
  options: { json: JSON_OPTION },
  details: [
    "Reads the function's settings from the environment, as the function has them:",
    '  b2cservice_hostname, b2cservice_username, b2cservice_password (required)',
    '  b2cservice_api_version, b2cservice_app_context, b2cservice_phone_type, b2cservice_thread_entry_type,',
    "  b2cservice_phone_match, b2cservice_incident_sms_field (optional, with the function's defaults)",
    'It creates a marked test contact and incident, and deletes them again.',
    'Exit 0: ready; 1: a check failed.',
  ].join('\n'),
  async run({ values }, io) {
    const report = await runDoctor(io.env);
    io.out(values.json === true ? JSON.stringify(report, null, 2) : formatDoctor(report));
    return report.ok ? 0 : 1;
  },
};
