/**
 * The container's OCI Monitoring and Logging sinks over the function's resource principal.
 * Loaded by `import()` (it pulls in the OCI SDK) only when metrics or log shipping is configured,
 * and while the first run is under way: the first answer does not wait for it.
 */
import { ociAuthProvider, type OciAuthProvider } from '../src/oci/index.js';
import type { TelemetryConfig } from './config.js';
import { ociLogSink, type LogSink } from './log-shipper.js';
import type { Logger } from '../src/log/logger.js';
import { ociMetricsSink, type MetricsSink } from './metrics-sink.js';

export interface OciSinks {
  readonly metrics?: MetricsSink;
  readonly logs?: LogSink;
}

/** Never throws: what cannot be set up is off, with a warning on `stdout`. */
export function ociSinks(env: Record<string, string | undefined>, config: TelemetryConfig, stdout: Logger): OciSinks {
  let auth: OciAuthProvider | undefined;
  try {
    auth = ociAuthProvider(env, { allowConfigFile: false });
  } catch (error) {
    stdout.warn('OCI metrics and log shipping off: resource principal unusable', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
  if (!auth) {
    stdout.warn('OCI metrics and log shipping off: no resource principal (OCI_RESOURCE_PRINCIPAL_VERSION unset)');
    return {};
  }
  try {
    return {
      ...(config.oci_monitoring_compartment_id
        ? {
            metrics: ociMetricsSink(
              auth,
              {
                namespace: config.oci_monitoring_namespace,
                compartmentId: config.oci_monitoring_compartment_id,
                resourceGroup: config.oci_monitoring_resource_group,
              },
              { endpoint: config.oci_monitoring_endpoint },
            ),
          }
        : {}),
      ...(config.oci_log_id
        ? { logs: ociLogSink(auth, config.oci_log_id, { endpoint: config.oci_logging_endpoint }) }
        : {}),
    };
  } catch (error) {
    // e.g. an unreadable key: the SDK parses it when a client is built
    stdout.warn('OCI metrics and log shipping off: client setup failed', {
      error: error instanceof Error ? error.message : String(error),
    });
    return {};
  }
}
