/**
 * Retries, per-request timeout and circuit breaker for OCI SDK clients, sized to fit a
 * function's deadline (the SDK's defaults retry `getSecretBundle` for ~90 s and never time out).
 */
import * as common from 'oci-common';

export interface OciClientOptions {
  /** Attempts per call, the first included. @default 2 */
  readonly maxAttempts?: number;
  /** Pause between attempts, ms. @default 100 */
  readonly retryDelayMs?: number;
  /** Per-attempt timeout (the breaker's `timeout`; the SDK has none), ms. @default 2000 */
  readonly attemptTimeoutMs?: number;
  /** Upper bound on all attempts and pauses of one call, ms. @default maxAttempts × (attemptTimeoutMs + retryDelayMs) */
  readonly totalBudgetMs?: number;
  /**
   * Keep the SDK's circuit breaker (fails fast with `EOPENBREAKER` while a backend is down).
   * Tests that hammer a failing stand-in with one client turn it off. @default true
   */
  readonly circuitBreaker?: boolean;
}

export const DEFAULT_OCI_CLIENT_OPTIONS = {
  maxAttempts: 2,
  retryDelayMs: 100,
  attemptTimeoutMs: 2_000,
  circuitBreaker: true,
} as const;

/**
 * A `ClientConfiguration` whose retries end within `totalBudgetMs` and whose attempts time out
 * after `attemptTimeoutMs`. Never pass `httpOptions` alongside the breaker: in oci-common 2.139.1
 * that combination breaks every successful call (`response.text is not a function`).
 *
 * @example
 * ```ts
 * const client = new MonitoringClient({ authenticationDetailsProvider: auth }, ociClientConfiguration({ maxAttempts: 1 }));
 * ```
 */
export function ociClientConfiguration(options: OciClientOptions = {}): common.ClientConfiguration {
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? DEFAULT_OCI_CLIENT_OPTIONS.maxAttempts));
  const retryDelayMs = Math.max(0, options.retryDelayMs ?? DEFAULT_OCI_CLIENT_OPTIONS.retryDelayMs);
  const attemptTimeoutMs = Math.max(1, options.attemptTimeoutMs ?? DEFAULT_OCI_CLIENT_OPTIONS.attemptTimeoutMs);
  const totalBudgetMs = options.totalBudgetMs ?? maxAttempts * (attemptTimeoutMs + retryDelayMs);
  const terminationStrategy = new BoundedTermination(maxAttempts, totalBudgetMs);
  return {
    retryConfiguration: {
      terminationStrategy,
      delayStrategy: new common.FixedTimeDelayStrategy(retryDelayMs / 1000),
    },
    // Custom breaker options are not merged with the SDK defaults: spread them ourselves.
    circuitBreaker:
      (options.circuitBreaker ?? DEFAULT_OCI_CLIENT_OPTIONS.circuitBreaker)
        ? new common.CircuitBreaker({ ...common.CircuitBreaker.defaultConfiguration, timeout: attemptTimeoutMs })
        : new common.CircuitBreaker({ disableClientCircuitBreaker: true }),
  };
}

/** Stops at `maxAttempts` or once `budgetMs` has passed since the first attempt, whichever comes first. */
class BoundedTermination extends common.MaxAttemptsTerminationStrategy {
  readonly #budgetMs: number;
  constructor(maxAttempts: number, budgetMs: number) {
    super(maxAttempts);
    this.#budgetMs = budgetMs;
  }
  override shouldTerminate(waitContext: { readonly attemptCount: number; readonly startTime: Date }): boolean {
    return super.shouldTerminate(waitContext) || Date.now() - waitContext.startTime.getTime() >= this.#budgetMs;
  }
}
