import { z } from 'zod';
import type { ProviderAdapter } from './adapter.js';
import { messageId, messageText, recipientPhone, senderPhone } from './fields.js';
import { fromInternationalDigits } from './phone.js';
import type { InboundSms } from './sms.js';

/**
 * Vonage (Nexmo) SMS API inbound message, JSON or form (`../shared/fixtures/vonage-inbound.json`).
 * Numbers come in international format without `+`. A long message arrives as several webhooks
 * (`concat`, `concat-ref`, `concat-total`, `concat-part`): each part becomes its own incident
 * with the part's position in the note, since a stateless function cannot reassemble them.
 */
const scalar = z.union([z.string(), z.number()]).transform(String);

export const VonageInboundSchema = z
  .looseObject({
    msisdn: z.union([z.string(), z.number().transform(String)]).pipe(senderPhone(fromInternationalDigits)),
    to: z
      .union([z.string(), z.number().transform(String)])
      .pipe(recipientPhone(fromInternationalDigits))
      .optional(),
    messageId: scalar.pipe(messageId),
    type: z.enum(['text', 'unicode', 'binary'], { error: 'must be text, unicode or binary' }).default('text'),
    text: messageText.optional(),
    'message-timestamp': z.string().max(40).optional(),
  })
  .superRefine((m, ctx) => {
    if (m.type !== 'binary' && m.text === undefined)
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'is required' });
  });

export type VonageInbound = z.infer<typeof VonageInboundSchema>;

/** `2026-11-27 17:20:06` (UTC, as Vonage documents it) → ISO-8601, or undefined. */
function isoTimestamp(value: string | undefined): string | undefined {
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}$/.test(value)) return undefined;
  const t = Date.parse(`${value.replace(' ', 'T')}Z`);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export function fromVonageInbound(m: VonageInbound): InboundSms {
  return {
    provider: 'vonage',
    messageId: m.messageId,
    from: m.msisdn,
    to: m.to,
    // A binary message has no text; its `data` and `udh` stay in the raw fields.
    text: m.text ?? '',
    receivedAt: isoTimestamp(m['message-timestamp']),
    media: [],
  };
}

export const vonageInbound: ProviderAdapter<VonageInbound> = {
  id: 'vonage-inbound',
  provider: 'vonage',
  dialect: 'vonage',
  accepts: ['json', 'form'],
  schema: VonageInboundSchema,
  textField: 'text',
  toSms: fromVonageInbound,
};
