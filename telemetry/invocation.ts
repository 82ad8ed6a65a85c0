/**
 * One invocation's telemetry as the handler sees it: three parts with their own flush — the trace
 * (invocation-trace.ts), the metrics (invocation-metrics.ts) and the log (invocation-log.ts) —
 * and `end`, which ends the SERVER span and flushes the three at once, within the budget.
 */
import type { RunHooks, RunResult } from '../src/engine/index.js';
import type { Logger } from '../src/log/logger.js';
import type { AnswerOutcome } from './answer-fault.js';
import { combineHooks } from './combine-hooks.js';
import type { InvocationLog } from './invocation-log.js';
import type { InvocationMetrics } from './invocation-metrics.js';
import type { InvocationTrace } from './invocation-trace.js';
import type { DimensionsOf, MetricName } from './metric-names.js';
import type { OciSinks } from './oci-sinks.js';
import { runLogHooks } from './run-log.js';
import type { Tracing } from './tracing.js';

export type TelemetryKind = 'metrics' | 'logs' | 'traces';

/** The side of one invocation that the handler talks to. */
export interface InvocationTelemetry {
  readonly log: Logger;
  readonly traceId: string;
  /** Runs `fn` with the SERVER span active. */
  within<T>(fn: () => Promise<T>): Promise<T>;
  /** The accepted webhook: names the provider on metrics and the span. */
  accepted(sms: { provider: string; messageId?: string; from?: string }): void;
  rejected(reason: string): void;
  /** A delivery answered from the journal: counted, and its span linked to the run's original trace. */
  duplicate(original?: { runId: string; traceId?: string; spanId?: string }): void;
  /** One more datapoint of this invocation. */
  metric<N extends MetricName>(name: N, dimensions: DimensionsOf<N>, value: number): void;
  /** Engine hooks: spans, log lines and run metrics. */
  runHooks(runLog: Logger): RunHooks;
  /**
   * Counts the answer, ends the SERVER span and flushes everything within the budget. Never
   * rejects. The first call decides (the handler may call it as soon as the answer is known, to
   * flush while the run's final record is written, and again on the way out).
   */
  end(status: number, outcome?: AnswerOutcome): Promise<void>;
}

/** What the container lends each invocation for its flush. */
export interface FlushTargets {
  readonly functionName: string;
  readonly budgetMs: number;
  /** The OCI Monitoring and Logging sinks (loading with the first run); undefined when neither is configured. */
  readonly sinks: Promise<OciSinks> | undefined;
  readonly tracing: Tracing | undefined;
  /** The span exporter being made: the flush waits for it, so spans still leave before the answer. */
  exporterReady(): Promise<unknown>;
  /** Runs one kind's flush, counting and logging its failures; never rejects. */
  guard(kind: TelemetryKind, work: () => Promise<void>): Promise<void>;
  warn(message: string, fields: Record<string, string | undefined>): void;
}

export class Invocation implements InvocationTelemetry {
  readonly log: Logger;
  readonly traceId: string;
  #messageId: string | undefined;
  #runFailed = false;
  #ended: Promise<void> | undefined;

  constructor(
    readonly trace: InvocationTrace,
    readonly metrics: InvocationMetrics,
    readonly logs: InvocationLog,
    readonly targets: FlushTargets,
    readonly callId: string | undefined,
  ) {
    this.log = logs.log;
    this.traceId = trace.traceId;
  }

  within<T>(fn: () => Promise<T>): Promise<T> {
    return this.trace.within(fn);
  }

  accepted(sms: { provider: string; messageId?: string; from?: string }): void {
    this.#messageId = sms.messageId;
    this.metrics.accepted(sms.provider);
    this.trace.accepted(sms);
  }

  rejected(reason: string): void {
    this.metrics.rejected(reason);
  }

  duplicate(original?: { runId: string; traceId?: string; spanId?: string }): void {
    this.metrics.duplicate();
    if (original !== undefined) this.trace.duplicate(original);
  }

  metric<N extends MetricName>(name: N, dimensions: DimensionsOf<N>, value: number): void {
    this.metrics.add(name, dimensions, value);
  }

  runHooks(runLog: Logger): RunHooks {
    const spans = this.trace.hooks();
    return combineHooks(runLogHooks(runLog, { attemptSpan: spans.attemptSpan }), spans, {
      onRunEnd: ({ result }: { result: RunResult<unknown> }) => {
        this.#runFailed = result.status === 'failed';
        this.trace.run(result);
        this.metrics.run(result);
      },
    });
  }

  end(status: number, outcome?: AnswerOutcome): Promise<void> {
    this.#ended ??= this.#end(status, outcome);
    return this.#ended;
  }

  async #end(status: number, outcome: AnswerOutcome | undefined): Promise<void> {
    try {
      const answered = this.metrics.answered(status, outcome);
      this.trace.end(status, answered.outcome);
      if (this.#runFailed || status >= 500) this.logs.releaseDebug();
      const t = this.targets;
      await Promise.all([
        t.guard('metrics', async () => {
          const refused = await this.metrics.flush((await t.sinks)?.metrics, t.budgetMs);
          if (refused.length > 0)
            t.warn('OCI Monitoring refused metrics', {
              refused: refused.join('; ').slice(0, 2_000),
              fnCallId: this.callId,
            });
        }),
        t.guard('logs', async () =>
          this.logs.flush(
            (await t.sinks)?.logs,
            { source: t.functionName, subject: this.#messageId ?? this.callId },
            t.budgetMs,
          ),
        ),
        t.guard('traces', () => this.trace.flush(t.tracing, t.exporterReady(), t.budgetMs)),
      ]);
    } catch {
      // end() never rejects
    }
  }
}
