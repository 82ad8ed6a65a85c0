/**
 * One invocation's metrics (as Powertools' Metrics): the datapoints it adds while it runs, kept in
 * a batch, and one `flush` that posts them with a single `PostMetricData` per 50 streams.
 */
import type { RunResult } from '../src/engine/index.js';
import { type AnswerOutcome, answerFault } from './answer-fault.js';
import { MetricBatch } from './metric-batch.js';
import type { DimensionsOf, MetricName } from './metric-names.js';
import type { MetricsSink } from './metrics-sink.js';
import { recordRunMetrics } from './run-metrics.js';

export class InvocationMetrics {
  readonly batch: MetricBatch;
  readonly #functionName: string;
  #provider = 'unknown';

  constructor(functionName: string, now?: () => number) {
    this.#functionName = functionName;
    this.batch = new MetricBatch(now);
  }

  /** The provider of the accepted webhook, a dimension of the run's metrics from now on. */
  accepted(provider: string): void {
    this.#provider = provider;
  }

  add<N extends MetricName>(name: N, dimensions: DimensionsOf<N>, value: number): void {
    this.batch.add(name, dimensions, value);
  }

  rejected(reason: string): void {
    this.batch.add('WebhookRejected', { functionName: this.#functionName, reason }, 1);
  }

  duplicate(): void {
    this.batch.add('DuplicateWebhook', this.#dims(), 1);
  }

  run(result: RunResult<unknown>): void {
    recordRunMetrics(this.batch, result, this.#dims());
  }

  /** Counts the answer; returns its outcome and who must act. */
  answered(status: number, outcome: AnswerOutcome | undefined): ReturnType<typeof answerFault> {
    const answered = answerFault(status, outcome);
    this.batch.add('WebhookAnswered', { functionName: this.#functionName, ...answered }, 1);
    return answered;
  }

  /** Posts the batch; returns what OCI refused. No sink (metrics off): nothing to do. */
  async flush(sink: MetricsSink | undefined, budgetMs: number): Promise<readonly string[]> {
    if (sink === undefined || this.batch.size === 0) return [];
    return (await sink.post(this.batch, budgetMs)).refused;
  }

  #dims(): { functionName: string; provider: string } {
    return { functionName: this.#functionName, provider: this.#provider };
  }
}
