import { quantile } from '../core/buckets';
import type { HistogramSnapshot, Snapshot } from '../core/types';
import { seriesKey, type BucketSeries, type FamilyView } from '../core/family-view';

/** The snapshot: native names and units, cumulative buckets, interpolated p50/p90/p99. */
export function toJson(families: readonly FamilyView[], now: Date = new Date()): Snapshot {
  const snap: Snapshot = { timestamp: now.toISOString(), counters: {}, gauges: {}, histograms: {} };
  for (const f of families) {
    if (f.type === 'histogram') {
      f.forEach((values, s) => {
        snap.histograms[seriesKey(f.name, f.labelNames, values)] = histogram(s);
      });
    } else {
      const into = f.type === 'counter' ? snap.counters : snap.gauges;
      f.forEach((values, s) => {
        into[seriesKey(f.name, f.labelNames, values)] = s.v;
      });
    }
  }
  return snap;
}

function histogram(s: BucketSeries): HistogramSnapshot {
  const buckets: Record<string, number> = {};
  let cum = 0;
  for (let i = 0; i < s.counts.length; i++) {
    cum += s.counts[i];
    buckets[i < s.bounds.length ? String(s.bounds[i]) : '+Inf'] = cum;
  }
  return {
    count: s.count,
    sum: s.sum,
    buckets,
    quantiles: {
      p50: quantile(0.5, s.bounds, s.counts, s.count),
      p90: quantile(0.9, s.bounds, s.counts, s.count),
      p99: quantile(0.99, s.bounds, s.counts, s.count),
    },
  };
}
