/**
 * Answers in a provider's own dialect. Twilio's Messaging webhook wants TwiML (`text/xml`):
 * JSON makes Twilio log error 12300 and `text/plain` is texted back to the customer.
 */

export const TWIML_CONTENT_TYPE = 'text/xml; charset=utf-8';

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Characters XML 1.0 forbids, even escaped. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function escapeXml(text: string): string {
  return text.replace(XML_INVALID, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** `reply_template` with `{referenceNumber}` / `{incidentId}` filled in; unknown placeholders stay as written. */
export function renderReply(template: string, values: Readonly<Record<string, string | number | undefined>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : String(value);
  });
}

/** `<Response/>`, or with one `<Message>` auto-reply to the sender. */
export function twimlResponse(reply?: string): string {
  const head = '<?xml version="1.0" encoding="UTF-8"?>';
  return reply === undefined || reply.trim() === ''
    ? `${head}<Response/>`
    : `${head}<Response><Message>${escapeXml(reply)}</Message></Response>`;
}
