import { quantile } from '../core/buckets';
import { exportName } from '../core/export-name';
import { nativeQuantile, nativeRelativeError, sparseBuckets } from '../core/native-quantile';
import type { HistogramSnapshot, Snapshot } from '../core/types';
import {
  NO_DEFAULT_LABELS,
  seriesKey,
  type BucketSeries,
  type DefaultLabels,
  type FamilyView,
} from '../core/family-view';

/**
 * The snapshot: native names and units, cumulative buckets, interpolated p50/p90/p99. Series
 * keys hold a series' own labels only; the default labels, when there are any, are written once
 * as `labels`.
 */
export function toJson(
  families: readonly FamilyView[],
  labels: DefaultLabels = NO_DEFAULT_LABELS,
  now: Date = new Date(),
): Snapshot {
  // `labels` right after the timestamp, and only when set: a snapshot without them is unchanged.
  const snap: Snapshot =
    Object.keys(labels).length > 0
      ? {
          timestamp: now.toISOString(),
          labels: { ...labels },
          counters: {},
          gauges: {},
          histograms: {},
        }
      : { timestamp: now.toISOString(), counters: {}, gauges: {}, histograms: {} };
  for (const f of families) {
    if (f.type === 'histogram') {
      const { mul, div } = exportName(f.name, 'histogram');
      f.forEach((values, s) => {
        snap.histograms[seriesKey(f.name, f.labelNames, values)] =
          s.native === undefined ? histogram(s) : nativeHistogram(s, mul, div);
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
  const counts = s.counts;
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    cum += counts[i];
    buckets[i < s.bounds.length ? String(s.bounds[i]) : '+Inf'] = cum;
  }
  return {
    count: s.count,
    sum: s.sum,
    buckets,
    quantiles: {
      p50: quantile(0.5, s.bounds, counts, s.count),
      p90: quantile(0.9, s.bounds, counts, s.count),
      p99: quantile(0.99, s.bounds, counts, s.count),
    },
  };
}

/**
 * A native histogram: the classic buckets (when it keeps any), its sparse buckets in base units,
 * and quantiles from those, in the metric's own unit, with the most they can be off.
 */
function nativeHistogram(s: BucketSeries, mul: number, div: number): HistogramSnapshot {
  const n = s.native!;
  const out = histogram(s);
  const q = (p: number) => (nativeQuantile(p, n, s.count) * div) / mul;
  out.quantiles = { p50: q(0.5), p90: q(0.9), p99: q(0.99) };
  out.native = {
    schema: n.schema,
    zeroThreshold: n.zeroThreshold,
    zeroCount: n.zeroCount,
    positive: sparseBuckets(n.positive),
    negative: sparseBuckets(n.negative),
    relativeError: nativeRelativeError(n.schema),
  };
  return out;
}
