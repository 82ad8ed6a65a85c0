// Signs webhooks with the `twilio` package's own functions, so our verification is checked
// against Twilio's reference implementation, not against itself.
import twilio from 'twilio';

export const TWILIO_AUTH_TOKEN = '0123456789abcdef0123456789abcdef';

/** Form fields as twilio-node's `params` wants them: a repeated name becomes an array. */
export function twilioParams(form: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(form)) {
    const seen = params[name];
    params[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return params;
}

/** `X-Twilio-Signature` for a form webhook to `url`. */
export function signTwilioForm(url: string, form: string, token: string = TWILIO_AUTH_TOKEN): string {
  return twilio.getExpectedTwilioSignature(token, url, twilioParams(form));
}

/** The URL Twilio calls for a JSON body: `bodySHA256=<hex sha256>` appended to the query. */
export function withBodySha256(url: string, body: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${twilio.getExpectedBodyHash(body)}`;
}

/** `X-Twilio-Signature` for a JSON webhook: over the URL (with bodySHA256) and no parameters. */
export function signTwilioJson(urlWithBodySha256: string, token: string = TWILIO_AUTH_TOKEN): string {
  return twilio.getExpectedTwilioSignature(token, urlWithBodySha256, {});
}

export const twilioValidateRequest = twilio.validateRequest;
export const twilioValidateRequestWithBody = twilio.validateRequestWithBody;
export const twilioExpectedSignature = twilio.getExpectedTwilioSignature;
