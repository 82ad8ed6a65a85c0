/**
 * Ships an invocation's JSON log lines to an OCI Logging custom log with one `PutLogs` call.
 */
import { randomUUID } from 'node:crypto';
import type * as common from 'oci-common';
import * as loggingingestion from 'oci-loggingingestion';
import { OciService, ociCall, ociClientConfiguration, ociEndpoint } from '../src/oci/index.js';
import type { LogBatch } from './log-batch.js';

export interface LogSink {
  ship(batch: LogBatch, meta: { source: string; subject?: string }, budgetMs: number): Promise<number>;
}

export function ociLogSink(
  auth: common.AuthenticationDetailsProvider,
  logId: string,
  options: { endpoint?: string } = {},
): LogSink {
  const client = new loggingingestion.LoggingClient(
    { authenticationDetailsProvider: auth },
    ociClientConfiguration({ maxAttempts: 1, attemptTimeoutMs: 1_000 }),
  );
  const endpoint = ociEndpoint(OciService.logging, options.endpoint, auth);
  if (endpoint) client.endpoint = endpoint;
  return {
    async ship(batch, meta, budgetMs) {
      if (batch.lines.length === 0) return 0;
      const now = new Date();
      const entries = batch.lines.map((data) => ({ data, id: randomUUID(), time: entryTime(data) ?? now }));
      await ociCall('LoggingClient.putLogs', budgetMs, () =>
        client.putLogs({
          logId,
          putLogsDetails: {
            specversion: '1.0',
            logEntryBatches: [
              {
                entries,
                source: meta.source,
                type: 'sms-incident.log',
                subject: meta.subject,
                defaultlogentrytime: now,
              },
            ],
          },
        }),
      );
      return entries.length;
    },
  };
}

function entryTime(line: string): Date | undefined {
  const m = /"time":"([^"]+)"/.exec(line);
  const t = m ? Date.parse(m[1] as string) : Number.NaN;
  return Number.isFinite(t) ? new Date(t) : undefined;
}
