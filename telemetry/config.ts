/**
 * Config keys of telemetry, read on their own by {@link loadTelemetryConfig}: a bad value turns
 * that feature off with a warning and never fails a webhook (telemetry never changes the outcome).
 */
import { z } from 'zod';
import { httpUrl, secretOcid } from '../src/oci/config.js';

const ocid = (kind: string) =>
  z
    .string()
    .trim()
    .regex(
      new RegExp(`^ocid1\\.${kind}\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-z0-9._-]+$`, 'i'),
      `must be an OCID (ocid1.${kind}.…)`,
    );

export const TelemetryConfigFragment = {
  /** Minimum level of the JSON log lines. @default 'info' */
  log_level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** Overrides the metric ingestion endpoint @default `https://telemetry-ingestion.<region>.oraclecloud.com` */
  oci_monitoring_endpoint: httpUrl.optional(),
  /** Overrides the Logging ingestion endpoint @default `https://ingestion.logging.<region>.oci.oraclecloud.com` */
  oci_logging_endpoint: httpUrl.optional(),
  /** Vault secret holding the APM private data key. @default unset */
  oci_apm_data_key_ocid: secretOcid.optional(),
  /** Compartment that receives the custom metrics; absent → metrics off (one warning per container). @default unset */
  oci_monitoring_compartment_id: z.union([ocid('compartment'), ocid('tenancy')]).optional(),
  /** Metric namespace. @default 'sms_incident' */
  oci_monitoring_namespace: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must start with a letter and hold only letters, digits and _')
    .refine((v) => !/^(oci_|oracle_)/i.test(v), 'must not start with oci_ or oracle_')
    .default('sms_incident'),
  /** Metric resource group. @default unset */
  oci_monitoring_resource_group: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9._$-]*$/, 'must start with a letter; letters, digits and . _ - $')
    .optional(),
  /** Custom log that receives the JSON lines with PutLogs; absent → stdout only. @default unset */
  oci_log_id: ocid('log').optional(),
  /** OCI APM data upload endpoint (`https://<id>.apm-agt.<region>.oci.oraclecloud.com`); with the data key, traces go there. @default unset */
  oci_apm_endpoint: z.string().trim().url('must be an absolute URL').optional(),
  /** APM private data key (prefer `oci_apm_data_key_ocid`, read from Vault). @default unset */
  oci_apm_data_key: z.string().trim().min(1).optional(),
  /** Standard OTLP/HTTP traces endpoint, used verbatim (takes precedence over `oci_apm_endpoint`). @default unset */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().trim().url('must be an absolute URL').optional(),
  /** `key=value,key2=value2`, values URL-encoded (OTel spec). @default none */
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: z.string().optional(),
  /** `service.name` of the spans and the `functionName` metric dimension. @default FN_FN_NAME ?? 'sms-incident' */
  OTEL_SERVICE_NAME: z.string().trim().min(1).max(256).optional(),
  /** Longest that flushing metrics, logs and spans may add to an invocation, ms. @default 400 */
  telemetry_flush_budget_ms: z.coerce.number().int().min(50).max(5_000).default(400),
} as const;

const TelemetryConfigSchema = z.object(TelemetryConfigFragment);
export type TelemetryConfig = z.infer<typeof TelemetryConfigSchema>;

/**
 * The telemetry keys of `env`; on a bad value, the defaults with that key's feature off and the
 * problem returned for a warning (telemetry never fails an invocation).
 */
export function loadTelemetryConfig(env: Record<string, string | undefined>): {
  config: TelemetryConfig;
  problems: string[];
} {
  const parsed = TelemetryConfigSchema.safeParse(env);
  if (parsed.success) return { config: parsed.data, problems: [] };
  const bad = new Set(parsed.error.issues.map((i) => String(i.path[0])));
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k]) => !bad.has(k)));
  return {
    config: TelemetryConfigSchema.parse(cleaned),
    problems: parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`),
  };
}

/** OTLP headers from `k=v,k2=v2` (values URL-decoded); malformed pairs are skipped. */
export function parseOtlpHeaders(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (value ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    try {
      headers[decodeURIComponent(pair.slice(0, at).trim())] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      // skip a badly encoded pair
    }
  }
  return headers;
}
