/**
 * Why a B2C Service call failed, as data. `retryable` and `retryAfterMs` follow the engine's
 * structural contract, so the step machine classifies these errors without this module importing it.
 */
export type B2cFailureKind =
  /** The server answered with an error status. */
  | 'http'
  /** No answer: connection refused/reset, DNS, TLS. */
  | 'network'
  /** Aborted by the attempt's timeout or the run's deadline. */
  | 'timeout'
  /** A success status whose body is not what the API documents. */
  | 'response'
  /** Refused before sending: the input could not make a safe request. */
  | 'request';

export class B2cError extends Error {
  override readonly name = 'B2cError';
  readonly operation: string;
  readonly kind: B2cFailureKind;
  /** HTTP status; 0 when there was no answer. */
  readonly status: number;
  /** The Connect error code (`OSC-CREST-00035`), when the body had one. */
  readonly errorCode: string | undefined;
  readonly retryable: boolean;
  /** Server back-off hint (`osvc-crest-next-request-after`, `Retry-After`). */
  readonly retryAfterMs: number | undefined;
  /** Low-cardinality type for metrics and spans: the error code, else `HTTP <status>`, else the kind. */
  readonly code: string;
  /**
   * Whether the call may have taken effect (the engine's structural contract, as `retryable`):
   * `false` it did not (a read, a refusal, never sent); `'settled'` a write may have been applied
   * and B2C Service is done with it (it answered a 5xx); `'in-flight'` a write may have been
   * applied or may still be (no answer: timeout, dropped connection; or a gateway gave up: 502/504).
   * Look for what it may have done before repeating it.
   */
  readonly inDoubt: false | 'settled' | 'in-flight';

  constructor(
    init: {
      operation: string;
      kind: B2cFailureKind;
      status?: number;
      errorCode?: string;
      retryable: boolean;
      retryAfterMs?: number;
      inDoubt?: false | 'settled' | 'in-flight';
      message: string;
    },
    options?: ErrorOptions,
  ) {
    super(`${init.operation}: ${init.message}`, options);
    this.operation = init.operation;
    this.kind = init.kind;
    this.status = init.status ?? 0;
    this.errorCode = init.errorCode;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
    this.code = init.errorCode ?? (this.status > 0 ? `HTTP ${this.status}` : init.kind);
    this.inDoubt = init.inDoubt ?? false;
  }
}

/** 5xx (throttling is 503 OSC-CREST-00035) and 408/429 may succeed later; other 4xx never will. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** The documented refusal before processing: API throttling (503 `OSC-CREST-00035`). */
export const THROTTLED = 'OSC-CREST-00035';

/**
 * What a write that got an error status may have done. Only a documented refusal says "not
 * applied": a 4xx, or the throttling 503 `OSC-CREST-00035`. A gateway that gave up (502, 504)
 * leaves the write in flight; any other 5xx (a bare 500 with an HTML body from a proxy, a failure
 * after the commit) may have been applied.
 */
export function writeInDoubt(status: number, errorCode: string | undefined): false | 'settled' | 'in-flight' {
  if (status < 500) return false;
  if (status === 503 && errorCode === THROTTLED) return false;
  return status === 502 || status === 504 ? 'in-flight' : 'settled';
}
