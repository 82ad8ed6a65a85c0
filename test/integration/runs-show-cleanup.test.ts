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
  it("runs show names what is left and what was deleted, the undo errors, each execution's trace, and the commands; the redrive after clean-up makes one incident", async () => {
    // Prepare: the note is refused for good, and the incident cannot be deleted
    stack = await startTwoContainers();
    stack.emulator.addFault({
      method: 'PATCH',
      path: '/incidents/*',
      action: 'status',
      status: 400,
      errorCode: 'OSC-CREST-00006',
      detail: 'bad thread',
      times: 1,
    });
    stack.emulator.addFault({
      method: 'DELETE',
      path: '/incidents/*',
      action: 'status',
      status: 500,
      errorCode: 'OSC-CREST-00009',
      detail: 'delete failed',
      times: 4,
    });
    const failed = await stack.post(stack.fns[0], webhook());
    const journal = `file:${stack.journalDir}`;
    const runId = failed.json.runId as string;
    const { incidents } = stack.emulator.state();
    const left = incidents[0]!;

    // Act: what the alarm body says to run, then show
    const list = await cli(['runs', 'list', '--compensation', 'failed', '--since', '15m', '--journal', journal]);
    const show = await cli(['runs', 'show', runId, '--journal', journal], {
      b2cservice_hostname: stack.emulator.url,
      SMS_INCIDENT_TRACE_URL: 'https://apm.example/trace/{traceId}',
    });
    const json = await cli(['runs', 'show', runId, '--json', '--journal', journal]);

    // Assess: the answer and the log line
    expect(failed.status).toBe(502);
    expect(failed.json).toMatchObject({ compensation: 'failed' });
    const logLine = stack.fns[0]
      .output()
      .split('\n')
      .find((l) => l.includes('compensation failed: manual clean-up needed'));
    expect(JSON.parse(logLine!)).toMatchObject({
      runId,
      step: 'create-incident',
      attempts: 4,
      incidentId: left.id,
      referenceNumber: left.referenceNumber,
      next: `sms-incident runs show ${runId}`,
    });
    // Assess: list and show
    expect(list.stdout).toContain(runId);
    expect(list.stdout).toContain('failed (undo failed)');
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(
      new RegExp(
        `incident ${left.id} ${left.referenceNumber} +LEFT: the undo of create-incident failed after 4 attempts: OSC-CREST-00009: .*delete failed`,
      ),
    );
    // The contact carries the number, so its undo kept it (no DELETE was sent), and the screen says so
    const contact = stack.emulator.state().contacts[0]!;
    expect(stack.emulator.requests().some((r) => r.method === 'DELETE' && r.resource.startsWith('/contacts/'))).toBe(
      false,
    );
    expect(show.stdout).toContain(
      `contact ${contact.id}`.padEnd(28) +
        '  kept by the undo of create-contact: it carries the number: a look-up finds it, other messages may use it',
    );
    expect(show.stdout).not.toContain('deleted by the undo of create-contact');
    expect(show.stdout).toContain(
      `(contact ${contact.id} stays: the redrive uses it again; delete it by hand only if this SMS is given up)`,
    );
    expect(show.stdout).toContain(
      `curl -X DELETE -u "$B2C_USER:$B2C_PASSWORD" -H 'OSvC-CREST-Application-Context: sms-incident' ${stack.emulator.url}/services/rest/connect/v1.4/incidents/${left.id}`,
    );
    expect(show.stdout).toContain(`2. sms-incident runs redrive ${runId} --force --journal ${journal}`);
    expect(show.stdout).toMatch(/trace {5}[0-9a-f]{32} {2}https:\/\/apm\.example\/trace\/[0-9a-f]{32}/);
    expect(show.stdout).not.toContain(FROM);
    const summary = (JSON.parse(json.stdout) as { summary: { cleanup: unknown[] } }).summary;
    expect(summary.cleanup).toEqual([
      expect.objectContaining({
        kind: 'contact',
        id: contact.id,
        state: 'kept',
        reason: 'it carries the number: a look-up finds it, other messages may use it',
        step: 'create-contact',
      }),
      {
        kind: 'incident',
        id: left.id,
        referenceNumber: left.referenceNumber,
        step: 'create-incident',
        state: 'left',
        undoAttempts: 4,
        undoError: { type: 'OSC-CREST-00009', message: expect.stringContaining('delete failed') },
      },
    ]);

    // Act: the clean-up the screen asked for, then the redrive
    const deleted = await fetch(`${stack.emulator.url}/services/rest/connect/v1.4/incidents/${left.id}`, {
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
    expect(after.stdout).toMatch(/claimed +\S+ +trace [0-9a-f]{32}/);
    expect(after.stdout).toMatch(/restarted +cli@/);
  });
});
