import { z } from 'zod';
import type { ProviderAdapter } from './adapter.js';
import { mediaUrl, messageText, recipientPhone, senderPhone } from './fields.js';
import { toE164 } from './phone.js';
import type { InboundSms } from './sms.js';

/** Twilio sends at most 10 media per message. */
const MAX_MEDIA = 10;

/**
 * Twilio's real inbound Messaging webhook: `application/x-www-form-urlencoded`, PascalCase
 * (`../shared/fixtures/twilio-messaging-webhook.form`). Twilio adds parameters without notice,
 * so unknown ones are kept, never refused.
 */
/** WhatsApp through the same webhook prefixes numbers with the channel: `whatsapp:+14155550101`. */
const withoutChannel = (raw: string): string | undefined => toE164(raw.replace(/^whatsapp:/i, ''));

const TwilioMessagingWebhookFields = z
  .looseObject({
    MessageSid: z.string().regex(/^[A-Z]{2}[0-9A-Za-z]{32}$/, 'must be a Twilio message SID (e.g. SM + 32 characters)'),
    AccountSid: z
      .string()
      .regex(/^AC[0-9A-Za-z]{32}$/, 'must be a Twilio account SID (AC + 32 characters)')
      .optional(),
    From: senderPhone(withoutChannel),
    To: recipientPhone(withoutChannel).optional(),
    Body: messageText,
    NumMedia: z
      .string()
      .regex(/^\d{1,2}$/, 'must be a number from 0 to 10')
      .optional(),
  })
  .superRefine((form, ctx) => {
    const count = Number(form.NumMedia ?? '0');
    if (count > MAX_MEDIA)
      ctx.addIssue({ code: 'custom', path: ['NumMedia'], message: 'must be a number from 0 to 10' });
    for (let i = 0; i < Math.min(count, MAX_MEDIA); i++) {
      const url = form[`MediaUrl${i}`];
      if (!mediaUrl.safeParse(url).success)
        ctx.addIssue({ code: 'custom', path: [`MediaUrl${i}`], message: 'must be an http(s) URL' });
    }
  });

/** The legacy aliases Twilio still sends: a form with only those is read as if `MessageSid` were there. */
function withMessageSid(fields: unknown): unknown {
  if (typeof fields !== 'object' || fields === null) return fields;
  const form = fields as Record<string, unknown>;
  if (form.MessageSid !== undefined) return form;
  const legacy = form.SmsMessageSid ?? form.SmsSid;
  return legacy === undefined ? form : { ...form, MessageSid: legacy };
}

export const TwilioMessagingWebhookSchema = z.preprocess(withMessageSid, TwilioMessagingWebhookFields);

export type TwilioMessagingWebhook = z.infer<typeof TwilioMessagingWebhookFields>;

export function fromTwilioMessagingWebhook(form: TwilioMessagingWebhook): InboundSms {
  const count = Math.min(Number(form.NumMedia ?? '0'), MAX_MEDIA);
  const media: InboundSms['media'] = [];
  for (let i = 0; i < count; i++) {
    const contentType = form[`MediaContentType${i}`];
    media.push({
      url: String(form[`MediaUrl${i}`]),
      ...(typeof contentType === 'string' && contentType !== '' ? { contentType: contentType.slice(0, 100) } : {}),
    });
  }
  return { provider: 'twilio', messageId: form.MessageSid, from: form.From, to: form.To, text: form.Body, media };
}

export const twilioMessagingWebhook: ProviderAdapter<TwilioMessagingWebhook> = {
  id: 'twilio-messaging-webhook',
  provider: 'twilio',
  dialect: 'twiml',
  accepts: ['form'],
  schema: TwilioMessagingWebhookSchema,
  textField: 'Body',
  toSms: fromTwilioMessagingWebhook,
};
