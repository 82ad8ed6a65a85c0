/**
 * Where one invocation's log lines go: stdout at the configured level, debug lines held back
 * until we know whether the run failed, and every written line also queued for OCI Logging.
 */
import { context, trace } from '@opentelemetry/api';
import { createLogger, LogLevel, type LogFields, type Logger, type LogLevelName } from '../src/log/logger.js';
import { newLogBatch, type LogBatch } from './log-batch.js';
import type { LogSink } from './log-shipper.js';

export interface InvocationLog {
  readonly log: Logger;
  /** Lines to ship (those written to stdout). */
  readonly batch: LogBatch;
  /** Writes the held-back debug lines (run failed): an SRE gets the detail exactly when needed. */
  releaseDebug(): void;
  /** Ships the lines written so far with one `PutLogs`; without a sink (shipping off), nothing. */
  flush(sink: LogSink | undefined, meta: { source: string; subject?: string }, budgetMs: number): Promise<void>;
}

/**
 * The ids that join a log line to its span, under both names readers look for: `traceId` /
 * `spanId` (OCI APM's log correlation, our own tools) and `trace_id` / `span_id` (the
 * OpenTelemetry log data model).
 */
export function traceFields(
  traceId: string,
  spanId: string,
): { traceId: string; spanId: string; trace_id: string; span_id: string } {
  return { traceId, spanId, trace_id: traceId, span_id: spanId };
}

/** Active trace and span ids on every line, for log ↔ trace correlation. */
export function activeTraceFields(): LogFields {
  const span = trace.getSpan(context.active());
  const sc = span?.spanContext();
  return sc && sc.traceId !== '00000000000000000000000000000000' ? traceFields(sc.traceId, sc.spanId) : {};
}

const MAX_HELD_DEBUG = 500;

export function invocationLog(options: {
  level: LogLevelName;
  write: (line: string) => void;
  ship: boolean;
  base: LogFields;
}): InvocationLog {
  const batch = newLogBatch();
  const held: string[] = [];
  const threshold = LogLevel[options.level];
  const emit = (line: string): void => {
    options.write(line);
    if (options.ship) batch.push(line);
  };
  const log = createLogger(
    {
      level: 'debug',
      dynamic: activeTraceFields,
      write: (line) => {
        // createLogger writes `{"level":"…"` first: no need to parse the line.
        if (line.startsWith('{"level":"debug"') && threshold > LogLevel.debug) {
          if (held.length < MAX_HELD_DEBUG) held.push(line);
          return;
        }
        emit(line);
      },
    },
    options.base,
  );
  return {
    log,
    batch,
    releaseDebug() {
      for (const line of held.splice(0)) emit(line);
    },
    async flush(sink, meta, budgetMs) {
      if (sink !== undefined) await sink.ship(batch, meta, budgetMs);
    },
  };
}
