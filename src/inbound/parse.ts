import type { ProviderAdapter } from './adapter.js';
import { decodeBody } from './body.js';
import { InboundError } from './errors.js';
import type { InboundSms } from './sms.js';
import { twilioMessageResource } from './twilio-message-resource.js';
import { validatePayload } from './validate.js';

/** What parsing needs of an HTTP request: raw bytes and their content type. */
export interface InboundRequest {
  readonly body: Buffer;
  readonly contentType: string | null;
}

/** `webhook_max_body_bytes`' default: webhook bodies are a few KB; anything far larger is not an SMS. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Parses one known shape without signature checks (tests and tools); the function itself uses
 * {@link receiveInbound}. Throws an {@link InboundError} (400/413/415) that never echoes the input.
 */
export function parseInbound(req: InboundRequest, adapter: ProviderAdapter = twilioMessageResource, maxBytes = MAX_BODY_BYTES): InboundSms {
  const payload = decodeBody(req, maxBytes);
  if (!adapter.accepts.includes(payload.kind)) {
    throw new InboundError(415, `unsupported content type: send ${adapter.accepts.includes('json') ? 'application/json' : 'application/x-www-form-urlencoded'}`);
  }
  return validatePayload(adapter, payload.fields);
}
