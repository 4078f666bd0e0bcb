import { shown, Metric, type MetricContext } from './metric';
import type { Series } from './series-table';
import type { BoundGauge, Gauge, LabelValues } from './types';

export class GaugeSeries implements Series {
  v = 0;
  reset(): void {
    this.v = 0;
  }
}

/** A child whose methods hold its series and never read `this`: each may be passed on as a callback. */
function boundGauge(s: GaugeSeries | undefined, m: GaugeMetric, mul: number): BoundGauge {
  if (s === undefined) {
    const invalid = (v?: number): void => m.invalid(v);
    return { set: invalid, inc: invalid, dec: invalid };
  }
  return {
    set: (v: number): void => {
      if (shown(v, mul)) s.v = v;
      else m.invalid(v);
    },
    inc: (v: number = 1): void => {
      if (!shown(v, mul)) m.invalid(v);
      else if (shown(s.v + v, mul)) s.v += v;
      else m.overflow(v);
    },
    dec: (v: number = 1): void => {
      if (!shown(v, mul)) m.invalid(v);
      else if (shown(s.v - v, mul)) s.v -= v;
      else m.overflow(-v);
    },
  };
}

export class GaugeMetric extends Metric<GaugeSeries> implements Gauge {
  readonly type = 'gauge' as const;
  readonly set: (v: number, labels?: LabelValues) => void;
  readonly inc: (v?: number, labels?: LabelValues) => void;
  readonly dec: (v?: number, labels?: LabelValues) => void;
  readonly bind: (labels?: LabelValues) => BoundGauge;

  constructor(name: string, help: string, labelNames: readonly string[], ctx: MetricContext) {
    super('gauge', name, help, labelNames, ctx, () => new GaugeSeries());
    const mul = this.mul;
    this.set = (v, labels) => {
      try {
        if (shown(v, mul)) this.seriesFor(labels).v = v;
        else this.invalid(v);
      } catch (e) {
        this.failed(e);
      }
    };
    this.inc = (v = 1, labels) => {
      try {
        if (!shown(v, mul)) return this.invalid(v);
        const s = this.seriesFor(labels);
        if (shown(s.v + v, mul)) s.v += v;
        else this.overflow(v);
      } catch (e) {
        this.failed(e);
      }
    };
    this.dec = (v = 1, labels) => {
      try {
        if (!shown(v, mul)) return this.invalid(v);
        const s = this.seriesFor(labels);
        if (shown(s.v - v, mul)) s.v -= v;
        else this.overflow(-v);
      } catch (e) {
        this.failed(e);
      }
    };
    this.bind = (labels) => boundGauge(this.boundSeries(labels), this, mul);
  }
}
