/**
 * Just enough MQL to check our alarm queries against the metrics we emit: the metric name, the
 * dimensions in the `{…}` filter and in `groupBy(…)`.
 */
import { METRIC_DIMENSIONS, MetricName } from './metric-names.js';

export interface MqlQuery {
  readonly metric: string;
  readonly interval: string;
  readonly dimensions: readonly string[];
  readonly groupBy: readonly string[];
  readonly statistic: string;
}

const QUERY =
  /^\s*([A-Za-z][\w.$-]*)\[(\d+[smhd])\](\{[^}]*\})?((?:\.[a-zA-Z]+\([^)]*\))+)(\s*(?:[<>=!]=?|>=|<=)\s*-?[\d.]+)?\s*$/;

export function parseMql(query: string): MqlQuery | undefined {
  const m = QUERY.exec(query);
  if (!m) return undefined;
  const filter = m[3] ?? '';
  const dimensions = [...filter.matchAll(/([A-Za-z][\w.-]*)\s*=\s*"/g)].map((d) => d[1] as string);
  const calls = [...(m[4] ?? '').matchAll(/\.([a-zA-Z]+)\(([^)]*)\)/g)];
  const groupBy = calls
    .filter((c) => c[1] === 'groupBy')
    .flatMap((c) =>
      (c[2] as string)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  const statistic = calls.at(-1)?.[1] ?? '';
  return { metric: m[1] as string, interval: m[2] as string, dimensions, groupBy, statistic };
}

/**
 * The platform metrics our alarms read, with the dimensions Oracle documents for them
 * (docs.oracle.com: Functions/Reference/functionsmetrics.htm, APIGateway/Reference/apigatewaymetrics.htm).
 */
export const PLATFORM_METRICS: Record<string, Record<string, readonly string[]>> = {
  oci_faas: {
    FunctionResponseCount: ['resourceId', 'resourceDisplayName', 'applicationId', 'compartmentId', 'responseType'],
  },
  oci_apigateway: { HttpResponses: ['resourceId', 'deploymentId', 'httpStatusCode', 'httpStatusCategory'] },
};

/**
 * Problems of a query against what is emitted: unknown metric, unknown dimension, unparsable.
 * Without `namespace`, the function's own metrics; with one, that platform namespace's.
 */
export function alarmQueryProblems(query: string, namespace?: string): string[] {
  const q = parseMql(query);
  if (!q) return [`cannot parse ${JSON.stringify(query)}`];
  let emitted: readonly string[] | undefined;
  if (namespace === undefined) {
    if ((Object.values(MetricName) as string[]).includes(q.metric)) emitted = METRIC_DIMENSIONS[q.metric as MetricName];
  } else {
    emitted = PLATFORM_METRICS[namespace]?.[q.metric];
  }
  if (!emitted) return [`metric ${q.metric} is not emitted${namespace ? ` in ${namespace}` : ''}`];
  const known = emitted;
  return [...q.dimensions, ...q.groupBy]
    .filter((d) => !known.includes(d))
    .map((d) => `${q.metric} has no dimension ${d}`);
}
