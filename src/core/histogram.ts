import { performance } from 'node:perf_hooks';
import { bucketIndex } from './buckets';
import { correlationSource, traceRefSource, type Exemplar } from './exemplars';
import { shown, Metric, type MetricContext } from './metric';
import { INPUT, NativeBuckets, type NativeShape } from './native-buckets';
import type { Series } from './series-table';
import type { BoundHistogram, Histogram, LabelValues } from './types';

export class HistogramSeries implements Series {
  sum = 0;
  count = 0;
  /** Per-bucket (not cumulative) counts; the last slot is +Inf. */
  readonly counts: Float64Array;
  /** Allocated on the first observation made inside a span. */
  exemplars: (Exemplar | undefined)[] | undefined = undefined;
  /** The sparse exponential buckets, when the histogram is native. */
  readonly native: NativeBuckets | undefined;
  /** When the series started counting (ms since the epoch): made, or last reset. */
  created = Date.now();

  constructor(
    readonly bounds: readonly number[],
    shape?: NativeShape,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
    this.native = shape === undefined ? undefined : new NativeBuckets(shape);
  }

  /** False, and nothing recorded, when the sum could not be shown (see `Metric.mul`). */
  observe(v: number, mul: number): boolean {
    const sum = this.sum + v;
    const x = sum * mul;
    if (x - x !== 0) return false;
    const native = this.native;
    if (native !== undefined && ((INPUT[0] = v), !native.observeInput())) {
      // Past `maxBuckets` with `minResetMs` elapsed: every part starts again, as one reset.
      this.reset();
      return this.observe(v, mul);
    }
    const i = bucketIndex(this.bounds, v);
    this.counts[i]++;
    this.sum = sum;
    this.count++;
    const source = traceRefSource();
    if (source !== undefined) this.exemplar(source, i, v);
    return true;
  }

  private exemplar(
    source: () => { traceId: string; spanId: string } | undefined,
    i: number,
    v: number,
  ): void {
    let ref: { traceId: string; spanId: string } | undefined;
    try {
      ref = source();
    } catch {
      return; // a broken tracer costs the exemplar, never the observation or the caller
    }
    if (ref === undefined) return;
    let correlationId: string | undefined;
    try {
      correlationId = correlationSource()();
    } catch {}
    const slots = (this.exemplars ??= new Array(this.counts.length).fill(undefined));
    const e = slots[i];
    if (e === undefined) {
      slots[i] = {
        traceId: ref.traceId,
        spanId: ref.spanId,
        value: v,
        timestamp: Date.now(),
        correlationId,
      };
    } else {
      e.traceId = ref.traceId;
      e.spanId = ref.spanId;
      e.value = v;
      e.timestamp = Date.now();
      e.correlationId = correlationId;
    }
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
    this.exemplars = undefined;
    this.native?.reset();
    this.created = Date.now();
  }
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

function timer(s: HistogramSeries | undefined, mul: number): () => number {
  const t0 = performance.now();
  return () => {
    const ms = performance.now() - t0;
    if (s !== undefined) s.observe(ms, mul);
    return ms;
  };
}

export class HistogramMetric extends Metric<HistogramSeries> implements Histogram {
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
    super('histogram', name, help, labelNames, ctx, () => new HistogramSeries(bounds, native));
    const mul = this.mul;
    this.observe = (v, labels) => {
      try {
        if (!shown(v, mul)) this.invalid(v);
        else if (!this.seriesFor(labels).observe(v, mul)) this.overflow(v);
      } catch (e) {
        this.failed(e);
      }
    };
    this.startTimer = (labels) => timer(this.boundSeries(labels), mul);
    this.bind = (labels) => boundHistogram(this.boundSeries(labels), this, mul);
  }
}
