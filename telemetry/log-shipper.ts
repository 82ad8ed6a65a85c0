/**
 * Ships an invocation's JSON log lines to an OCI Logging custom log with one `PutLogs` call.
 */
import { randomUUID } from 'node:crypto';
import type * as common from 'oci-common';
import * as loggingingestion from 'oci-loggingingestion';
import { OciService, ociCall, ociClientConfiguration, ociEndpoint } from '../src/oci/index.js';

/** OCI truncates a `data` field beyond 10,000 characters; we cut first and say so. */
const MAX_DATA_CHARS = 10_000;
/** Keeps one request far below the ~10 MB PutLogs limit. */
const MAX_ENTRIES = 2_000;

export interface LogBatch {
  readonly lines: string[];
  readonly dropped: number;
}

/** Collects lines for one invocation. */
export function newLogBatch(): LogBatch & { push(line: string): void } {
  const batch = {
    lines: [] as string[],
    dropped: 0,
    push(line: string) {
      if (batch.lines.length >= MAX_ENTRIES) batch.dropped += 1;
      else batch.lines.push(line.length > MAX_DATA_CHARS ? `${line.slice(0, MAX_DATA_CHARS - 20)}…[truncated]` : line);
    },
  };
  return batch;
}

export interface LogSink {
  ship(batch: LogBatch, meta: { source: string; subject?: string }, budgetMs: number): Promise<number>;
}

export function ociLogSink(auth: common.AuthenticationDetailsProvider, logId: string, options: { endpoint?: string } = {}): LogSink {
  const client = new loggingingestion.LoggingClient({ authenticationDetailsProvider: auth }, ociClientConfiguration({ maxAttempts: 1, attemptTimeoutMs: 1_000 }));
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
            logEntryBatches: [{ entries, source: meta.source, type: 'sms-incident.log', subject: meta.subject, defaultlogentrytime: now }],
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
