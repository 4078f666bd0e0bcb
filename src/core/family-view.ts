import type { Exemplar } from './exemplars';

/** A counter or gauge series as the exporters read it. */
export interface ScalarSeries {
  readonly v: number;
}

/** A histogram series as the exporters read it: per-bucket counts, the last slot +Inf. */
export interface BucketSeries {
  readonly bounds: readonly number[];
  readonly counts: ArrayLike<number>;
  readonly sum: number;
  readonly count: number;
  readonly exemplars?: readonly (Exemplar | undefined)[];
}

interface FamilyBase {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
}

export interface ScalarFamily extends FamilyBase {
  readonly type: 'counter' | 'gauge';
  /** Every series with its label values; the values array may be reused between calls. */
  forEach(fn: (values: readonly string[], s: ScalarSeries) => void): void;
}

export interface HistogramFamily extends FamilyBase {
  readonly type: 'histogram';
  forEach(fn: (values: readonly string[], s: BucketSeries) => void): void;
}

/** What every exporter takes: plain data, read and never written. */
export type FamilyView = ScalarFamily | HistogramFamily;

/** `name|k=v,...` in declared label order; the bare name when there are no labels. */
export function seriesKey(
  name: string,
  labelNames: readonly string[],
  values: readonly string[],
): string {
  if (labelNames.length === 0) return name;
  let key = `${name}|${labelNames[0]}=${values[0]}`;
  for (let i = 1; i < labelNames.length; i++) key += `,${labelNames[i]}=${values[i]}`;
  return key;
}
