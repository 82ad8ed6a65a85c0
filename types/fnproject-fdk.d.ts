// The fdk ships no typings. This matches @fnproject/fdk 0.0.76 (see ../shared/notes/fn-fdk.md §1.5–1.9).
declare module '@fnproject/fdk' {
  import type { ServerResponse } from 'node:http';

  export interface HTTPGatewayContext {
    /** Path and query as the gateway saw them (deployment prefix included), or null outside a gateway call. */
    readonly requestURL: string | null;
    readonly method: string | null;
    /** Client headers with the `Fn-Http-H-` prefix removed; names canonicalised by the fdk. */
    readonly headers: Record<string, string[]>;
    getHeader(key: string): string | null;
    /** Sets `Fn-Http-Status`. The getter is missing in 0.0.76: never read it. */
    statusCode: number | string | undefined;
    setResponseHeader(key: string, ...values: string[]): void;
    addResponseHeader(key: string, ...values: string[]): void;
    // getAllHeaderValues(key) throws when the header is absent: deliberately not declared.
  }

  export interface Context {
    readonly callID: string | null;
    /** From `Fn-Deadline`. Informational only: the fdk enforces nothing. */
    readonly deadline: Date | null;
    readonly appID: string | undefined;
    readonly fnID: string | undefined;
    readonly appName: string | undefined;
    readonly fnName: string | undefined;
    readonly memory: number;
    /** A copy of the whole process.env. */
    readonly config: Record<string, string | undefined>;
    readonly body: unknown;
    readonly contentType: string | null;
    readonly headers: Record<string, string[]>;
    readonly responseHeaders: Record<string, string[]>;
    readonly httpGateway: HTTPGatewayContext;
    /** Preset to application/json, under which every result (strings too) is JSON.stringify'd. */
    responseContentType: string | null;
    getHeader(key: string): string | null;
    getResponseHeader(key: string): string | null;
    setResponseHeader(key: string, ...values: string[]): void;
    addResponseHeader(key: string, ...values: string[]): void;
    // getConfig(key) exists but always throws: deliberately not declared.
  }

  export interface FnResult {
    writeResult(ctx: Context, resp: ServerResponse): unknown;
  }

  /** Never null or undefined: the fdk crashes the process on those (fdk-node issue #32). */
  export type FnOutput = string | Buffer | object | FnResult;

  export function handle(
    fn: (input: Buffer, ctx: Context) => FnOutput | Promise<FnOutput>,
    options: { inputMode: 'buffer' },
  ): () => void;
  export function handle(
    fn: (input: string, ctx: Context) => FnOutput | Promise<FnOutput>,
    options: { inputMode: 'string' },
  ): () => void;
  export function handle(
    fn: (input: unknown, ctx: Context) => FnOutput | Promise<FnOutput>,
    options?: { inputMode?: 'json' },
  ): () => void;
  export function rawResult(res: string | Buffer): FnResult;
  export function streamResult(stream: NodeJS.ReadableStream): FnResult;
}
