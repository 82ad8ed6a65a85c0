/**
 * One error shape for every OCI SDK failure. The SDK throws `OciError` for HTTP errors but
 * plain objects (`{code, message}`, not `instanceof Error`) for network failures, timeouts
 * and an open circuit breaker.
 */
import * as common from 'oci-common';

export class OciCallError extends Error {
  override readonly name = 'OciCallError';
  /** e.g. `SecretsClient.getSecretBundle`. */
  readonly operation: string;
  /** HTTP status, when the service answered. */
  readonly statusCode?: number;
  /** Service error code (`NotAuthenticated`) or transport code (`ECONNREFUSED`, `ETIMEDOUT`, `EOPENBREAKER`, `DEADLINE`). */
  readonly code: string;
  readonly opcRequestId?: string;

  constructor(
    init: { operation: string; code: string; message: string; statusCode?: number; opcRequestId?: string },
    options?: ErrorOptions,
  ) {
    super(
      `${init.operation} failed: ${init.statusCode === undefined ? '' : `${init.statusCode} `}${init.code}: ${init.message}`,
      options,
    );
    this.operation = init.operation;
    this.code = init.code;
    this.statusCode = init.statusCode;
    this.opcRequestId = init.opcRequestId;
  }
}

/** Turns whatever an SDK call threw into an {@link OciCallError} (idempotent). */
export function normaliseOciError(operation: string, error: unknown): OciCallError {
  if (error instanceof OciCallError) return error;
  if (error instanceof common.OciError) {
    return new OciCallError(
      {
        operation,
        code: error.serviceCode || 'HttpError',
        message: error.message,
        statusCode: error.statusCode,
        opcRequestId: error.opcRequestId ?? undefined,
      },
      { cause: error },
    );
  }
  if (typeof error === 'object' && error !== null) {
    const o = error as { code?: unknown; message?: unknown; statusCode?: unknown; cause?: { code?: unknown } };
    const code =
      typeof o.code === 'string'
        ? o.code
        : typeof o.cause?.code === 'string'
          ? o.cause.code
          : error instanceof Error
            ? error.name
            : 'Unknown';
    const message = typeof o.message === 'string' ? o.message : 'no message';
    return new OciCallError(
      { operation, code, message, statusCode: typeof o.statusCode === 'number' ? o.statusCode : undefined },
      { cause: error },
    );
  }
  return new OciCallError({ operation, code: 'Unknown', message: String(error) });
}

/**
 * Runs one SDK call with a hard deadline: `budgetMs` bounds all the SDK's retries, and every
 * failure comes back as an {@link OciCallError}. The SDK call itself is not aborted on timeout.
 *
 * @example
 * ```ts
 * const r = await ociCall('SecretsClient.getSecretBundle', 1500, () => client.getSecretBundle({ secretId }));
 * ```
 */
export async function ociCall<T>(operation: string, budgetMs: number, call: () => Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const work = (async () => call())();
  work.catch(() => undefined);
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new OciCallError({ operation, code: 'DEADLINE', message: `no answer within ${Math.round(budgetMs)} ms` }),
        ),
      Math.max(0, budgetMs),
    );
  });
  try {
    return await Promise.race([work, deadline]);
  } catch (error) {
    throw normaliseOciError(operation, error);
  } finally {
    clearTimeout(timer);
  }
}
