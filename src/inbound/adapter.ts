import type { z } from 'zod';
import type { BodyKind } from './body.js';
import type { InboundSms } from './sms.js';

export const Provider = { twilio: 'twilio', vonage: 'vonage', generic: 'generic' } as const;
export type Provider = (typeof Provider)[keyof typeof Provider];

/**
 * How the function answers a provider: Twilio's Messaging webhook wants TwiML (a JSON answer is
 * error 12300), Vonage only a 2xx, everything else the JSON answer.
 */
export const Dialect = { twiml: 'twiml', vonage: 'vonage', json: 'json' } as const;
export type Dialect = (typeof Dialect)[keyof typeof Dialect];

/** A provider's payload shape: which bodies it reads, its zod schema and its mapping to {@link InboundSms}. */
export interface ProviderAdapter<T = unknown> {
  /** e.g. `twilio-messaging-webhook`: names the shape in logs. */
  readonly id: string;
  readonly provider: Provider;
  readonly dialect: Dialect;
  readonly accepts: readonly BodyKind[];
  readonly schema: z.ZodType<T>;
  /** The field that holds the text, left out of `raw` (the note carries the text once). */
  readonly textField: string;
  toSms(payload: T): InboundSms;
}
