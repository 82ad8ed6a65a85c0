export { parseInbound, twilioMessageResource, MAX_BODY_BYTES } from './parse.js';
export type { InboundRequest, ProviderAdapter } from './parse.js';
export { InboundError } from './errors.js';
export { InboundSmsSchema } from './sms.js';
export type { InboundSms } from './sms.js';
export { toE164, isE164 } from './phone.js';
