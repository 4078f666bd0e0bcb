import type { Exemplar } from './exemplars';

/** A counter or gauge series as the exporters read it. */
export interface ScalarSeries {
  readonly v: number;
  /** A counter's start (ms since the epoch), where known: the protobuf exposition sends it. */
  readonly created?: number;
}

/** A histogram series as the exporters read it: per-bucket counts, the last slot +Inf. */
export interface BucketSeries {
  readonly bounds: readonly number[];
  readonly counts: ArrayLike<number>;
  readonly sum: number;
  readonly count: number;
  readonly exemplars?: readonly (Exemplar | undefined)[];
  /** The sparse exponential buckets, in base units, when the histogram is native. */
  readonly native?: NativeView;
  /** When the series started counting (ms since the epoch), where known. */
  readonly created?: number;
}

/** Per-bucket counts of one sign of a native histogram: `counts[i]` is bucket `offset + i`. */
export interface NativeSideView {
  readonly offset: number;
  readonly counts: ArrayLike<number>;
}

/**
 * A native histogram as the exporters read it: bucket `k` holds magnitudes in
 * `(2^((k-1)/2^schema), 2^(k/2^schema)]`, base units; the zero bucket `[-zeroThreshold,
 * zeroThreshold]`.
 */
export interface NativeView {
  readonly schema: number;
  readonly zeroThreshold: number;
  readonly zeroCount: number;
  readonly positive: NativeSideView | undefined;
  readonly negative: NativeSideView | undefined;
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

/**
 * Labels every exported series carries besides its own, in the order given: a registry's
 * `defaultLabels` (`{ service, version }`), handed to every writer beside the families. Never
 * part of a series key.
 */
export type DefaultLabels = Readonly<Record<string, string>>;

export const NO_DEFAULT_LABELS: DefaultLabels = Object.freeze({});

const KEY_SPECIAL = /[\\,=|]/;
const KEY_SPECIALS = /[\\,=|]/g;

/** A label value as a series key holds it: `\`, `,`, `=` and `|` escaped with a backslash. */
export function keyValue(v: string): string {
  return KEY_SPECIAL.test(v) ? v.replace(KEY_SPECIALS, '\\$&') : v;
}

/**
 * `name|k=v,...` in declared label order; the bare name when there are no labels. Names cannot
 * hold `|`, `,`, `=` or `\`, and values have them escaped, so two series never share a key.
 */
export function seriesKey(
  name: string,
  labelNames: readonly string[],
  values: readonly string[],
): string {
  if (labelNames.length === 0) return name;
  let key = `${name}|${labelNames[0]}=${keyValue(values[0])}`;
  for (let i = 1; i < labelNames.length; i++) key += `,${labelNames[i]}=${keyValue(values[i])}`;
  return key;
}

/** How one family writes the default labels: which its own labels take over, which it adds. */
export interface FamilyDefaults {
  /** Default labels the family does not declare itself: names and values, added after its own. */
  readonly names: readonly string[];
  readonly values: readonly string[];
  /**
   * Per own label, the default that fills it where a series' own value is empty (Prometheus
   * reads an empty value as no label); `undefined` when no own label clashes with a default.
   */
  readonly fill: readonly (string | undefined)[] | undefined;
}

const NONE: FamilyDefaults = { names: [], values: [], fill: undefined };

/**
 * The clash rule, as prom-client's `setDefaultLabels`: a family's own label of the same name
 * wins, and its value is used wherever it is not empty.
 */
export function familyDefaults(
  labelNames: readonly string[],
  defaults: DefaultLabels,
): FamilyDefaults {
  const keys = Object.keys(defaults);
  if (keys.length === 0) return NONE;
  const names: string[] = [];
  const values: string[] = [];
  let fill: (string | undefined)[] | undefined;
  for (const k of keys) {
    const own = labelNames.indexOf(k);
    if (own < 0) {
      names.push(k);
      values.push(defaults[k]);
    } else {
      fill ??= new Array<string | undefined>(labelNames.length).fill(undefined);
      fill[own] = defaults[k];
    }
  }
  return { names, values, fill };
}

/** A series' own label value with the clash rule applied. */
export function ownValue(d: FamilyDefaults, i: number, value: string): string {
  return value === '' && d.fill !== undefined ? (d.fill[i] ?? value) : value;
}
