/**
 * `sms-incident doctor` against the B2C Service emulator over real HTTP: a site where everything
 * the function needs is in place, then one broken precondition at a time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctor, formatDoctor, type DoctorReport } from '../../src/cli/doctor.js';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import { cli } from '../helpers/cli.js';

const CREDENTIALS = { username: 'sms-api', password: 'pa55-w0rd-not-for-logs' };
let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function doctor(
  site: EmulatorOptions['site'] = undefined,
  env: Record<string, string> = {},
): Promise<{ report: DoctorReport; text: string; line: (name: string) => string }> {
  emulator ??= await startEmulator({ ...CREDENTIALS, ...(site ? { site } : {}) });
  const report = await runDoctor({
    b2cservice_hostname: emulator.url,
    b2cservice_username: CREDENTIALS.username,
    b2cservice_password: CREDENTIALS.password,
    ...env,
  });
  const text = formatDoctor(report);
  return {
    report,
    text,
    line: (name) =>
      text.split('\n').find((l) => l.trim().split(/\s+/)[1] === name.split(' ')[0] && l.includes(name)) ??
      `(no line for ${name})`,
  };
}

describe('sms-incident doctor', { timeout: 120_000 }, () => {
  it('passes against a site set up as the function needs, and removes its test contact and incident', async () => {
    // Prepare
    const site = { incidentCustomFields: { sms_sid: 'text' as const } };

    // Act
    const { report, text } = await doctor(site, { b2cservice_incident_sms_field: 'sms_sid' });

    // Assess
    expect(report.ok, text).toBe(true);
    expect(report.checks.map((c) => `${c.name}:${c.status}`)).toEqual([
      'api:ok',
      'phone type:ok',
      'thread entry type:ok',
      'contacts:ok',
      'phone look-up:ok',
      'incidents:ok',
      'reconcile reads:ok',
      'search lag:ok',
      'clock:ok',
      'ROQL backslash:ok',
      'note text:ok',
      'custom field:ok',
      'clean-up:ok',
      'stored numbers:ok',
    ]);
    expect(text).toContain("'Mobile Phone' exists (id 1)");
    // every read a reconcile makes, measured on the test records
    expect(report.checks.find((c) => c.name === 'reconcile reads')?.detail).toBe(
      'every look-up a reconcile makes answers as expected: GET /contacts?q=externalReference, GET /incidents?q=primaryContact.id, GET /incidents?q=primaryContact.id+createdTime+subject, GET /contacts/{id}/phones, GET /incidents/{id}/threads',
    );
    expect(text).toMatch(
      /OK +search lag +a new record shows in q= searches after \d+ ms at most \(phone \d+ ms, contact by externalReference \d+ ms, incident by primaryContact.id \d+ ms\); b2cservice_search_lag_ms=2000 covers it/,
    );
    expect(text).toContain(
      "found with the backslash doubled (the function's literal), not undoubled: a backslash escapes in ROQL literals, doubling it is right",
    );
    expect(text).toContain('a note comes back byte for byte (CRLF and LF line ends, trailing spaces, an emoji)');
    expect(text).toContain('customFields.c.sms_sid exists on incidents and holds a full 34-character message id');
    expect(text).toContain('ready: the function can create incidents on this site');
    expect(emulator!.state()).toEqual({ contacts: [], incidents: [] });
    // the look-up is the function's own query
    expect(
      emulator!
        .requests()
        .some(
          (r) =>
            r.method === 'GET' &&
            r.resource === '/contacts' &&
            /^phones\.rawNumber = '1202555\d{4}'$/.test(r.query.q ?? ''),
        ),
    ).toBe(true);
  });

  it('fails with one clear line on a wrong password', async () => {
    const { report, line } = await doctor(undefined, { b2cservice_password: 'wrong' });
    expect(report.ok).toBe(false);
    expect(line('api')).toMatch(/FAIL +api +credentials refused \(401\)/);
    expect(report.checks).toHaveLength(1);
  });

  it('fails with one clear line when the site refuses the application context', async () => {
    emulator = await startEmulator(CREDENTIALS);
    emulator.addFault({
      method: 'GET',
      path: '/',
      action: 'status',
      status: 400,
      errorCode: 'OSC-CREST-00016',
      detail: 'The OSvC-CREST-Application-Context header is required for version v1.4',
    });
    const { report, text } = await doctor();
    expect(report.ok).toBe(false);
    expect(text).toMatch(/FAIL +api +the OSvC-CREST-Application-Context header was refused/);
    expect(text).toContain('fix: set b2cservice_app_context');
  });

  it('fails on a phone type the site does not have (a localised site), naming the ones it has', async () => {
    const spanish = {
      phoneTypes: [
        { id: 0, lookupName: 'Teléfono de oficina' },
        { id: 1, lookupName: 'Teléfono móvil' },
      ],
    };
    const { report, line } = await doctor(spanish);
    expect(report.ok).toBe(false);
    expect(line('phone type')).toContain(
      "FAIL  phone type        'Mobile Phone' is not a phone type on this site (lookupNames are localised); it has: 'Teléfono de oficina', 'Teléfono móvil'",
    );
    expect(report.checks.find((c) => c.name === 'phone type')?.fix).toBe('set b2cservice_phone_type to one of them');
    // and with the site's name, it passes
    const fixed = await doctor(spanish, { b2cservice_phone_type: 'Teléfono móvil' });
    expect(fixed.report.ok).toBe(true);
  });

  it('fails on a custom field the site does not have', async () => {
    const { report, line } = await doctor(
      { incidentCustomFields: { other_field: 'text' } },
      { b2cservice_incident_sms_field: 'sms_sid' },
    );
    expect(report.ok).toBe(false);
    expect(line('custom field')).toMatch(/FAIL +custom field +customFields\.c\.sms_sid refused: .*400/);
    expect(emulator!.state()).toEqual({ contacts: [], incidents: [] });
  });

  it('fails on a custom field that is not text', async () => {
    const { line } = await doctor(
      { incidentCustomFields: { sms_sid: 'integer' } },
      { b2cservice_incident_sms_field: 'sms_sid' },
    );
    expect(line('custom field')).toMatch(/FAIL +custom field +customFields\.c\.sms_sid refused: .*integer field/);
  });

  it('fails when the account may not delete incidents: a failed run could not be undone', async () => {
    const { report, line } = await doctor({ denied: { incidents: ['delete'] } });
    expect(report.ok).toBe(false);
    expect(line('delete incidents')).toContain(
      'FAIL  delete incidents  the account may not delete incidents (403): a failed run could not undo the incident it created',
    );
    // deleting the test contact took its incident with it
    expect(emulator!.state()).toEqual({ contacts: [], incidents: [] });
  });

  it('fails when the account may not create contacts', async () => {
    const { line } = await doctor({ denied: { contacts: ['create'] } });
    expect(line('contacts')).toContain('FAIL  contacts          the account may not create contacts (403)');
  });

  it('samples how existing contacts store numbers, and says when the e164 policy would miss some', async () => {
    emulator = await startEmulator(CREDENTIALS);
    emulator.seedContact('+14155550101');
    emulator.seedContact('+1 (415) 555-0102');
    emulator.seedContact('(415) 555-0103');
    emulator.seedContact('07700 900001');
    const e164 = await doctor();
    const national = await doctor(undefined, { b2cservice_phone_match: 'national' });
    expect(e164.line('stored numbers')).toContain(
      "WARN  stored numbers    of 4 sampled 'Mobile Phone' numbers, 2 carry a country code, 2 were typed without one: with b2cservice_phone_match=e164 an SMS from those contacts creates a second contact",
    );
    expect(e164.report.ok).toBe(true);
    expect(national.line('stored numbers')).toContain('OK    stored numbers    of 4 sampled');
  });

  it("runs from the built CLI with the function's environment, exit 0 when ready and 1 when not", async () => {
    emulator = await startEmulator(CREDENTIALS);
    const env = {
      b2cservice_hostname: emulator.url,
      b2cservice_username: CREDENTIALS.username,
      b2cservice_password: CREDENTIALS.password,
    };
    const ok = await cli(['doctor'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('ready: the function can create incidents on this site');
    const bad = await cli(['doctor', '--json'], { ...env, b2cservice_password: 'nope' });
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, checks: [{ name: 'api', status: 'fail' }] });
  });

  it('measures a site whose searches lag 1.5 s: the phone look-up waits for it, and doctor says which b2cservice_search_lag_ms to set', async () => {
    // Prepare
    emulator = await startEmulator(CREDENTIALS);
    emulator.setQuirks({ searchLagMs: 1500 });

    // Act
    const { report, line } = await doctor(undefined, { b2cservice_search_lag_ms: '2000' });

    // Assess
    expect(line('phone look-up')).toMatch(/OK +phone look-up/);
    const lag = report.checks.find((c) => c.name === 'search lag');
    expect(lag?.status).toBe('warn');
    expect(
      Number(/^set b2cservice_search_lag_ms=(\d+): a reconcile that stops looking sooner/.exec(lag?.fix ?? '')?.[1]),
    ).toBeGreaterThanOrEqual(3000);
    const worst = Number(/after (\d+) ms at most/.exec(lag?.detail ?? '')?.[1]);
    expect(worst).toBeGreaterThanOrEqual(1500);
    expect(worst).toBeLessThan(1750 + 1500); // one poll and a loaded machine
    expect(report.checks.find((c) => c.name === 'reconcile reads')?.status).toBe('ok');
    expect(emulator.state()).toEqual({ contacts: [], incidents: [] });
  });

  it('with b2cservice_search_lag_ms below the lag it measures, fails and says what to set', async () => {
    emulator = await startEmulator(CREDENTIALS);
    emulator.setQuirks({ searchLagMs: 1000 });
    const { report } = await doctor(undefined, { b2cservice_search_lag_ms: '500' });
    expect(report.ok).toBe(false);
    expect(report.checks.find((c) => c.name === 'search lag')).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/^set b2cservice_search_lag_ms=(2000|2500|3000)/),
    });
  });

  it('fails when the site creates an incident without the thread sent with it: every message would lose its note', async () => {
    // Prepare
    emulator = await startEmulator(CREDENTIALS);
    emulator.setQuirks({ threadsOnCreate: 'dropped' });

    // Act
    const { report, line } = await doctor();

    // Assess
    expect(line('incidents')).toMatch(
      /^ {2}FAIL {2}incidents +incident \d+ was created, but without the thread sent with it/,
    );
    expect(report.ok).toBe(false);
    expect(emulator.state()).toEqual({ contacts: [], incidents: [] });
  });

  it('reports how a note comes back on a site that stores CRLF and trims trailing white space', async () => {
    // Prepare
    emulator = await startEmulator(CREDENTIALS);
    emulator.setQuirks({ threadLineEnds: 'crlf', threadTrim: 'lines' });

    // Act
    const { report, line } = await doctor();

    // Assess
    expect(line('note text')).toContain(
      'OK    note text         a note comes back changed: LF line ends become CRLF, trailing spaces of lines are dropped, trailing spaces at the end are dropped',
    );
    expect(report.ok).toBe(true);
    expect(emulator.state()).toEqual({ contacts: [], incidents: [] });
  });

  it("fails when the site's clock runs further behind than a reconcile looks back, and says so", async () => {
    // Prepare: the site stamps its records 90 s in the past
    emulator = await startEmulator(CREDENTIALS);
    emulator.setQuirks({ clockOffsetMs: -90_000 });

    // Act
    const { report, line } = await doctor();

    // Assess
    expect(line('clock')).toMatch(
      /^ {2}FAIL {2}clock +the site's clock is about 90 s behind this machine's .*looks back only 60 s before a run's start/,
    );
    expect(report.checks.find((c) => c.name === 'clock')?.fix).toMatch(/NTP/);
    expect(report.ok).toBe(false);
    expect(emulator.state()).toEqual({ contacts: [], incidents: [] });
  });

  it('warns on a site clock 40 s behind, and passes one that is ahead or in step', async () => {
    emulator = await startEmulator(CREDENTIALS);
    emulator.setQuirks({ clockOffsetMs: -40_000 });
    expect((await doctor()).line('clock')).toMatch(/^ {2}WARN {2}clock +the site's clock is about 40 s behind/);
    emulator.setQuirks({ clockOffsetMs: 300_000 });
    expect((await doctor()).line('clock')).toMatch(/^ {2}OK {4}clock +the site's clock is about 300 s ahead of/);
    emulator.setQuirks({});
    expect((await doctor()).line('clock')).toMatch(
      /^ {2}OK {4}clock +the site's clock is (within a second of|about 1 s)/,
    );
  });
});
