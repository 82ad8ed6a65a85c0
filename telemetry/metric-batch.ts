/**
 * The datapoints of one invocation, grouped into metric streams (name + dimensions) and turned
 * into `PostMetricData` details. Pure: no I/O.
 */
import { METRIC_DIMENSIONS, METRIC_UNIT, type DimensionsOf, type MetricName } from './metric-names.js';

export interface MetricDatum {
  readonly namespace: string;
  readonly compartmentId: string;
  readonly resourceGroup?: string;
  readonly name: string;
  readonly dimensions: Record<string, string>;
  readonly metadata: Record<string, string>;
  readonly datapoints: { timestamp: Date; value: number; count: number }[];
}

export interface MetricTarget {
  readonly namespace: string;
  readonly compartmentId: string;
  readonly resourceGroup?: string;
}

/** OCI refuses empty values and values over 512 characters. */
const dimensionValue = (v: string): string => (v.trim() === '' ? 'unknown' : v.slice(0, 512));

export class MetricBatch {
  readonly #streams = new Map<
    string,
    { name: MetricName; dimensions: Record<string, string>; points: { timestamp: Date; value: number }[] }
  >();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Adds one datapoint; only the metric's declared dimensions are kept, in a fixed order. */
  add<N extends MetricName>(name: N, dimensions: DimensionsOf<N>, value: number): void {
    if (!Number.isFinite(value)) return;
    const dims: Record<string, string> = {};
    for (const key of METRIC_DIMENSIONS[name] as readonly string[])
      dims[key] = dimensionValue((dimensions as Record<string, string>)[key] ?? '');
    const id = `${name}\u0000${JSON.stringify(dims)}`;
    const stream = this.#streams.get(id) ?? { name, dimensions: dims, points: [] };
    stream.points.push({ timestamp: new Date(this.#now()), value });
    this.#streams.set(id, stream);
  }

  get size(): number {
    return this.#streams.size;
  }

  /** Every datapoint, for assertions and the local timeline. */
  entries(): { name: MetricName; dimensions: Record<string, string>; value: number }[] {
    return [...this.#streams.values()].flatMap((s) =>
      s.points.map((p) => ({ name: s.name, dimensions: s.dimensions, value: p.value })),
    );
  }

  /** `MetricDataDetails` in chunks of at most `maxStreams` (OCI allows 50 per call). */
  toMetricData(target: MetricTarget, maxStreams = 50): MetricDatum[][] {
    const data: MetricDatum[] = [...this.#streams.values()].map((s) => ({
      namespace: target.namespace,
      compartmentId: target.compartmentId,
      ...(target.resourceGroup ? { resourceGroup: target.resourceGroup } : {}),
      name: s.name,
      dimensions: s.dimensions,
      metadata: { unit: METRIC_UNIT[s.name] },
      datapoints: s.points.map((p) => ({ timestamp: p.timestamp, value: p.value, count: 1 })),
    }));
    const chunks: MetricDatum[][] = [];
    for (let i = 0; i < data.length; i += maxStreams) chunks.push(data.slice(i, i + maxStreams));
    return chunks;
  }
}
