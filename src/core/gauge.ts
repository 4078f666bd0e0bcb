import { finite, Metric, type MetricContext } from './metric';
import type { Series } from './series-table';
import type { BoundGauge, Gauge, LabelValues } from './types';

export class GaugeSeries implements Series {
  v = 0;
  reset(): void {
    this.v = 0;
  }
}

class BoundGaugeImpl implements BoundGauge {
  constructor(
    private readonly s: GaugeSeries | undefined,
    private readonly m: GaugeMetric,
  ) {}

  set(v: number): void {
    const s = this.s;
    if (s !== undefined && finite(v)) s.v = v;
    else this.m.invalid(v);
  }

  inc(v: number = 1): void {
    const s = this.s;
    if (s === undefined || !finite(v)) this.m.invalid(v);
    else if (finite(s.v + v)) s.v += v;
    else this.m.overflow(v);
  }

  dec(v: number = 1): void {
    const s = this.s;
    if (s === undefined || !finite(v)) this.m.invalid(v);
    else if (finite(s.v - v)) s.v -= v;
    else this.m.overflow(-v);
  }
}

export class GaugeMetric extends Metric<GaugeSeries> implements Gauge {
  readonly type = 'gauge' as const;

  constructor(name: string, help: string, labelNames: readonly string[], ctx: MetricContext) {
    super(name, help, labelNames, ctx, () => new GaugeSeries());
  }

  set(v: number, labels?: LabelValues): void {
    try {
      if (finite(v)) this.seriesFor(labels).v = v;
      else this.invalid(v);
    } catch (e) {
      this.failed(e);
    }
  }

  inc(v: number = 1, labels?: LabelValues): void {
    try {
      if (!finite(v)) return this.invalid(v);
      const s = this.seriesFor(labels);
      if (finite(s.v + v)) s.v += v;
      else this.overflow(v);
    } catch (e) {
      this.failed(e);
    }
  }

  dec(v: number = 1, labels?: LabelValues): void {
    try {
      if (!finite(v)) return this.invalid(v);
      const s = this.seriesFor(labels);
      if (finite(s.v - v)) s.v -= v;
      else this.overflow(-v);
    } catch (e) {
      this.failed(e);
    }
  }

  bind(labels?: LabelValues): BoundGauge {
    return new BoundGaugeImpl(this.boundSeries(labels), this);
  }
}
