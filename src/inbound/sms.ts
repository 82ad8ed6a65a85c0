import { z } from 'zod';

/** The one shape every provider's webhook is turned into. */
export const InboundSmsSchema = z.object({
  /** Which provider sent it: `twilio`, `vonage` or `generic`. */
  provider: z.string().min(1),
  /** The provider's id for this message (Twilio `sid`/`MessageSid`, Vonage `messageId`). */
  messageId: z.string().min(1).max(128),
  /** Sender, E.164. */
  from: z.string(),
  /** Recipient (our number), E.164 or a short code when the provider gave one. */
  to: z.string().optional(),
  /** The full text, UTF-8, as sent. May be empty for a media-only message. */
  text: z.string(),
  /** ISO-8601, when the provider said when (else when the function received it). */
  receivedAt: z.string().optional(),
  /** Media references: kept as links, never fetched. */
  media: z.array(z.object({ url: z.string(), contentType: z.string().optional() })),
  /**
   * The provider's other fields as received (text and signature fields left out), for the
   * incident thread: what a support engineer needs to trace the message at the provider.
   */
  raw: z.record(z.string(), z.string()).optional(),
});

export type InboundSms = z.infer<typeof InboundSmsSchema>;

/**
 * What makes two deliveries the same message: who sent what to whom, under which provider id.
 * Transport fields are left out: the provider's other fields (`raw`: a Twilio fallback request adds
 * `ErrorCode` and `ErrorUrl`) and `receivedAt` (a resend may restate it) describe a delivery, not the message.
 */
export function messageIdentity(
  sms: InboundSms,
): Pick<InboundSms, 'provider' | 'messageId' | 'from' | 'to' | 'text' | 'media'> {
  return {
    provider: sms.provider,
    messageId: sms.messageId,
    from: sms.from,
    to: sms.to,
    text: sms.text,
    media: sms.media,
  };
}
