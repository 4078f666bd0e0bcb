import { performance } from 'node:perf_hooks';
import { bucketIndex } from './buckets';
import { traceRefSource, type Exemplar } from './exemplars';
import { recordExemplar } from './histogram-exemplar';
import { shown, Metric, type MetricContext } from './metric';
import type { NativeShape } from './native-buckets';
import { NativeFamily, NativeSeries } from './native-series';
import type { Series } from './series-table';
import type { BoundHistogram, Histogram, LabelValues } from './types';

export class HistogramSeries implements Series {
  sum = 0;
  count = 0;
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  readonly counts: Float64Array;
  /** Allocated on the first observation made inside a span. */
  exemplars: (Exemplar | undefined)[] | undefined = undefined;
  /** When the series started counting (ms since the epoch): made, or last reset. */
  created = Date.now();

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** False, and nothing recorded, when the sum could not be shown (see `Metric.mul`). */
  observe(v: number, mul: number): boolean {
    const sum = this.sum + v;
    const x = sum * mul;
    if (x - x !== 0) return false;
    const i = bucketIndex(this.bounds, v);
    this.counts[i]++;
    this.sum = sum;
    this.count++;
    const source = traceRefSource();
    if (source !== undefined) recordExemplar(this, this.counts.length, source, i, v);
    return true;
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
    this.exemplars = undefined;
    this.created = Date.now();
  }
}

/** What a child or a timer records into: a classic or a native series. */
interface Observed {
  observe(v: number, mul: number): boolean;
}

/** A child whose methods hold its series and never read `this`: each may be passed on as a callback. */
function boundHistogram(
  s: HistogramSeries | undefined,
  m: HistogramMetric,
  mul: number,
): BoundHistogram {
  return {
    observe: (v: number): void => {
      if (s === undefined || !shown(v, mul)) m.invalid(v);
      else if (!s.observe(v, mul)) m.overflow(v);
    },
    startTimer: () => timer(s, mul),
  };
}

/**
 * `boundHistogram` for a native series. A closure of its own, so that V8 sees one kind of
 * series at each call site and a classic histogram's `observe` stays as cheap as it was.
 */
function boundNative(s: NativeSeries | undefined, m: HistogramMetric, mul: number): BoundHistogram {
  return {
    observe: (v: number): void => {
      if (s === undefined || !shown(v, mul)) m.invalid(v);
      else if (!s.observe(v, mul)) m.overflow(v);
    },
    startTimer: () => timer(s, mul),
  };
}

function timer(s: Observed | undefined, mul: number): () => number {
  const t0 = performance.now();
  return () => {
    const ms = performance.now() - t0;
    if (s !== undefined) s.observe(ms, mul);
    return ms;
  };
}

export class HistogramMetric extends Metric<HistogramSeries | NativeSeries> implements Histogram {
  readonly type = 'histogram' as const;
  readonly observe: (v: number, labels?: LabelValues) => void;
  readonly startTimer: (labels?: LabelValues) => () => number;
  readonly bind: (labels?: LabelValues) => BoundHistogram;

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    ctx: MetricContext,
    readonly bounds: readonly number[],
    /** Shared by every series when the histogram is native. */
    readonly native?: NativeShape,
  ) {
    const family = native === undefined ? undefined : new NativeFamily(native, bounds);
    super('histogram', name, help, labelNames, ctx, () =>
      family === undefined ? new HistogramSeries(bounds) : new NativeSeries(family),
    );
    const mul = this.mul;
    this.startTimer = (labels) => timer(this.boundSeries(labels), mul);
    if (family === undefined) {
      this.observe = (v, labels) => {
        try {
          if (!shown(v, mul)) this.invalid(v);
          else if (!(this.seriesFor(labels) as HistogramSeries).observe(v, mul)) this.overflow(v);
        } catch (e) {
          this.failed(e);
        }
      };
      this.bind = (labels) =>
        boundHistogram(this.boundSeries(labels) as HistogramSeries | undefined, this, mul);
    } else {
      // The same as above, written again so that each call site sees one kind of series.
      this.observe = (v, labels) => {
        try {
          if (!shown(v, mul)) this.invalid(v);
          else if (!(this.seriesFor(labels) as NativeSeries).observe(v, mul)) this.overflow(v);
        } catch (e) {
          this.failed(e);
        }
      };
      this.bind = (labels) =>
        boundNative(this.boundSeries(labels) as NativeSeries | undefined, this, mul);
    }
  }
}
