// The process's one Prometheus registry, with the Node.js runtime metrics that stand in for the
// operations guide's Go ones (nodejs_eventloop_lag_seconds, nodejs_heap_size_used_bytes,
// process_resident_memory_bytes, nodejs_active_handles, …). Every module registers its own
// metrics here at import time.
import { Registry, collectDefaultMetrics, type Metric } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/** One label set's observations: per-bucket counts (the last one is +Inf), their sum and count. */
interface Series {
  labels: Record<string, string>;
  buckets: number[];
  sum: number;
  count: number;
}

/** What the registry reads from a metric (the shape prom-client's own metrics return). */
interface Exported {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  aggregator: 'sum';
  values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
}

interface RegisteredMetric {
  name: string;
  get(): Promise<Exported>;
  reset(): void;
}

/** Adds a metric of ours to the registry, which serves it like prom-client's own. */
function register(metric: RegisteredMetric, registries: readonly Registry[]): void {
  // prom-client's typings only admit its four classes; the registry itself only calls name, get() and reset().
  for (const target of registries) target.registerMetric(metric as unknown as Metric);
}

export interface EventHistogramOptions<L extends string> {
  /** The histogram of the events' durations (or sizes). */
  name: string;
  help: string;
  buckets: readonly number[];
  labelNames: readonly L[];
  /** A counter of the same events, by the same labels (the histogram's _count under its own name). */
  counter?: { name: string; help: string };
  registers: readonly Registry[];
}

/**
 * A histogram, and optionally a counter of the same events, recorded into plain numbers per label
 * set and turned into Prometheus series only when the registry is read. prom-client's Counter and
 * Histogram validate and hash a label object on every call, which on a request answered from
 * memory costs a noticeable share of the request; here a series is one Map lookup by a string key.
 * The exported series are the ones prom-client would export for the same observations.
 */
export class EventHistogram<L extends string> {
  private readonly series = new Map<string, Series>();
  private readonly bounds: readonly number[];

  constructor(private readonly options: EventHistogramOptions<L>) {
    this.bounds = [...options.buckets].sort((a, b) => a - b);
    const reset = () => this.series.clear();
    register({ name: options.name, get: async () => this.exportHistogram(), reset }, options.registers);
    const counter = options.counter;
    if (counter) register({ name: counter.name, get: async () => this.exportCounter(counter), reset }, options.registers);
  }

  /** Records one event; `values` are the label values in the order of `labelNames`. */
  observe(values: readonly string[], value: number): void {
    const key = values.length === 1 ? values[0] : values.join('\u0000');
    let series = this.series.get(key);
    if (!series) {
      const labels: Record<string, string> = {};
      this.options.labelNames.forEach((name, i) => (labels[name] = values[i]));
      series = { labels, buckets: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]) bucket++;
    series.buckets[bucket]++;
    series.sum += value;
    series.count++;
  }

  private exportHistogram(): Exported {
    const { name } = this.options;
    const values: Exported['values'] = [];
    for (const series of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += series.buckets[i];
        values.push({ labels: { le: bound, ...series.labels }, value: cumulative, metricName: `${name}_bucket` });
      });
      values.push(
        { labels: { le: '+Inf', ...series.labels }, value: series.count, metricName: `${name}_bucket` },
        { labels: series.labels, value: series.sum, metricName: `${name}_sum` },
        { labels: series.labels, value: series.count, metricName: `${name}_count` },
      );
    }
    return { name, help: this.options.help, type: 'histogram', aggregator: 'sum', values };
  }

  private exportCounter(counter: { name: string; help: string }): Exported {
    const values = [...this.series.values()].map((series) => ({ labels: series.labels, value: series.count }));
    return { name: counter.name, help: counter.help, type: 'counter', aggregator: 'sum', values };
  }
}
