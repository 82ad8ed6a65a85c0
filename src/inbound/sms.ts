import { z } from 'zod';

/** The one shape every provider's webhook is turned into. */
export const InboundSmsSchema = z.object({
  /** Which adapter produced it, e.g. `twilio`. */
  provider: z.string().min(1),
  /** The provider's id for this message (Twilio `sid`/`MessageSid`). */
  messageId: z.string().min(1).max(128),
  /** Sender, E.164. */
  from: z.string(),
  /** Recipient (our number), E.164 when the provider gave one. */
  to: z.string().optional(),
  /** The full text, UTF-8, as sent. May be empty for a media-only message. */
  text: z.string(),
  /** ISO-8601, when the provider said when. */
  receivedAt: z.string().optional(),
  /** Media references: kept as links, never fetched. */
  media: z.array(z.object({ url: z.string(), contentType: z.string().optional() })),
});

export type InboundSms = z.infer<typeof InboundSmsSchema>;
