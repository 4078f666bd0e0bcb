import { Metric, type MetricContext } from './metric';
import type { Series } from './series-table';
import type { BoundCounter, Counter, LabelValues } from './types';

export class CounterSeries implements Series {
  v = 0;
  /** When the series started counting (ms since the epoch): made, or last reset. */
  created = Date.now();
  reset(): void {
    this.v = 0;
    this.created = Date.now();
  }
}

/** Not negative (NaN fails too), and shown finite in the exported unit (see `Metric.mul`). */
function valid(v: unknown, mul: number): v is number {
  return typeof v === 'number' && v >= 0 && v * mul !== Infinity;
}

/** A child whose `inc` holds its series and never reads `this`: it may be passed on as a callback. */
function boundCounter(s: CounterSeries | undefined, m: CounterMetric, mul: number): BoundCounter {
  if (s === undefined) return { inc: (v?: number) => m.invalid(v) };
  return {
    inc: (v: number = 1): void => {
      if (!valid(v, mul)) m.invalid(v);
      else if ((s.v + v) * mul !== Infinity) s.v += v;
      else m.overflow(v);
    },
  };
}

export class CounterMetric extends Metric<CounterSeries> implements Counter {
  readonly type = 'counter' as const;
  readonly inc: (v?: number, labels?: LabelValues) => void;
  readonly bind: (labels?: LabelValues) => BoundCounter;

  constructor(name: string, help: string, labelNames: readonly string[], ctx: MetricContext) {
    super('counter', name, help, labelNames, ctx, () => new CounterSeries());
    const mul = this.mul;
    this.inc = (v = 1, labels) => {
      try {
        if (!valid(v, mul)) return this.invalid(v);
        const s = this.seriesFor(labels);
        if ((s.v + v) * mul !== Infinity) s.v += v;
        else this.overflow(v);
      } catch (e) {
        this.failed(e);
      }
    };
    this.bind = (labels) => boundCounter(this.boundSeries(labels), this, mul);
  }
}
