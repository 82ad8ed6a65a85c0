/**
 * `b2cservice_phone_match` against the emulator seeded with numbers in both forms: with the
 * country code (`+1 415…`) and typed by hand without it (`(415) 555-0103`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createB2cClient } from '../../src/b2c/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { startStack, type Stack } from '../helpers/stack.js';

let emulator: RunningEmulator | undefined;
let stack: Stack | undefined;
afterEach(async () => {
  await emulator?.close();
  await stack?.stop();
  emulator = undefined;
  stack = undefined;
});

async function seeded() {
  emulator = await startEmulator({ username: 'u', password: 'p' });
  const withCode = emulator.seedContact('+1 (415) 555-0101');
  const typedNational = emulator.seedContact('(415) 555-0103');
  const ukTyped = emulator.seedContact('07700 900001');
  const client = (phoneMatch: 'e164' | 'national') =>
    createB2cClient({
      baseUrl: `${emulator!.url}/services/rest/connect/v1.4`,
      username: 'u',
      password: 'p',
      appContext: 'test',
      phoneMatch,
    });
  return { withCode, typedNational, ukTyped, client };
}

describe('phone match policy', () => {
  it('e164 (default) finds numbers stored with their country code only', async () => {
    const { withCode, client } = await seeded();
    const e164 = client('e164');
    expect(await e164.findContactByPhone('+14155550101')).toBe(withCode.id);
    expect(await e164.findContactByPhone('+14155550103')).toBeUndefined();
    expect(await e164.findContactByPhone('+447700900001')).toBeUndefined();
  });

  it('national also finds numbers typed without the country code, exact matches first', async () => {
    const { withCode, typedNational, ukTyped, client } = await seeded();
    const national = client('national');
    expect(await national.findContactByPhone('+14155550103')).toBe(typedNational.id);
    expect(await national.findContactByPhone('+447700900001')).toBe(ukTyped.id);
    // a contact holding the exact number wins over one typed without the code
    const other = emulator!.seedContact('4155550101');
    expect(other.id).toBeGreaterThan(withCode.id);
    expect(await national.findContactByPhone('+14155550101')).toBe(withCode.id);
    const queries = emulator!
      .requests()
      .filter((r) => r.resource === '/contacts')
      .map((r) => r.query.q);
    expect(queries).toContain("phones.rawNumber like '%4155550103'");
    expect(queries).toContain("phones.rawNumber like '%7700900001'");
  });

  it('through the function: an SMS from a hand-typed contact creates a second contact under e164, none under national', async () => {
    const sms = (sid: string) =>
      JSON.stringify({ sid, from: '+14155550103', to: '+15005550006', body: 'printer on fire' });
    stack = await startStack();
    const typed = stack.emulator.seedContact('(415) 555-0103');
    const e164 = await stack.post(sms('SM00000000000000000000000000000001'));
    await stack.stop();
    stack = await startStack({ env: { b2cservice_phone_match: 'national' } });
    const seededAgain = stack.emulator.seedContact('(415) 555-0103');
    const national = await stack.post(sms('SM00000000000000000000000000000002'));
    expect(e164.json).toMatchObject({ contactCreated: true });
    expect(e164.json.contactId).not.toBe(typed.id);
    expect(national.json).toMatchObject({ contactCreated: false, contactId: seededAgain.id });
    expect(stack.emulator.state().contacts).toHaveLength(1);
  });
});
