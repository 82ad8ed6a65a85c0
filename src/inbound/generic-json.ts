import { z } from 'zod';
import type { ProviderAdapter } from './adapter.js';
import { mediaUrl, messageId, messageText, recipientPhone, senderPhone } from './fields.js';
import type { InboundSms } from './sms.js';

/**
 * A minimal JSON shape for vendors with none of their own (`../shared/fixtures/generic-inbound.json`):
 * `{ "id", "from", "to", "text", "receivedAt"?, "media"? }`, numbers in E.164.
 */
export const GenericInboundSchema = z.looseObject({
  id: z.union([z.string(), z.number().int().nonnegative().transform(String)]).pipe(messageId),
  from: senderPhone(),
  to: recipientPhone().optional(),
  text: messageText,
  receivedAt: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' }).optional(),
  media: z
    .array(z.union([mediaUrl, z.object({ url: mediaUrl, contentType: z.string().max(100).optional() })]))
    .max(10)
    .optional(),
});

export type GenericInbound = z.infer<typeof GenericInboundSchema>;

export function fromGenericInbound(m: GenericInbound): InboundSms {
  return {
    provider: 'generic',
    messageId: m.id,
    from: m.from,
    to: m.to,
    text: m.text,
    receivedAt: m.receivedAt === undefined ? undefined : new Date(m.receivedAt).toISOString(),
    media: (m.media ?? []).map((item) => (typeof item === 'string' ? { url: item } : item)),
  };
}

export const genericJson: ProviderAdapter<GenericInbound> = {
  id: 'generic-json',
  provider: 'generic',
  dialect: 'json',
  accepts: ['json', 'form'],
  schema: GenericInboundSchema,
  textField: 'text',
  toSms: fromGenericInbound,
};
