import { startEmulator, type EmulatorSite, type RunningEmulator } from '../../src/emulator/index.js';
import { startFunction, type FnAnswer, type FnProcess } from '../../src/local/index.js';
import { signTwilioForm } from './sign-twilio.js';

export const ENTRY = new URL('../../dist/func.js', import.meta.url).pathname;
export const ROUTE = '/webhooks/sms-to-incident';
export const CREDENTIALS = { username: 'sms-api', password: 'pa55-w0rd-not-for-logs' } as const;

export interface Stack {
  readonly emulator: RunningEmulator;
  readonly fn: FnProcess;
  /** POSTs a webhook through the Fn agent as OCI API Gateway would; parses a JSON answer. */
  post(
    body: string | Buffer,
    options?: { contentType?: string | null; timeoutMs?: number },
  ): Promise<FnAnswer & { json: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/** The B2C emulator in process, and dist/func.js under the real fdk in a child process. */
export async function startStack(
  options: { env?: Record<string, string>; timeoutMs?: number; site?: EmulatorSite } = {},
): Promise<Stack> {
  const emulator = await startEmulator({ ...CREDENTIALS, ...(options.site ? { site: options.site } : {}) });
  const fn = await startFunction({
    entry: ENTRY,
    timeoutMs: options.timeoutMs,
    env: {
      b2cservice_hostname: emulator.url,
      b2cservice_username: CREDENTIALS.username,
      b2cservice_password: CREDENTIALS.password,
      // The guide's unsigned JSON: signature tests turn this back on (test/integration/inbound-*.test.ts).
      webhook_signature: 'off',
      // One container: its memory journal is enough, and chosen explicitly, as OCI requires of it
      // when the tests give the function a resource principal (test/integration/journal-on-oci.test.ts).
      run_journal: 'memory',
      ...options.env,
    },
  });
  return {
    emulator,
    fn,
    post: (body, { contentType = 'application/json; charset=utf-8', timeoutMs } = {}) =>
      postWebhook(fn, body, { headers: contentType === null ? {} : { 'Content-Type': contentType }, timeoutMs }),
    async stop() {
      await Promise.allSettled([fn.stop(), emulator.close()]);
    },
  };
}

/** POSTs a webhook through the Fn agent as OCI API Gateway would; `json` is the parsed answer ({} when not JSON, e.g. TwiML). */
export async function postWebhook(
  fn: FnProcess,
  body: string | Buffer,
  options: { headers?: Record<string, string>; timeoutMs?: number; url?: string } = {},
): Promise<FnAnswer & { text: string; json: Record<string, unknown> }> {
  const headers = { Host: 'gw.example.com', 'User-Agent': 'TwilioProxy/1.1', ...options.headers };
  return readAnswer(
    await fn.invoke({ method: 'POST', url: options.url ?? ROUTE, headers, body, timeoutMs: options.timeoutMs }),
  );
}

/** A Twilio form webhook to `route`, signed as Twilio signs it (over the public URL it calls and every parameter). */
export function postTwilioForm(
  fn: FnProcess,
  form: string,
  route: string = ROUTE,
  host = 'gw.example.com',
): Promise<FnAnswer & { text: string; json: Record<string, unknown> }> {
  return postWebhook(fn, form, {
    url: route,
    headers: {
      Host: host,
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Twilio-Signature': signTwilioForm(`https://${host}${route}`, form),
    },
  });
}

/** The function's answer with its body as text and as JSON ({} when not JSON, e.g. TwiML). */
export function readAnswer(answer: FnAnswer): FnAnswer & { text: string; json: Record<string, unknown> } {
  const text = answer.body.toString('utf8');
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // left empty: the assertions read `text` or the status
  }
  return { ...answer, text, json };
}
