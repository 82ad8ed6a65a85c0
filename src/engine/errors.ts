/**
 * The engine's error vocabulary: whether a failure may be retried is a property of the
 * error's class (or data), never of its message.
 */

/** Options of {@link RetryableError}. */
export interface RetryableErrorOptions extends ErrorOptions {
  /** Server hint (e.g. `Retry-After`): wait at least this long before the next attempt. */
  readonly retryAfterMs?: number;
}

/**
 * A failure worth another attempt: a timeout, a 503, a reset connection.
 *
 * @example
 * ```ts
 * if (res.status === 503) throw new RetryableError('B2C busy', { retryAfterMs: 2000 });
 * ```
 */
export class RetryableError extends Error {
  override readonly name: string = 'RetryableError';
  /** Structural flag, so a copy of this class from another bundle still classifies. */
  readonly retryable = true as const;
  /** Lower bound on the back-off before the next attempt, when the server gave one (else no own property). */
  declare readonly retryAfterMs?: number;

  constructor(message: string, options?: RetryableErrorOptions) {
    super(message, options);
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  /**
   * Wraps any thrown value as retryable, keeping it as `cause`; a `RetryableError` is returned as is.
   *
   * @example
   * ```ts
   * try { await socket.write(buf); } catch (e) { throw RetryableError.from(e); }
   * ```
   */
  static from(cause: unknown, options?: Pick<RetryableErrorOptions, 'retryAfterMs'>): RetryableError {
    if (cause instanceof RetryableError) return cause;
    return new RetryableError(ensureError(cause).message, { ...options, cause });
  }
}

/**
 * A failure that another attempt cannot fix: a 400, a 404, a validation error.
 *
 * @example
 * ```ts
 * if (res.status === 400) throw new TerminalError('B2C rejected the contact', { cause: body });
 * ```
 */
export class TerminalError extends Error {
  override readonly name: string = 'TerminalError';
  /** Structural flag, so a copy of this class from another bundle still classifies. */
  readonly retryable = false as const;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * An attempt ran past its timeout. Retryable: the next attempt may be faster.
 *
 * @example
 * ```ts
 * throw new AttemptTimeoutError('Attempt 1 of step "create-contact" timed out after 3000 ms');
 * ```
 */
export class AttemptTimeoutError extends RetryableError {
  override readonly name: string = 'AttemptTimeoutError';
  /** We stopped waiting: what the attempt sent may have been applied, or may still be. */
  readonly inDoubt = 'in-flight' as const;

  constructor(message: string, options?: RetryableErrorOptions) {
    super(message, options);
  }
}

/**
 * No time left in the run's budget to start another attempt or back-off. This execution stops
 * the step (its budget only shrinks), but the failure is retryable: the next delivery of the
 * message has a fresh deadline and starts the run again. `cause` is the last underlying error,
 * when there was one.
 *
 * @example
 * ```ts
 * throw new DeadlineExceededError('no time left to retry; last error: 503', { cause: lastError });
 * ```
 */
export class DeadlineExceededError extends RetryableError {
  override readonly name: string = 'DeadlineExceededError';
  /** It stops a step; it did nothing itself (each attempt's own error says what that attempt may have done). */
  readonly inDoubt = false as const;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * Turns any thrown value into an `Error`; an `Error` is returned as is, anything else is
 * wrapped and kept as `cause`.
 *
 * @example
 * ```ts
 * catch (e) { logger.error(ensureError(e).message); }
 * ```
 */
export function ensureError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(describe(value), { cause: value });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'message' in value && typeof value.message === 'string') {
    return value.message;
  }
  try {
    return `Non-Error value thrown: ${JSON.stringify(value) ?? String(value)}`;
  } catch {
    // Circular or BigInt-holding objects.
    return `Non-Error value thrown: ${Object.prototype.toString.call(value)}`;
  }
}
