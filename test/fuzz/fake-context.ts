// A minimal fdk Context for driving createHandler in process: what the fdk would build from the
// agent's headers, with the response side recorded so the fuzz suite can read the answer.
import type { Context, FnResult, HTTPGatewayContext } from '@fnproject/fdk';
import type { ServerResponse } from 'node:http';

export interface FakeCall {
  readonly method?: string;
  readonly contentType: string | null;
  /** Client headers (any casing). */
  readonly headers: Readonly<Record<string, string>>;
  readonly url: string | null;
  readonly deadlineMs?: number;
}

export interface Recorded {
  status: number | string | undefined;
  contentType: string | null;
  readonly headers: Record<string, string[]>;
}

/** fdk canonicalises header names (`x-twilio-signature` → `X-Twilio-Signature`). */
const canonical = (name: string): string =>
  name.toLowerCase().replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

export function fakeContext(call: FakeCall): { ctx: Context; recorded: Recorded } {
  const client: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(call.headers)) client[canonical(k)] = [v];
  const recorded: Recorded = { status: undefined, contentType: 'application/json', headers: {} };
  const setHeader = (key: string, ...values: string[]): void => {
    recorded.headers[canonical(key)] = values;
  };
  const gateway: HTTPGatewayContext = {
    requestURL: call.url,
    method: call.method ?? 'POST',
    headers: client,
    getHeader: (key) => client[canonical(key)]?.[0] ?? null,
    get statusCode() {
      return recorded.status;
    },
    set statusCode(value) {
      recorded.status = value;
    },
    setResponseHeader: setHeader,
    addResponseHeader: setHeader,
  };
  const ctx: Context = {
    callID: `fuzz-${Math.random().toString(36).slice(2)}`,
    deadline: new Date(Date.now() + (call.deadlineMs ?? 30_000)),
    appID: 'ocid1.fnapp.oc1..fuzz',
    fnID: 'ocid1.fnfunc.oc1..fuzz',
    appName: 'fuzz',
    fnName: 'sms-to-incident',
    memory: 256,
    config: {},
    body: undefined,
    contentType: call.contentType,
    headers: {},
    responseHeaders: {},
    httpGateway: gateway,
    get responseContentType() {
      return recorded.contentType;
    },
    set responseContentType(value) {
      recorded.contentType = value;
    },
    getHeader: () => null,
    getResponseHeader: (key) => recorded.headers[canonical(key)]?.[0] ?? null,
    setResponseHeader: setHeader,
    addResponseHeader: setHeader,
  };
  return { ctx, recorded };
}

/** What a rawResult writes to the fdk's response. */
export function resultBody(result: FnResult, ctx: Context): Buffer {
  const chunks: Buffer[] = [];
  const resp = { write: (chunk: string | Buffer) => chunks.push(Buffer.from(chunk)) } as unknown as ServerResponse;
  result.writeResult(ctx, resp);
  return Buffer.concat(chunks);
}
