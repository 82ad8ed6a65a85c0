/**
 * Posts an invocation's metrics to OCI Monitoring: one `PostMetricData` per ≤ 50 streams, to the
 * telemetry-ingestion host, no SDK retries (the flush budget is short), refusals logged.
 */
import type * as common from 'oci-common';
import * as monitoring from 'oci-monitoring';
import { OciService, ociCall, ociClientConfiguration, ociEndpoint } from '../src/oci/index.js';
import type { MetricBatch, MetricTarget } from './metric-batch.js';

export interface MetricsPostResult {
  readonly posted: number;
  /** `failedMetrics` messages OCI returned (a 200 can still refuse some streams). */
  readonly refused: readonly string[];
}

export interface MetricsSink {
  post(batch: MetricBatch, budgetMs: number): Promise<MetricsPostResult>;
}

export function ociMetricsSink(
  auth: common.AuthenticationDetailsProvider,
  target: MetricTarget,
  options: { endpoint?: string } = {},
): MetricsSink {
  const client = new monitoring.MonitoringClient(
    { authenticationDetailsProvider: auth },
    ociClientConfiguration({ maxAttempts: 1, attemptTimeoutMs: 1_000 }),
  );
  const endpoint = ociEndpoint(OciService.monitoringIngestion, options.endpoint, auth);
  if (endpoint) client.endpoint = endpoint;
  return {
    async post(batch, budgetMs) {
      const chunks = batch.toMetricData(target);
      const results = await Promise.all(
        chunks.map((metricData) =>
          ociCall('MonitoringClient.postMetricData', budgetMs, () =>
            client.postMetricData({
              postMetricDataDetails: {
                metricData,
                batchAtomicity: monitoring.models.PostMetricDataDetails.BatchAtomicity.NonAtomic,
              },
            }),
          ),
        ),
      );
      const refused = results.flatMap((r) =>
        (r.postMetricDataResponseDetails.failedMetrics ?? []).map((f) => `${f.metricData?.name ?? '?'}: ${f.message}`),
      );
      const failedCount = results.reduce((n, r) => n + (r.postMetricDataResponseDetails.failedMetricsCount ?? 0), 0);
      if (failedCount > refused.length) refused.push(`${failedCount - refused.length} more refused without details`);
      return { posted: chunks.reduce((n, c) => n + c.length, 0) - failedCount, refused };
    },
  };
}
