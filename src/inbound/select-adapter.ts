import type { ProviderAdapter } from './adapter.js';
import type { Payload } from './body.js';
import type { InboundConfig } from './config.js';
import { InboundError } from './errors.js';
import { genericJson } from './generic-json.js';
import { twilioMessageResource } from './twilio-message-resource.js';
import { twilioMessagingWebhook } from './twilio-messaging-webhook.js';
import { vonageInbound } from './vonage-inbound.js';

const has = (fields: Readonly<Record<string, unknown>>, ...names: string[]): boolean =>
  names.some((n) => Object.hasOwn(fields, n));

/**
 * Which shape a body is. With a fixed `webhook_provider` only that provider's shapes are read;
 * with `auto`, the content type and tell-tale fields decide. This only picks the signature scheme
 * and the schema: nothing the body says is trusted before both have passed.
 */
export function selectAdapter(payload: Payload, provider: InboundConfig['webhook_provider']): ProviderAdapter {
  const { kind, fields } = payload;
  const twilio = kind === 'form' ? twilioMessagingWebhook : twilioMessageResource;
  switch (provider) {
    case 'twilio':
      return twilio;
    case 'vonage':
      return vonageInbound;
    case 'generic':
      return genericJson;
    case 'auto':
      break;
  }
  if (kind === 'form') {
    if (has(fields, 'MessageSid', 'SmsMessageSid', 'SmsSid', 'AccountSid')) return twilioMessagingWebhook;
    if (has(fields, 'msisdn', 'messageId')) return vonageInbound;
    if (has(fields, 'id', 'from', 'text')) return genericJson;
    throw new InboundError(
      400,
      'unrecognised form webhook: expected Twilio (MessageSid, From, Body) or Vonage (msisdn, messageId, text) fields',
    );
  }
  if (has(fields, 'sid', 'account_sid')) return twilioMessageResource;
  if (has(fields, 'msisdn', 'messageId')) return vonageInbound;
  return genericJson;
}
