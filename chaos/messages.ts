/**
 * The soak's inbound messages: several providers' shapes, a pool of senders (some already
 * known to the site), a few texts repeated on purpose (same sender, same text).
 */
import type { Random } from './random.js';

export interface SoakMessage {
  /** The provider's message id: what the note on the incident names. */
  readonly id: string;
  readonly provider: 'twilio' | 'twilio-form' | 'vonage' | 'generic';
  /** E.164. */
  readonly from: string;
  readonly body: string;
  readonly contentType: string;
}

export interface Senders {
  /** Numbers the site already has a contact for. */
  readonly known: readonly string[];
  readonly fresh: readonly string[];
}

export function senders(count: number, knownShare: number, random: Random): Senders {
  const all = Array.from(
    { length: count },
    (_, i) => `+1555${String(2_000_000 + i * 7919 + random.int(0, 6)).padStart(7, '0')}`,
  );
  const known = all.slice(0, Math.round(count * knownShare));
  return { known, fresh: all.slice(known.length) };
}

const SHORT = ['yes', 'no', 'help', 'stop'];

export function messages(n: number, pool: Senders, random: Random, seed: number): SoakMessage[] {
  const numbers = [...pool.known, ...pool.fresh];
  return Array.from({ length: n }, (_, i) => {
    const from = random.pick(numbers);
    const text = random.chance(0.1)
      ? random.pick(SHORT)
      : `soak ${seed}/${i}: the ${random.pick(['router', 'meter', 'heater', 'line'])} is ${random.pick(['down', 'noisy', 'blinking', 'dead'])} ✓`;
    const provider = random.pick(['twilio', 'twilio-form', 'vonage', 'generic'] as const);
    const n32 = `${seed.toString(16)}x${i.toString(16)}`.padStart(32, '0');
    switch (provider) {
      case 'twilio':
        return {
          id: `SM${n32}`,
          provider,
          from,
          contentType: 'application/json; charset=utf-8',
          body: JSON.stringify({
            sid: `SM${n32}`,
            account_sid: `AC${'0'.repeat(32)}`,
            from,
            to: '+15558675310',
            body: text,
            num_media: '0',
            status: 'received',
          }),
        };
      case 'twilio-form': {
        const form = new URLSearchParams({
          MessageSid: `SM${n32}`,
          SmsMessageSid: `SM${n32}`,
          AccountSid: `AC${'0'.repeat(32)}`,
          From: from,
          To: '+15558675310',
          Body: text,
          NumMedia: '0',
        });
        return {
          id: `SM${n32}`,
          provider,
          from,
          contentType: 'application/x-www-form-urlencoded',
          body: form.toString(),
        };
      }
      case 'vonage':
        return {
          id: `0A${n32.slice(-16).toUpperCase()}`,
          provider,
          from,
          contentType: 'application/json',
          body: JSON.stringify({
            msisdn: from.slice(1),
            to: '447700900000',
            messageId: `0A${n32.slice(-16).toUpperCase()}`,
            text,
            type: 'text',
            'message-timestamp': '2026-11-27 17:20:06',
          }),
        };
      case 'generic':
        return {
          id: `msg-${n32}`,
          provider,
          from,
          contentType: 'application/json',
          body: JSON.stringify({ id: `msg-${n32}`, from, to: '+4930123456', text, receivedAt: '2026-11-27T17:20:06Z' }),
        };
      default:
        throw new Error(`no message shape for ${provider satisfies never}`);
    }
  });
}
