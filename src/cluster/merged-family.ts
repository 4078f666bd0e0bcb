import type { Exemplar } from '../core/exemplars';
import type { FamilyView } from '../core/family-view';
import type { MetricType } from '../core/types';
import type { GaugeAggregation } from './aggregation';
import type { MergedNative } from './native-merge';

// What the merge builds: families of series, read by the exporters as any family is.

export interface MergedScalar {
  readonly values: readonly string[];
  /** The last source that added to it: a source that names a series twice is refused. */
  src: number;
  v: number;
  /** Sources that had the series, for `avg`. */
  n: number;
}

export interface MergedHistogram {
  readonly values: readonly string[];
  src: number;
  readonly bounds: readonly number[];
  readonly counts: number[];
  sum: number;
  count: number;
  exemplars?: (Exemplar | undefined)[];
  /** Native buckets, while every source of the series has them. */
  native?: MergedNative;
  /** A source had none: the merged series shows its classic buckets only. */
  nativeLost?: boolean;
}

export interface MergedFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** Label names as the sources declare them, to compare; `labelNames` adds `worker` for `perWorker`. */
  readonly declared: string;
  readonly labelNames: readonly string[];
  readonly agg: GaugeAggregation | undefined;
  readonly series: Map<string, MergedScalar | MergedHistogram>;
  /** The source whose series are being added, and how many of them were taken so far. */
  src: number;
  taken: number;
}

/** The merged families as the exporters read them; `avg` series are divided here, once. */
export function views(families: Iterable<MergedFamily>): FamilyView[] {
  const out: FamilyView[] = [];
  for (const f of families) {
    if (f.agg === 'avg')
      for (const s of f.series.values()) (s as MergedScalar).v /= (s as MergedScalar).n;
    out.push({
      name: f.name,
      help: f.help,
      type: f.type,
      labelNames: f.labelNames,
      forEach(fn: (values: readonly string[], s: never) => void) {
        for (const s of f.series.values()) fn(s.values, s as never);
      },
    } as FamilyView);
  }
  return out;
}

/** Two values of one gauge series as its aggregation merges them; anything else adds. */
export function combine(agg: GaugeAggregation | undefined, a: number, b: number): number {
  if (agg === 'max') return a > b ? a : b;
  if (agg === 'min') return a < b ? a : b;
  return a + b;
}

export function add(
  agg: GaugeAggregation | undefined,
  s: MergedScalar,
  v: number,
  src: number,
): void {
  s.src = src;
  s.v = combine(agg, s.v, v);
  s.n++;
}
