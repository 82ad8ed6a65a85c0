import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { assembleSmsService } from '../../src/function/sms-service.js';
import { memoryJournal, type RunJournal } from '../../src/journal/index.js';

let emulator: RunningEmulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('the answer is told before the final record is written', () => {
  it("calls onAnswer with the run's answer while its final record is still to be written, so the telemetry flush overlaps that write", async () => {
    // Prepare: the B2C Service emulator over HTTP; a journal that notes each write
    emulator = await startEmulator({ username: 'u', password: 'p' });
    const config = loadConfig({
      b2cservice_hostname: emulator.url,
      b2cservice_username: 'u',
      b2cservice_password: 'p',
      webhook_signature: 'off',
    });
    const events: string[] = [];
    const inner = memoryJournal();
    const journal: RunJournal = {
      ...inner,
      description: 'noting',
      update: (r, v) => {
        events.push(`write ${r.status}`);
        return inner.update(r, v);
      },
    };
    const service = assembleSmsService(config, { env: {}, journal });
    const sms = { provider: 'twilio', messageId: 'SM0001', from: '+15550100001', text: 'printer on fire', media: [] };

    // Act
    const answer = await service.accept(sms, {
      deadline: Date.now() + 20_000,
      onAnswer: (a) => events.push(`answer ${a.status}`),
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(events.at(-2)).toBe('answer 200');
    expect(events.at(-1)).toBe('write succeeded');
  });
});
