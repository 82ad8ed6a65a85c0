/**
 * The soak's messages as their providers send them with signatures on (the realistic soak):
 * Twilio signs over the URL it calls (test/helpers/sign-twilio.ts, the twilio package), Vonage
 * puts `timestamp` and `sig` among the fields (signed afresh for each delivery, as each
 * redelivery is a new request), the generic scheme is an HMAC of the body in a header.
 */
import { HMAC_HEADER, HMAC_SECRET, signHmac } from '../test/helpers/sign-hmac.js';
import { TWILIO_AUTH_TOKEN } from '../test/helpers/sign-twilio.js';
import { VONAGE_SIGNATURE_SECRET, signVonage } from '../test/helpers/sign-vonage.js';
import type { SoakMessage } from './messages.js';
import { type ProviderRequest, twilioRequest } from './twilio-like.js';

/** The function config that checks those signatures. */
export const SIGNATURE_ENV: Readonly<Record<string, string>> = {
  webhook_signature: 'required',
  twilio_auth_token: TWILIO_AUTH_TOKEN,
  vonage_signature_secret: VONAGE_SIGNATURE_SECRET,
  webhook_hmac_secret: HMAC_SECRET,
};

/** One delivery of `message` to `url`, signed as its provider signs it. */
export function signedRequest(message: SoakMessage, url: string): ProviderRequest {
  switch (message.provider) {
    case 'twilio':
      return twilioRequest({ kind: 'json', body: message.body }, url, TWILIO_AUTH_TOKEN);
    case 'twilio-form':
      return twilioRequest({ kind: 'form', body: message.body }, url, TWILIO_AUTH_TOKEN);
    case 'vonage': {
      const body = JSON.stringify(signVonage(JSON.parse(message.body) as Record<string, string>));
      return { url, body, headers: { 'Content-Type': message.contentType } };
    }
    case 'generic':
      return {
        url,
        body: message.body,
        headers: { 'Content-Type': message.contentType, [HMAC_HEADER]: signHmac(message.body) },
      };
  }
}
