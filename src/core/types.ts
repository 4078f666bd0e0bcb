import type { DefaultLabels, FamilyView } from './family-view';
import type { NativeHistogramOptions } from './native-config';

/** Label values as callers pass them; anything is accepted and turned into a string once per series. */
export type LabelValues = Record<string, unknown>;

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricOptions {
  help?: string;
  labelNames?: readonly string[];
}

export interface HistogramOptions extends MetricOptions {
  /**
   * Upper bounds in the metric's own unit, strictly increasing; `+Inf` is implied. `false`
   * keeps no classic buckets (a native histogram only).
   */
  buckets?: readonly number[] | false;
  /**
   * Keep a Prometheus native histogram (sparse exponential buckets) beside the classic ones.
   * Default: the registry's `nativeHistograms`.
   */
  native?: boolean | NativeHistogramOptions;
}

/** A counter bound to one label set: the hot path, no lookup per call. */
export interface BoundCounter {
  inc(v?: number): void;
}

export interface Counter {
  readonly name: string;
  inc(v?: number, labels?: LabelValues): void;
  bind(labels?: LabelValues): BoundCounter;
}

export interface BoundGauge {
  set(v: number): void;
  inc(v?: number): void;
  dec(v?: number): void;
}

export interface Gauge {
  readonly name: string;
  set(v: number, labels?: LabelValues): void;
  inc(v?: number, labels?: LabelValues): void;
  dec(v?: number, labels?: LabelValues): void;
  bind(labels?: LabelValues): BoundGauge;
}

export interface BoundHistogram {
  observe(v: number): void;
  /** Starts a measurement; the returned function records it and returns the elapsed ms. */
  startTimer(): () => number;
}

export interface Histogram {
  readonly name: string;
  observe(v: number, labels?: LabelValues): void;
  startTimer(labels?: LabelValues): () => number;
  bind(labels?: LabelValues): BoundHistogram;
}

export interface HistogramSnapshot {
  count: number;
  sum: number;
  /** Cumulative counts keyed by upper bound, ending with `+Inf`. */
  buckets: Record<string, number>;
  quantiles?: { p50: number; p90: number; p99: number };
  /**
   * A native histogram's sparse buckets (base units: seconds for a `_ms` histogram); its
   * quantiles then come from these, off by at most `relativeError` of the true value.
   */
  native?: NativeHistogramSnapshot;
}

export interface NativeHistogramSnapshot {
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  /** Per-bucket (not cumulative) counts keyed by bucket index: `k` ends at `2^(k / 2^schema)`. */
  positive: Record<string, number>;
  /** The same for negative observations: `k` holds `[-2^(k / 2^schema), -2^((k-1) / 2^schema))`. */
  negative: Record<string, number>;
  /** The most a quantile estimate is off, relative to the true value: `2^(2^-schema) - 1`. */
  relativeError: number;
}

/** How a metric is defined in a registry, for tools that write queries over it (SLO rules). */
export interface MetricDefinition {
  readonly name: string;
  readonly type: MetricType;
  readonly labelNames: readonly string[];
  /** A histogram's upper bounds in the metric's own unit, without `+Inf`. */
  readonly buckets?: readonly number[];
}

export interface Snapshot {
  timestamp: string;
  /**
   * The registry's default labels, present only when it has any: every series carries them
   * besides its own (a series' own label of the same name wins where its value is not empty).
   */
  labels?: Record<string, string>;
  counters: Record<string, number>;
  gauges: Record<string, number>;
  histograms: Record<string, HistogramSnapshot>;
}

/** What a collector adds at export time, keyed by series key (`name|k=v,...`) as in a snapshot. */
export interface CollectorResult {
  counters?: Record<string, number>;
  gauges?: Record<string, number>;
  histograms?: Record<string, HistogramSnapshot>;
}

export type Collector = () => CollectorResult | Promise<CollectorResult>;

export type Logger = (msg: string) => void;

/**
 * What the metrics endpoint serves: a `MetricsRegistry`, or anything exporting like one (the
 * cluster's merged registry). `exportWith` hands every family, all collectors (and workers)
 * merged in, to `render`: a plain value when nothing had to be awaited, else a Promise.
 */
export interface ExportSource {
  exportWith<T>(
    format: string,
    render: (families: readonly FamilyView[], labels: DefaultLabels) => T,
  ): T | Promise<T>;
}
