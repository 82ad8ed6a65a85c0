// The function's side of the B2C connection, attacked through dist/func.js under the real fdk:
// credentials in clear text, a header the API would refuse, answers too large, details echoed back.
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
    expect(res.json).toMatchObject({ message: 'function configuration error', problems: [{ key: 'b2cservice_hostname' }] });
    expect(String((res.json.problems as { problem: string }[])[0]!.problem)).toMatch(/clear text/);
    expect(stack.fn.output()).not.toContain('pa55-w0rd');
  });

  it('accepts it with b2cservice_allow_http=true, warning once at start', async () => {
    // Prepare
    stack = await startStack({ env: { b2cservice_hostname: 'http://site.example.com', b2cservice_allow_http: 'true' } });

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
    expect(res.json).toMatchObject({ message: 'function configuration error', problems: [{ key: 'b2cservice_app_context' }] });
    expect(stack.emulator.requests()).toEqual([]);
  });
});
