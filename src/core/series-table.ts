import { compileLabelAccess, type CountDeclared, type Walk } from './label-access';
import { labelValue } from '../redact/redact';
import type { LabelValues } from './types';

/** What every series can do; its label values live in the trie path, not in the series. */
export interface Series {
  reset(): void;
}

export const OVERFLOW_VALUE = '__overflow__';

/**
 * The longest raw string remembered as an alias. A longer one is not kept (up to `max` of
 * them could hold gigabytes); it is redacted again when it comes back, which reads only its
 * first 4 KiB.
 */
const MAX_ALIASED_LENGTH = 4096;

const NO_LABELS: LabelValues = Object.freeze({}) as LabelValues;
const NO_VALUES: readonly string[] = Object.freeze([]);

type Node = Map<unknown, unknown>;

/**
 * Finds the series for a label set without building a string: one `Map` level per declared
 * label. The canonical trie is keyed by the stored values (redacted, cut), so it is also where
 * exporters read them: a series keeps no copy. Raw values that canonicalise differently (a
 * number, a URL with a query) are remembered in a second, alias trie, so two raw sets that
 * redact alike share one series. Past `max` series, new sets fold into one `__overflow__`
 * series and are not remembered, so a label bomb cannot grow memory.
 */
export class SeriesTable<S extends Series> {
  private readonly root: Node = new Map();
  private readonly aliasRoot: Node = new Map();
  private readonly single: S | undefined;
  private distinct = 0;
  private aliases = 0;
  private readonly walk: Walk;
  private readonly countDeclared: CountDeclared;

  constructor(
    readonly labelNames: readonly string[],
    private readonly max: number,
    private readonly create: () => S,
    private readonly onOverflow: () => void,
  ) {
    ({ walk: this.walk, countDeclared: this.countDeclared } = compileLabelAccess(labelNames));
    if (labelNames.length === 0) this.single = create();
  }

  /** Distinct series, the overflow series included once it exists. */
  get size(): number {
    return this.single !== undefined ? 1 : this.distinct;
  }

  /** The hot path: one `Map.get` per label, no allocation on a hit. */
  get(labels: LabelValues | undefined): S {
    const single = this.single;
    if (single !== undefined) return single;
    if (labels === undefined || labels === null || typeof labels !== 'object') labels = NO_LABELS;
    const s = this.walk(this.root, labels) as S | undefined;
    return s === undefined ? this.miss(labels) : s;
  }

  /** True when `labels` carries a key that is not a declared label name. */
  hasUndeclared(labels: LabelValues | undefined): boolean {
    if (labels === undefined || labels === null || typeof labels !== 'object') return false;
    let keys = 0;
    for (const _ in labels) keys++;
    if (keys <= this.countDeclared(labels)) return false;
    // Suspicious only: a declared key holding `undefined` is counted by for-in too.
    const names = this.labelNames;
    for (const k in labels) if (!names.includes(k)) return true;
    return false;
  }

  /**
   * Calls `fn` for every series with its label values in declared order. The values array is
   * reused between calls: copy it to keep it.
   */
  forEach(fn: (values: readonly string[], s: S) => void): void {
    if (this.single !== undefined) return fn(NO_VALUES, this.single);
    const path = new Array<string>(this.labelNames.length);
    const last = path.length - 1;
    const visit = (node: Node, depth: number): void => {
      for (const [k, v] of node) {
        path[depth] = k as string;
        if (depth === last) fn(path, v as S);
        else visit(v as Node, depth + 1);
      }
    };
    visit(this.root, 0);
  }

  reset(): void {
    this.forEach((_, s) => s.reset());
  }

  private miss(labels: LabelValues): S {
    const aliased = this.walk(this.aliasRoot, labels) as S | undefined;
    if (aliased !== undefined) return aliased;
    const names = this.labelNames;
    const raw = new Array<unknown>(names.length);
    const values = new Array<string>(names.length);
    let same = true;
    let keep = true;
    for (let i = 0; i < names.length; i++) {
      const r = labels[names[i]];
      const v = labelValue(r);
      raw[i] = r;
      values[i] = v;
      if (r !== v) same = false;
      if (typeof r === 'string' && r.length > MAX_ALIASED_LENGTH) keep = false;
    }
    let s = lookup(this.root, values) as S | undefined;
    if (s === undefined) {
      if (this.distinct >= this.max) {
        this.onOverflow();
        return this.overflow();
      }
      s = this.create();
      insert(this.root, values, s);
      this.distinct++;
    }
    if (!same && keep && this.aliases < this.max) {
      insert(this.aliasRoot, raw, s);
      this.aliases++;
    }
    return s;
  }

  /** The one series every folded label set lands in; not counted against `max`. */
  private overflow(): S {
    const values = this.labelNames.map(() => OVERFLOW_VALUE);
    let s = lookup(this.root, values) as S | undefined;
    if (s === undefined) {
      s = this.create();
      insert(this.root, values, s);
    }
    return s;
  }
}

function lookup(root: Node, path: readonly unknown[]): unknown {
  let node: unknown = root;
  for (let i = 0; i < path.length && node !== undefined; i++) node = (node as Node).get(path[i]);
  return node;
}

function insert(root: Node, path: readonly unknown[], s: unknown): void {
  let node = root;
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
