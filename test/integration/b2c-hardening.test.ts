// The function's side of the B2C connection, attacked through dist/func.js under the real fdk:
// credentials in clear text, a header the API would refuse, answers too large, details echoed back.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const webhook = (id: string, text = 'printer on fire'): string => JSON.stringify({ id, from: '+4915112345678', text });

describe('config that would leak or fail every call is refused at load', () => {
  it('refuses an http:// site that is not loopback with 500 naming b2cservice_hostname, nothing sent', async () => {
    // Prepare
    stack = await startStack({ env: { b2cservice_hostname: 'http://site.example.com' } });

    // Act
    const res = await stack.post(webhook('msg-http-1'));

    // Assess
    expect(res.status).toBe(500);
    expect(res.json).toMatchObject({
      message: 'function configuration error',
      problems: [{ key: 'b2cservice_hostname' }],
    });
    expect(String((res.json.problems as { problem: string }[])[0]!.problem)).toMatch(/clear text/);
    expect(stack.fn.output()).not.toContain('pa55-w0rd');
  });

  it('accepts it with b2cservice_allow_http=true, warning once at start', async () => {
    // Prepare
    stack = await startStack({
      env: { b2cservice_hostname: 'http://site.example.com', b2cservice_allow_http: 'true' },
    });

    // Act: malformed, so the config is loaded and nothing needs the network
    const first = await stack.post('{"id":');
    const second = await stack.post('{"id":');

    // Assess
    expect(first.status).toBe(400);
    expect(second.status).toBe(400);
    expect(stack.fn.output().match(/plain http \(b2cservice_allow_http=true\)/g)).toHaveLength(1);
  });

  it('keeps http:// to the loopback emulator (the test stack itself) working', async () => {
    // Prepare
    stack = await startStack();

    // Act
    const res = await stack.post(webhook('msg-loopback-1'));

    // Assess
    expect(stack.emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    expect(res.status).toBe(200);
  });

  it('refuses an application context with control characters as a config error, not a retried network failure', async () => {
    // Prepare
    stack = await startStack({ env: { b2cservice_app_context: 'sms\r\nX-Injected: 1' } });

    // Act
    const res = await stack.post(webhook('msg-ctx-1'));

    // Assess
    expect(res.status).toBe(500);
    expect(res.json).toMatchObject({
      message: 'function configuration error',
      problems: [{ key: 'b2cservice_app_context' }],
    });
    expect(stack.emulator.requests()).toEqual([]);
  });
});

describe('what B2C Service answers stays on our side', () => {
  it('fails an attempt whose answer is larger than the cap as retryable: the next attempt creates the incident', async () => {
    // Prepare: one 3 MB error answer to the look-up (a 400: permanent, were it read)
    stack = await startStack();
    stack.emulator.addFault({
      method: 'GET',
      path: '/contacts',
      action: 'status',
      status: 400,
      detail: 'x'.repeat(3 * 1024 * 1024),
      times: 1,
    });

    // Act
    const res = await stack.post(webhook('msg-huge-1'));

    // Assess
    expect(res.status).toBe(200);
    expect(stack.emulator.state().incidents).toHaveLength(1);
    expect(stack.fn.output()).toMatch(/body larger than 1048576 bytes/);
  });

  it('answers a refused call with our code and a short message; B2C’s detail only in the logs and the journal, phone masked', async () => {
    // Prepare
    const journalDir = await mkdtemp(join(tmpdir(), 'detail-'));
    stack = await startStack({ env: { run_journal: `file:${journalDir}` } });
    const detail = 'DETAIL-FROM-B2C subject rejected for contact +4915112345678';
    stack.emulator.addFault({
      method: 'POST',
      path: '/incidents',
      action: 'status',
      status: 400,
      errorCode: 'OSC-CREST-00006',
      detail,
    });

    // Act
    const res = await stack.post(webhook('msg-detail-1'));

    // Assess: the answer
    expect(res.status).toBe(502);
    expect(res.json).toMatchObject({
      failedStep: 'create-incident',
      error: {
        type: 'OSC-CREST-00006',
        code: 'b2c_refused',
        message: 'B2C Service refused the request',
        retryable: false,
      },
    });
    expect(res.body.toString('utf8')).not.toContain('DETAIL-FROM-B2C');
    // the log lines and the journal keep it, masked
    const logged = stack.fn.output();
    expect(logged).toContain('DETAIL-FROM-B2C');
    expect(logged).not.toContain('+4915112345678');
    const records = (await readdir(journalDir)).filter((n) => n.endsWith('.json'));
    const journal = (await Promise.all(records.map((n) => readFile(join(journalDir, n), 'utf8')))).join('\n');
    expect(journal).toContain('DETAIL-FROM-B2C');
    expect(journal).not.toMatch(/contact \+4915112345678/);
    await rm(journalDir, { recursive: true, force: true });
  });
});
