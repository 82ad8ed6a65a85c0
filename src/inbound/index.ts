export { receiveInbound } from './receive.js';
export type { ReceivedSms, WebhookInput } from './receive.js';
export { Dialect, Provider } from './adapter.js';
export type { ProviderAdapter } from './adapter.js';
export { twilioMessageResource } from './twilio-message-resource.js';
export { twilioMessagingWebhook } from './twilio-messaging-webhook.js';
export { vonageInbound } from './vonage-inbound.js';
export { genericJson } from './generic-json.js';
export { selectAdapter } from './select-adapter.js';
export { verifySignature, SignatureScheme } from './verify-signature.js';
export type { SignatureConfig, SignedRequest } from './verify-signature.js';
export {
  twilioSignature,
  twilioUrlCandidates,
  verifyTwilioSignature,
  TWILIO_SIGNATURE_HEADER,
} from './twilio-signature.js';
export { vonageSignature, verifyVonageSignature, VONAGE_MAX_SKEW_S } from './vonage-signature.js';
export { hmacSha256, verifyHmacSignature } from './hmac-signature.js';
export { publicUrl } from './public-url.js';
export { InboundConfigShape } from './config.js';
export type { InboundConfig } from './config.js';
export { TWIML_CONTENT_TYPE, escapeXml, renderReply, twimlResponse } from './dialect.js';
export { InboundError, SignatureConfigError } from './errors.js';
export type { InboundStatus } from './errors.js';
export { InboundSmsSchema } from './sms.js';
export type { InboundSms } from './sms.js';
export { toE164 } from './phone.js';
