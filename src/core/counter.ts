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

/** Finite and not negative: NaN fails both comparisons. */
function valid(v: unknown): v is number {
  return typeof v === 'number' && v >= 0 && v !== Infinity;
}

class BoundCounterImpl implements BoundCounter {
  constructor(
    private readonly s: CounterSeries | undefined,
    private readonly m: CounterMetric,
  ) {}

  inc(v: number = 1): void {
    const s = this.s;
    if (s === undefined || !valid(v)) this.m.invalid(v);
    else if (s.v + v !== Infinity) s.v += v;
    else this.m.overflow(v);
  }
}

export class CounterMetric extends Metric<CounterSeries> implements Counter {
  readonly type = 'counter' as const;

  constructor(name: string, help: string, labelNames: readonly string[], ctx: MetricContext) {
    super(name, help, labelNames, ctx, () => new CounterSeries());
  }

  inc(v: number = 1, labels?: LabelValues): void {
    try {
      if (!valid(v)) return this.invalid(v);
      const s = this.seriesFor(labels);
      if (s.v + v !== Infinity) s.v += v;
      else this.overflow(v);
    } catch (e) {
      this.failed(e);
    }
  }

  bind(labels?: LabelValues): BoundCounter {
    return new BoundCounterImpl(this.boundSeries(labels), this);
  }
}
