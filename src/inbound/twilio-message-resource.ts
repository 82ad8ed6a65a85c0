import { z } from 'zod';
import type { ProviderAdapter } from './adapter.js';
import { messageText, recipientPhone, senderPhone } from './fields.js';
import type { InboundSms } from './sms.js';

/**
 * Twilio's REST *Message resource* JSON: the payload Oracle's guide assumes
 * (`../shared/fixtures/twilio-message-resource.json`). Unknown fields are kept, not refused.
 */
export const TwilioMessageResourceSchema = z.looseObject({
  sid: z.string().regex(/^[A-Z]{2}[0-9A-Za-z]{32}$/, 'must be a Twilio message SID (e.g. SM + 32 characters)'),
  from: senderPhone(),
  to: recipientPhone().optional(),
  body: messageText,
  account_sid: z.string().optional(),
  date_created: z.string().nullish(),
  date_sent: z.string().nullish(),
  num_media: z.string().nullish(),
  subresource_uris: z.looseObject({ media: z.string().optional() }).nullish(),
});

export type TwilioMessageResource = z.infer<typeof TwilioMessageResourceSchema>;

/** RFC 2822 (`Thu, 30 Jul 2015 20:12:31 +0000`) → ISO-8601, or undefined when unparsable. */
function isoDate(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export function fromTwilioMessageResource(m: TwilioMessageResource): InboundSms {
  const media = m.subresource_uris?.media;
  const hasMedia = Number(m.num_media ?? '0') > 0 && media !== undefined && media.startsWith('/');
  return {
    provider: 'twilio',
    messageId: m.sid,
    from: m.from,
    to: m.to,
    text: m.body,
    receivedAt: isoDate(m.date_sent) ?? isoDate(m.date_created),
    media: hasMedia ? [{ url: `https://api.twilio.com${media}` }] : [],
  };
}

export const twilioMessageResource: ProviderAdapter<TwilioMessageResource> = {
  id: 'twilio-message-resource',
  provider: 'twilio',
  dialect: 'json',
  accepts: ['json'],
  schema: TwilioMessageResourceSchema,
  textField: 'body',
  toSms: fromTwilioMessageResource,
};
