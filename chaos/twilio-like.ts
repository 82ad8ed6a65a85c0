/**
 * A provider that behaves as Twilio documents for an inbound message (shared notes,
 * field-behaviour.md): ONE request to the webhook URL; it stops listening after its patience
 * (15 s); on a 5xx or no answer in time it sends ONE request to the fallback URL, the same
 * parameters plus `ErrorCode` and `ErrorUrl`, signed over the fallback URL; nothing more. It never
 * redelivers, and a request it stopped listening to goes on in the function regardless.
 */
import { signTwilioForm, signTwilioJson, TWILIO_AUTH_TOKEN, withBodySha256 } from '../test/helpers/sign-twilio.js';

/** One HTTP request as the provider sends it: absolute URL, headers, body. */
export interface ProviderRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What came back: a status, or nothing in time or a failed connection (the function may still be running it). */
export type ProviderOutcome =
  | { readonly status: number; readonly incidentId?: number }
  | { readonly status: 'timeout' };

export interface TwilioLikeOptions {
  /** The webhook URL ("A message comes in"), e.g. `https://gw.example.com/webhooks/sms-to-incident`. */
  readonly url: string;
  /** The fallback URL ("Primary handler fails"). */
  readonly fallbackUrl: string;
  /** How long it waits for an answer, ms. @default 15000 (Twilio's default timeout) */
  readonly patienceMs?: number;
  /** @default the test auth token of test/helpers/sign-twilio.ts */
  readonly authToken?: string;
}

/** Twilio's error codes for a failed webhook: 11200 (HTTP retrieval failure) for a 5xx; 11205 (HTTP connection failure) for no answer. */
export const TWILIO_ERROR = { retrievalFailure: '11200', connectionFailure: '11205' } as const;

export interface TwilioMessage {
  /** `form`: the Messaging webhook (`application/x-www-form-urlencoded`); `json`: the Message resource as JSON, signed with bodySHA256. */
  readonly kind: 'form' | 'json';
  /** The form, or the JSON text. */
  readonly body: string;
}

/** The request Twilio sends for `message` to `url`, signed over that URL; `extra` parameters added (the fallback's). */
export function twilioRequest(
  message: TwilioMessage,
  url: string,
  token: string,
  extra: Record<string, string> = {},
): ProviderRequest {
  if (message.kind === 'form') {
    const form = new URLSearchParams(message.body);
    for (const [name, value] of Object.entries(extra)) form.append(name, value);
    const body = form.toString();
    return {
      url,
      body,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': signTwilioForm(url, body, token),
      },
    };
  }
  const body = JSON.stringify({ ...(JSON.parse(message.body) as Record<string, unknown>), ...extra });
  const signedUrl = withBodySha256(url, body);
  return {
    url: signedUrl,
    body,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'X-Twilio-Signature': signTwilioJson(signedUrl, token),
    },
  };
}

/** Waits for `send` at most `patienceMs`; a late answer is ignored (and its failure swallowed). */
async function withPatience(send: Promise<ProviderOutcome>, patienceMs: number): Promise<ProviderOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ProviderOutcome>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'timeout' }), patienceMs);
  });
  const answered = send.catch((): ProviderOutcome => ({ status: 'timeout' }));
  try {
    return await Promise.race([answered, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const failed = (outcome: ProviderOutcome): boolean => outcome.status === 'timeout' || outcome.status >= 500;

/**
 * Delivers one message as Twilio does: the primary request, and the fallback only after a 5xx or
 * no answer within the patience. A 4xx is an error Twilio logs; it sends nothing more for it here.
 */
export async function deliverLikeTwilio(
  message: TwilioMessage,
  send: (request: ProviderRequest) => Promise<ProviderOutcome>,
  options: TwilioLikeOptions,
): Promise<{ primary: ProviderOutcome; fallback?: ProviderOutcome }> {
  const token = options.authToken ?? TWILIO_AUTH_TOKEN;
  const patience = options.patienceMs ?? 15_000;
  const primary = await withPatience(send(twilioRequest(message, options.url, token)), patience);
  if (!failed(primary)) return { primary };
  const errorCode = primary.status === 'timeout' ? TWILIO_ERROR.connectionFailure : TWILIO_ERROR.retrievalFailure;
  const fallbackRequest = twilioRequest(message, options.fallbackUrl, token, {
    ErrorCode: errorCode,
    ErrorUrl: options.url,
  });
  return { primary, fallback: await withPatience(send(fallbackRequest), patience) };
}
