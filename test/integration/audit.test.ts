/**
 * `sms-incident runs audit` (the built CLI) on the journal the function wrote under the fdk, against
 * the emulated site over HTTP. What the function could leave behind (a write applied after the
 * late-write window, a note added twice, a contact cut off before its phone) is written to the site
 * as the function writes it, with its own client.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createB2cClient } from '../../src/b2c/index.js';
import { auditDesk, auditRuns } from '../../src/function/audit.js';
import { loadConfig } from '../../src/config.js';
import { fileJournal } from '../../src/journal/index.js';
import { InboundSmsSchema } from '../../src/inbound/index.js';
import type { EmulatorSite } from '../../src/emulator/index.js';
import { contactMarker } from '../../workflows/sms-to-incident.js';
import { incidentSubject, smsNote } from '../../workflows/sms-content.js';
import { cli } from '../helpers/cli.js';
import { webhook } from '../helpers/exactly-once-stack.js';
import { CREDENTIALS, startStack, type Stack } from '../helpers/stack.js';

let stack: Stack | undefined;
let dir: string | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function start(env: Record<string, string> = {}, site?: EmulatorSite) {
  dir = await mkdtemp(join(tmpdir(), 'audit-'));
  stack = await startStack({ env: { run_journal: `file:${dir}`, ...env }, ...(site ? { site } : {}) });
  const fnEnv = {
    b2cservice_hostname: stack.emulator.url,
    b2cservice_username: CREDENTIALS.username,
    b2cservice_password: CREDENTIALS.password,
    ...env,
  };
  const client = createB2cClient({
    baseUrl: `${stack.emulator.url}/services/rest/connect/v1.4`,
    username: CREDENTIALS.username,
    password: CREDENTIALS.password,
    appContext: 'sms-incident',
  });
  return { journal: `file:${dir}`, fnEnv, client };
}

/** One message through the function, and what it stored: the run and the parsed SMS. */
async function deliver(sid: string, text: string) {
  const res = await stack!.post(webhook({ sid, body: text }));
  expect(res.status).toBe(200);
  const record = (await fileJournal(dir!).list()).find((r) => r.messageId === sid)!;
  return { res, record, sms: InboundSmsSchema.parse(record.payload) };
}

describe('sms-incident runs audit', { timeout: 120_000 }, () => {
  it('lists a duplicate incident, a second note and a phoneless contact the function made; --fix resolves what is provably ours; a second --fix changes nothing', async () => {
    // Prepare: three messages through the function, then what late and repeated writes would leave
    const { journal, fnEnv, client } = await start();
    const a = await deliver(`SM${'a'.repeat(32)}`, 'printer on fire');
    const b = await deliver(`SM${'b'.repeat(32)}`, 'no toner');
    const c = await deliver(`SM${'c'.repeat(32)}`, 'paper jam');
    const contactId = a.res.json.contactId as number;
    // a: its incident creation applied a second time, later, with the note (past the window)
    const dup = await client.createIncident({ subject: incidentSubject(a.sms), primaryContactId: contactId });
    await client.addThread(dup.id, smsNote(a.sms));
    // b: its note added twice
    await client.addThread(b.res.json.incidentId as number, smsNote(b.sms));
    // c: a contact it created and was cut off from before giving it the number
    const orphan = await client.createContact({
      firstName: 'SMS',
      lastName: 'User',
      externalReference: contactMarker(c.record.runId),
    });
    // someone else's look-alike: same contact and subject as c, no note (an agent's, say): not ours to touch
    const agents = await client.createIncident({ subject: incidentSubject(c.sms), primaryContactId: contactId });

    // Act
    const listed = await cli(['runs', 'audit', '--since', '1h', '--json', '--journal', journal], fnEnv);
    const fixedRun = await cli(['runs', 'audit', '--since', '1h', '--fix', '--journal', journal], fnEnv);
    const again = await cli(['runs', 'audit', '--since', '1h', '--fix', '--json', '--journal', journal], fnEnv);

    // Assess: the listing
    expect(listed.code).toBe(1);
    const found = JSON.parse(listed.stdout) as {
      findings: { kind: string; id: number; runId: string; ours: boolean; fixed?: string }[];
      runs: number;
    };
    expect(found.runs).toBe(3);
    expect(found.findings.map((f) => `${f.kind} ${f.id} ${f.runId} ${f.ours}`).sort()).toEqual([
      `duplicate-incident ${dup.id} ${a.record.runId} true`,
      `noteless-incident ${agents.id} ${c.record.runId} false`,
      `phoneless-contact ${orphan.id} ${c.record.runId} true`,
      `second-note ${b.res.json.incidentId as number} ${b.record.runId} true`,
    ]);
    expect(found.findings.every((f) => f.fixed === undefined)).toBe(true);
    // Assess: the fix
    expect(fixedRun.stdout).toMatch(new RegExp(`duplicate-incident +incident ${dup.id} .*FIXED: deleted`));
    expect(fixedRun.stdout).toMatch(new RegExp(`phoneless-contact +contact ${orphan.id} .*FIXED: deleted`));
    expect(fixedRun.stdout).toMatch(/second-note .*delete the later one in the agent console/);
    expect(fixedRun.stdout).toMatch(/noteless-incident .*\(not provably ours: left alone\)/);
    const { incidents, contacts } = stack!.emulator.state();
    expect(incidents.map((i) => i.id).sort()).toEqual(
      [a.res.json.incidentId, b.res.json.incidentId, c.res.json.incidentId, agents.id].sort(),
    );
    expect(contacts.map((x) => x.id)).toEqual([contactId]);
    // Assess: safe to run twice (what it cannot fix is still listed, nothing new is done)
    const second = JSON.parse(again.stdout) as { findings: { kind: string; fixed?: string }[] };
    expect(second.findings.map((f) => f.kind).sort()).toEqual(['noteless-incident', 'second-note']);
    expect(second.findings.every((f) => f.fixed === undefined)).toBe(true);
    expect(stack!.emulator.state().incidents).toHaveLength(4);
  });

  it('with the message id in a custom field, a note-less second incident is provably ours and --fix deletes it (the importable function, as the soak calls it)', async () => {
    // Prepare
    const { fnEnv, client } = await start(
      { b2cservice_incident_sms_field: 'sms_sid' },
      { incidentCustomFields: { sms_sid: 'text' } },
    );
    const a = await deliver(`SM${'d'.repeat(32)}`, 'printer on fire');
    const late = await client.createIncident({
      subject: incidentSubject(a.sms),
      primaryContactId: a.res.json.contactId as number,
      customField: { name: 'sms_sid', value: a.sms.messageId },
    });
    const config = loadConfig(fnEnv);

    // Act
    const report = await auditRuns(fileJournal(dir!), auditDesk(config), {
      since: Date.now() - 3_600_000,
      fix: true,
      incidentSmsField: 'sms_sid',
    });
    const after = await auditRuns(fileJournal(dir!), auditDesk(config), {
      since: Date.now() - 3_600_000,
      fix: true,
      incidentSmsField: 'sms_sid',
    });

    // Assess
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: 'noteless-incident', id: late.id, ours: true, fixed: 'deleted' }),
    ]);
    expect(after).toMatchObject({ runs: 1, findings: [], errors: [] });
    expect(stack!.emulator.state().incidents.map((i) => i.id)).toEqual([a.res.json.incidentId]);
  });
});
