import type { Context } from '@fnproject/fdk';

/**
 * One webhook as the rest of the code sees it: raw bytes plus what the gateway and the
 * Fn agent said about it, without the fdk's quirks (canonicalised header names, null for
 * absent values, `getAllHeaderValues` throwing).
 */
export interface WebhookRequest {
  readonly body: Buffer;
  readonly contentType: string | null;
  /** A client header, case-insensitive; null when absent. */
  header(name: string): string | null;
  /** Path and query as the gateway received them (deployment prefix included), or null outside a gateway. */
  readonly url: string | null;
  readonly method: string | null;
  readonly callId: string | undefined;
  /** Epoch ms from `Fn-Deadline`, or undefined when the agent sent none. */
  readonly deadline: number | undefined;
}

export function webhookRequest(input: unknown, ctx: Context): WebhookRequest {
  const gateway = ctx.httpGateway;
  const at = ctx.deadline?.getTime();
  return {
    body: Buffer.isBuffer(input) ? input : Buffer.from(typeof input === 'string' ? input : ''),
    contentType: ctx.contentType,
    // The fdk canonicalises names on both sides, so any casing finds the header.
    header: (name) => gateway.getHeader(name),
    url: gateway.requestURL,
    method: gateway.method,
    callId: ctx.callID ?? undefined,
    deadline: at !== undefined && Number.isFinite(at) ? at : undefined,
  };
}

/** func.yaml's default timeout: the budget when the agent sends no `Fn-Deadline`. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Epoch ms by which the caller must have its answer. */
export function deadlineOf(request: WebhookRequest): number {
  return request.deadline ?? Date.now() + DEFAULT_TIMEOUT_MS;
}

/** Kept between the run's deadline and the provider's patience: the journal's last write and the answer's way back. */
export const ANSWER_RESERVE_MS = 2_000;

/**
 * When the run must be over: the Fn deadline, or earlier when the provider stops listening sooner
 * (`patienceMs` after the request arrived, less {@link ANSWER_RESERVE_MS}). An answer after that
 * would be counted as a failure by the provider anyway.
 */
export function answerDeadline(fnDeadline: number, arrivedAt: number, patienceMs: number | undefined): number {
  return patienceMs === undefined ? fnDeadline : Math.min(fnDeadline, arrivedAt + patienceMs - ANSWER_RESERVE_MS);
}
