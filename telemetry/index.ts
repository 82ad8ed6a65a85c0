/**
 * Telemetry: observes the function from the side (engine hooks, a wrapped fetch) and never
 * changes an outcome. Logs, traces, OCI Monitoring metrics, OCI Logging, alarms as code.
 */
export { FunctionTelemetry } from './function-telemetry.js';
export type { InvocationTelemetry } from './function-telemetry.js';
export { TelemetryConfigFragment, loadTelemetryConfig, parseOtlpHeaders } from './config.js';
export type { TelemetryConfig } from './config.js';
export { createLogger, LogLevel } from '../src/log/logger.js';
export type { LogFields, Logger, LoggerOptions, LogLevelName, LogValue } from '../src/log/logger.js';
export { runSummary } from './run-log.js';
export { spanHooks, markError } from './span-hooks.js';
export { tracedFetch } from './traced-fetch.js';
export { createTracing } from './tracing.js';
export { MetricBatch } from './metric-batch.js';
export { METRIC_DIMENSIONS, MetricName } from './metric-names.js';
export { recordRunMetrics } from './run-metrics.js';
export { rejectionReason } from './rejection-reason.js';
export { combineHooks } from './combine-hooks.js';
export { alarmDefinitions } from './alarms.js';
export { alarmQueryProblems, parseMql } from './mql.js';
