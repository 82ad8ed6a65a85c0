/**
 * The curl `npm start` prints, signed as the function will check it when signatures are on: with
 * `twilio_auth_token`, Twilio's JSON variant (`bodySHA256` in the URL, `X-Twilio-Signature` over the
 * URL); with `webhook_hmac_secret`, the generic HMAC-SHA256 of the body. The same code as the
 * function's check computes it, so the example cannot drift from what is accepted.
 */
import { createHash } from 'node:crypto';
import { hmacSha256 } from '../inbound/hmac-signature.js';
import { publicUrl } from '../inbound/public-url.js';
import { TWILIO_SIGNATURE_HEADER, twilioSignature } from '../inbound/twilio-signature.js';

export interface ExampleRequest {
  /** The gateway's URL, e.g. `http://127.0.0.1:8080`. */
  readonly gateway: string;
  readonly route: string;
  readonly body: string;
  /** The function's config as `npm start` passes it. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A curl command that the function accepts, or why there can be none (signatures on, no secret). */
export function exampleCurl(req: ExampleRequest): { readonly curl: string } | { readonly problem: string } {
  const json = "-H 'Content-Type: application/json; charset=utf-8'";
  if (req.env.webhook_signature === 'off')
    return { curl: `curl -sS -X POST '${req.gateway}${req.route}' ${json} -d '${req.body}'` };
  const token = req.env.twilio_auth_token;
  if (token) {
    const path = `${req.route}?bodySHA256=${createHash('sha256').update(req.body).digest('hex')}`;
    // What the function rebuilds: https:// + the Host curl sends (or webhook_public_url) + path and query.
    const host = new URL(req.gateway).host;
    const signed =
      publicUrl(
        { url: path, header: (name) => (name.toLowerCase() === 'host' ? host : null) },
        req.env.webhook_public_url,
      ) ?? '';
    return {
      curl: `curl -sS -X POST '${req.gateway}${path}' ${json} -H '${TWILIO_SIGNATURE_HEADER}: ${twilioSignature(token, signed, new Map())}' -d '${req.body}'`,
    };
  }
  const secret = req.env.webhook_hmac_secret;
  if (secret) {
    const header = req.env.webhook_hmac_header ?? 'X-Webhook-Signature';
    return {
      curl: `curl -sS -X POST '${req.gateway}${req.route}' ${json} -H '${header}: sha256=${hmacSha256(secret, Buffer.from(req.body)).toString('hex')}' -d '${req.body}'`,
    };
  }
  return {
    problem:
      'webhook signatures are required but no secret is set: export twilio_auth_token=<any text> (Twilio scheme) or webhook_hmac_secret=<any text> (generic HMAC), or webhook_signature=off, and npm start again',
  };
}
