/**
 * A failed compensation, cleaned up from `runs show` alone: the run's record says what is left in
 * B2C Service and what was deleted, the undo's attempts and error, the trace of each execution and
 * the commands to finish; the log line names the ids. Through the fdk and the built CLI.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FROM, startTwoContainers, webhook, type TwoContainers } from '../helpers/exactly-once-stack.js';
import { cli } from '../helpers/cli.js';

let stack: TwoContainers | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('a failed compensation, from alarm to clean-up', () => {
  it("runs show names what is left, the undo errors, each execution's trace, and the commands; the redrive after clean-up makes one incident", async () => {
    // Prepare: the new contact's number is refused for good, and its undo cannot read the contact
    stack = await startTwoContainers();
    stack.emulator.addFault({
      method: 'PATCH',
      path: '/contacts/*',
      action: 'status',
      status: 400,
      errorCode: 'OSC-CREST-00006',
      detail: 'bad phone',
      times: 1,
    });
    stack.emulator.addFault({
      method: 'GET',
      path: '/contacts/*/phones',
      action: 'status',
      status: 500,
      errorCode: 'OSC-CREST-00009',
      detail: 'read failed',
      times: 4,
    });
    const failed = await stack.post(stack.fns[0], webhook());
    const journal = `file:${stack.journalDir}`;
    const runId = failed.json.runId as string;
    const left = stack.emulator.state().contacts[0]!;

    // Act: what the alarm body says to run, then show
    const list = await cli(['runs', 'list', '--compensation', 'failed', '--since', '15m', '--journal', journal]);
    const show = await cli(['runs', 'show', runId, '--journal', journal], {
      b2cservice_hostname: stack.emulator.url,
      SMS_INCIDENT_TRACE_URL: 'https://apm.example/trace/{traceId}',
    });
    const json = await cli(['runs', 'show', runId, '--json', '--journal', journal]);

    // Assess: the answer and the log line
    expect(failed.status).toBe(502);
    expect(failed.json).toMatchObject({ failedStep: 'add-phone', compensation: 'failed' });
    const logLine = stack.fns[0]
      .output()
      .split('\n')
      .find((l) => l.includes('compensation failed: manual clean-up needed'));
    expect(JSON.parse(logLine!)).toMatchObject({
      runId,
      step: 'create-contact',
      attempts: 4,
      contactId: left.id,
      next: `sms-incident runs show ${runId}`,
    });
    // Assess: list and show
    expect(list.stdout).toContain(runId);
    expect(list.stdout).toContain('failed (undo failed)');
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(
      new RegExp(
        `contact ${left.id} +LEFT: the undo of create-contact failed after 4 attempts: OSC-CREST-00009: .*read failed`,
      ),
    );
    expect(stack.emulator.requests().some((r) => r.method === 'DELETE')).toBe(false);
    expect(show.stdout).toContain(
      `curl -X DELETE -u "$B2C_USER:$B2C_PASSWORD" -H 'OSvC-CREST-Application-Context: sms-incident' ${stack.emulator.url}/services/rest/connect/v1.4/contacts/${left.id}`,
    );
    expect(show.stdout).toContain(`2. sms-incident runs redrive ${runId} --force --journal ${journal}`);
    expect(show.stdout).toMatch(/trace {5}[0-9a-f]{32} {2}https:\/\/apm\.example\/trace\/[0-9a-f]{32}/);
    expect(show.stdout).not.toContain(FROM);
    const summary = (JSON.parse(json.stdout) as { summary: { cleanup: unknown[] } }).summary;
    expect(summary.cleanup).toEqual([
      expect.objectContaining({
        kind: 'contact',
        id: left.id,
        step: 'create-contact',
        state: 'left',
        undoAttempts: 4,
        undoError: { type: 'OSC-CREST-00009', message: expect.stringContaining('read failed') },
      }),
    ]);

    // Act: the clean-up the screen asked for, then the redrive
    const deleted = await fetch(`${stack.emulator.url}/services/rest/connect/v1.4/contacts/${left.id}`, {
      method: 'DELETE',
      headers: {
        authorization: `Basic ${Buffer.from('sms-api:pa55-w0rd-not-for-logs').toString('base64')}`,
        'osvc-crest-application-context': 'sms-incident',
      },
    });
    const redrive = await cli(['runs', 'redrive', runId, '--force', '--journal', journal], stack.env);
    const after = await cli(['runs', 'show', runId, '--journal', journal]);

    // Assess: one incident; the first execution keeps its trace in the history
    expect(deleted.status).toBe(200);
    expect(redrive.code).toBe(0);
    expect(stack.emulator.state().incidents).toHaveLength(1);
    expect(stack.emulator.state().incidents[0]!.threads).toHaveLength(1);
    expect(stack.emulator.state().contacts.map((c) => c.id)).not.toContain(left.id);
    expect(stack.emulator.state().contacts).toHaveLength(1);
    expect(after.stdout).toMatch(/claimed +\S+ +trace [0-9a-f]{32}/);
    expect(after.stdout).toMatch(/restarted +cli@/);
  });
});
