import type { z } from 'zod';
import { InboundError } from './errors.js';
import type { InboundSms } from './sms.js';
import { TwilioMessageResourceSchema, fromTwilioMessageResource } from './twilio-message-resource.js';

/** What the inbound side needs of an HTTP request: raw bytes and a few headers, nothing fdk-specific. */
export interface InboundRequest {
  readonly body: Buffer;
  readonly contentType: string | null;
}

/**
 * A provider's payload shape: a zod schema and its mapping to the canonical {@link InboundSms}.
 * Signature checks and more shapes (Twilio form, Vonage, generic JSON) plug in here.
 */
export interface ProviderAdapter<T = unknown> {
  readonly provider: string;
  readonly schema: z.ZodType<T>;
  toSms(payload: T): InboundSms;
}

export const twilioMessageResource: ProviderAdapter<z.infer<typeof TwilioMessageResourceSchema>> = {
  provider: 'twilio',
  schema: TwilioMessageResourceSchema,
  toSms: fromTwilioMessageResource,
};

/** Webhook bodies are a few KB; anything far larger is not an SMS. */
export const MAX_BODY_BYTES = 64 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isJson(contentType: string | null): boolean {
  // `fn invoke` and some gateways send no content type for a JSON body.
  if (contentType === null || contentType.trim() === '') return true;
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  return mediaType === 'application/json' || mediaType.endsWith('+json');
}

/** The first validation issue as `field: problem`, with the field path joined by dots. */
function describe(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
  const problem = issue?.code === 'invalid_type' && issue.input === undefined ? 'is required' : (issue?.message ?? 'is invalid');
  return { field, message: `${field}: ${problem}` };
}

/**
 * Turns a webhook request into the canonical SMS, or throws an {@link InboundError}
 * (400/413/415) whose message names the problem without echoing the input.
 */
export function parseInbound(req: InboundRequest, adapter: ProviderAdapter = twilioMessageResource): InboundSms {
  if (req.body.length > MAX_BODY_BYTES) {
    throw new InboundError(413, `body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  if (!isJson(req.contentType)) {
    throw new InboundError(415, 'unsupported content type: send application/json');
  }
  let text: string;
  try {
    text = utf8.decode(req.body);
  } catch (cause) {
    throw new InboundError(400, 'body is not valid UTF-8', undefined, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new InboundError(400, 'body is not valid JSON', undefined, { cause });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InboundError(400, 'body must be a JSON object');
  }
  const parsed = adapter.schema.safeParse(json);
  if (!parsed.success) {
    const { field, message } = describe(parsed.error);
    throw new InboundError(400, message, field);
  }
  return adapter.toSms(parsed.data);
}
