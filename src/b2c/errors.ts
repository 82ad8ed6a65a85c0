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
   * True when a write may have been applied although it failed: the request was sent and the
   * answer was lost (timeout, connection reset) or a gateway gave up on it (502/504). Look for
   * what it may have created before trying again.
   */
  readonly ambiguous: boolean;

  constructor(
    init: {
      operation: string;
      kind: B2cFailureKind;
      status?: number;
      errorCode?: string;
      retryable: boolean;
      retryAfterMs?: number;
      ambiguous?: boolean;
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
    this.ambiguous = init.ambiguous ?? false;
  }
}

/** 5xx (throttling is 503 OSC-CREST-00035) and 408/429 may succeed later; other 4xx never will. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
