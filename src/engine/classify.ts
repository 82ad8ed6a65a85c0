/**
 * Decides whether a failure may be retried, from the error's class or data only.
 */
import { RetryableError, TerminalError, ensureError } from './errors.js';
import type { ErrorInfo, InDoubt } from './types.js';

/** What the engine needs to know about a failure. */
export interface ErrorClassification {
  readonly retryable: boolean;
  /** Lower bound on the next back-off, from a retryable error's `retryAfterMs`. */
  readonly retryAfterMs?: number;
  /** Low-cardinality label: the error's short string `code`, else its `name`. */
  readonly type: string;
}

/**
 * Whether a failed operation may have taken effect, read from the error's structural `inDoubt`
 * flag (the same contract as `retryable`, so lower layers set it without importing the engine):
 *
 * - `false`: it did not (refused before processing, never sent, or a read: nothing to take effect);
 * - `'settled'`: it may have, and the other side is done with it (it answered, or closed the connection);
 * - `'in-flight'`: it may have, or may still (we stopped waiting, or a gateway did): it can land later.
 *
 * An error that does not say is in doubt (`'settled'`); the engine's own attempt timeout says `'in-flight'`.
 * This is the one place the flag is read: the engine records it on each failed attempt
 * (`ErrorInfo.inDoubt`, `EarlierAttempt.inDoubt`) and everyone else reads it there.
 *
 * @example
 * ```ts
 * inDoubtOf(Object.assign(new Error('refused'), { inDoubt: false })); // → false: not applied
 * inDoubtOf(new Error('socket hang up'));                           // → 'settled': check before repeating
 * ```
 */
export function inDoubtOf(e: unknown): InDoubt {
  return declaredInDoubt(e) ?? 'settled';
}

/** The flag as the error declares it; undefined when it says nothing. */
function declaredInDoubt(e: unknown): InDoubt | undefined {
  if (typeof e === 'object' && e !== null && 'inDoubt' in e) {
    const flag = e.inDoubt;
    if (flag === false || flag === 'settled' || flag === 'in-flight') return flag;
  }
  return undefined;
}

// Longer "codes" are likely free text and would blow up metric cardinality.
const MAX_CODE_LENGTH = 64;

/**
 * Classifies a thrown value. In order:
 * 1. `RetryableError` / `TerminalError` (and subclasses) by class;
 * 2. any object with a boolean `retryable` property is trusted — the structural contract
 *    `{ retryable: boolean; retryAfterMs?: number }` lets lower layers (e.g. the B2C HTTP
 *    client) signal retryability without importing the engine;
 * 3. an `AbortError` / `TimeoutError` `DOMException` is retryable;
 * 4. anything else (`TypeError`, programming bugs…) is terminal.
 *
 * The message is never inspected.
 *
 * @example
 * ```ts
 * classifyError(Object.assign(new Error('busy'), { retryable: true, retryAfterMs: 1000, code: 'HTTP_503' }));
 * // → { retryable: true, retryAfterMs: 1000, type: 'HTTP_503' }
 * ```
 */
export function classifyError(e: unknown): ErrorClassification {
  const type = typeOf(e);
  if (e instanceof RetryableError) return withRetryAfter({ retryable: true, type }, e.retryAfterMs);
  if (e instanceof TerminalError) return { retryable: false, type };
  if (typeof e === 'object' && e !== null && 'retryable' in e && typeof e.retryable === 'boolean') {
    if (!e.retryable) return { retryable: false, type };
    return withRetryAfter({ retryable: true, type }, 'retryAfterMs' in e ? e.retryAfterMs : undefined);
  }
  if (e instanceof DOMException && (e.name === 'AbortError' || e.name === 'TimeoutError')) {
    return { retryable: true, type };
  }
  return { retryable: false, type };
}

/**
 * Plain, serialisable summary of a thrown value, as recorded in run results.
 *
 * @example
 * ```ts
 * toErrorInfo(new TypeError('x is undefined'));
 * // → { type: 'TypeError', message: 'x is undefined', retryable: false }
 * ```
 */
export function toErrorInfo(e: unknown): ErrorInfo {
  const { type, retryable } = classifyError(e);
  // Recorded as declared: what the journal reads back (a write abandoned in flight) is always declared.
  const inDoubt = declaredInDoubt(e);
  return {
    type,
    message: ensureError(e).message,
    retryable,
    ...(inDoubt === undefined || inDoubt === false ? {} : { inDoubt }),
  };
}

function typeOf(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const { code } = e;
    if (typeof code === 'string' && code.length > 0 && code.length <= MAX_CODE_LENGTH) return code;
  }
  return ensureError(e).name;
}

function withRetryAfter(c: ErrorClassification, retryAfterMs: unknown): ErrorClassification {
  // A malformed hint is ignored rather than trusted: it only ever lengthens a back-off.
  if (typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) && retryAfterMs >= 0) {
    return { ...c, retryAfterMs };
  }
  return c;
}
