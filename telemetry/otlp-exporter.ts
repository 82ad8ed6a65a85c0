/**
 * Span export: OTLP over HTTP/protobuf (what OCI APM documents). Loaded by `import()` when an
 * endpoint is configured (protobufjs and the exporter: ~40 ms), and while the first run is under
 * way (deferred-exporter.ts): the first answer does not wait for it.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

/** OTLP over HTTP/protobuf, with a short export timeout. */
export function otlpExporter(options: {
  url: string;
  headers?: Record<string, string>;
  timeoutMillis?: number;
}): SpanExporter {
  return new OTLPTraceExporter({
    url: options.url,
    headers: options.headers,
    timeoutMillis: options.timeoutMillis ?? 1_000,
  });
}
