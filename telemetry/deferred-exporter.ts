/**
 * A span exporter still being made (its module loading, its APM key coming from Vault). Spans are
 * batched and exported at the end of the invocation, so the run need not wait for it: the flush
 * does, within its budget.
 */
import { ExportResultCode } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

/** `ready` must not reject; it resolves to undefined when there is nowhere to export (spans are dropped). */
export function deferredExporter(ready: Promise<SpanExporter | undefined>): SpanExporter {
  return {
    export(spans, done) {
      void ready.then((exporter) =>
        exporter ? exporter.export(spans, done) : done({ code: ExportResultCode.SUCCESS }),
      );
    },
    shutdown: async () => (await ready)?.shutdown(),
    forceFlush: async () => (await ready)?.forceFlush?.(),
  };
}
