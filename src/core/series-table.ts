import { labelValue } from './redact';
import type { LabelValues } from './types';

/** What every series has: its label values, redacted and cut, in declared label order. */
export interface Series {
  readonly values: readonly string[];
  reset(): void;
}

export const OVERFLOW_VALUE = '__overflow__';

const NO_LABELS: LabelValues = Object.freeze({}) as LabelValues;

type Node = Map<unknown, unknown>;

/**
 * Finds the series for a label set without building a string: one `Map` level per declared
 * label, keyed by the raw value the caller passed. A miss canonicalises the values (redact, cut)
 * and looks them up along the same trie, so two raw sets that redact alike share one series;
 * the raw path is then remembered as an alias. Past `max` series, new sets fold into one
 * `__overflow__` series and are not remembered, so a label bomb cannot grow memory.
 */
export class SeriesTable<S extends Series> {
  /** Every series, in creation order: what the exporters walk. */
  readonly series: S[] = [];
  private readonly root: Node = new Map();
  private readonly single: S | undefined;
  private distinct = 0;
  private aliases = 0;
  private overflowSeries: S | undefined;

  constructor(
    readonly labelNames: readonly string[],
    private readonly max: number,
    private readonly create: (values: readonly string[]) => S,
    private readonly onOverflow: () => void,
  ) {
    if (labelNames.length === 0) {
      this.single = create([]);
      this.series.push(this.single);
    }
  }

  /** The hot path: a few `Map.get` calls, no allocation on a hit. */
  get(labels: LabelValues | undefined): S {
    const single = this.single;
    if (single !== undefined) return single;
    if (labels === undefined || labels === null || typeof labels !== 'object') labels = NO_LABELS;
    const names = this.labelNames;
    const last = names.length - 1;
    let node = this.root;
    for (let i = 0; i < last; i++) {
      const next = node.get(labels[names[i]]) as Node | undefined;
      if (next === undefined) return this.miss(labels);
      node = next;
    }
    const s = node.get(labels[names[last]]) as S | undefined;
    return s === undefined ? this.miss(labels) : s;
  }

  /** True when `labels` carries a key that is not a declared label name. */
  hasUndeclared(labels: LabelValues | undefined): boolean {
    if (labels === undefined || labels === null || typeof labels !== 'object') return false;
    const names = this.labelNames;
    let keys = 0;
    for (const _ in labels) keys++;
    if (keys > names.length) return true;
    for (const k in labels) if (!names.includes(k)) return true;
    return false;
  }

  reset(): void {
    for (const s of this.series) s.reset();
  }

  private miss(labels: LabelValues): S {
    const names = this.labelNames;
    const raw = new Array<unknown>(names.length);
    const values = new Array<string>(names.length);
    let same = true;
    for (let i = 0; i < names.length; i++) {
      const r = labels[names[i]];
      const v = labelValue(r);
      raw[i] = r;
      values[i] = v;
      if (r !== v) same = false;
    }
    let s = this.lookup(values);
    if (s === undefined) {
      if (this.distinct >= this.max) {
        this.onOverflow();
        return this.overflow();
      }
      s = this.create(values);
      this.series.push(s);
      this.insert(values, s);
      this.distinct++;
    }
    if (!same && this.aliases < this.max) {
      this.insert(raw, s);
      this.aliases++;
    }
    return s;
  }

  private overflow(): S {
    let s = this.overflowSeries;
    if (s === undefined) {
      const values = this.labelNames.map(() => OVERFLOW_VALUE);
      s = this.lookup(values) ?? this.create(values);
      if (!this.series.includes(s)) {
        this.series.push(s);
        this.insert(values, s);
      }
      this.overflowSeries = s;
    }
    return s;
  }

  private lookup(path: readonly unknown[]): S | undefined {
    let node: unknown = this.root;
    for (let i = 0; i < path.length && node !== undefined; i++) node = (node as Node).get(path[i]);
    return node as S | undefined;
  }

  private insert(path: readonly unknown[], s: S): void {
    let node = this.root;
    const last = path.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(path[i]) as Node | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(path[i], next);
      }
      node = next;
    }
    node.set(path[last], s);
  }
}
