import type { NativeSideView, NativeView } from '../core/family-view';
import { MAX_SCHEMA, MIN_SCHEMA, nativeBound } from '../core/native-index';

/**
 * One series' native buckets on the wire: schema, zero threshold and count, and each side as
 * its first key and its dense counts. Values are in base units already, as the series keeps them.
 */
export interface WireNative {
  s: number;
  t: number;
  z: number;
  p: number;
  pc: number[];
  n: number;
  nc: number[];
}

/** Buckets one side may bring: far more than `maxBuckets` allows, few enough to stay cheap. */
const MAX_SIDE = 4096;

export function encodeNative(v: NativeView): WireNative {
  const [p, pc] = side(v.positive);
  const [n, nc] = side(v.negative);
  return { s: v.schema, t: v.zeroThreshold, z: v.zeroCount, p, pc, n, nc };
}

function side(s: NativeSideView | undefined): [number, number[]] {
  if (s === undefined) return [0, []];
  const counts = s.counts;
  let first = 0;
  let last = counts.length - 1;
  while (first <= last && counts[first] === 0) first++;
  while (last >= first && counts[last] === 0) last--;
  const out: number[] = [];
  for (let i = first; i <= last; i++) out.push(counts[i]);
  return [s.offset + first, out];
}

/** Why `x` is not a series' native buckets, or `undefined` when it is. */
export function checkNative(x: unknown): string | undefined {
  if (x === null || typeof x !== 'object') return 'native buckets are not an object';
  const { s, t, z, p, pc, n, nc } = x as Partial<WireNative>;
  if (!Number.isInteger(s) || s! < MIN_SCHEMA || s! > MAX_SCHEMA) return 'a schema is not valid';
  if (!count(t) || !count(z)) return 'a zero bucket is not valid';
  for (const [offset, counts] of [
    [p, pc],
    [n, nc],
  ] as const) {
    if (!Number.isInteger(offset) || Math.abs(offset as number) > 1100 * 256)
      return 'a native offset is not valid';
    if (!Array.isArray(counts) || counts.length > MAX_SIDE) return 'native counts are not valid';
    for (const c of counts) if (!count(c)) return 'a native count is not valid';
  }
  return undefined;
}

function count(x: unknown): x is number {
  return typeof x === 'number' && x - x === 0 && x >= 0;
}

/**
 * Native buckets added from several sources: to the coarser schema of the two each time (a key
 * `k` at schema `s` is `ceil(k / 2)` at `s - 1`, exactly), the wider zero bucket taking in the
 * buckets it covers. Read by the exporters as any native histogram.
 */
export class MergedNative implements NativeView {
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  private readonly pos = new Map<number, number>();
  private readonly neg = new Map<number, number>();

  constructor(w: WireNative) {
    this.schema = w.s;
    this.zeroThreshold = w.t;
    this.zeroCount = w.z;
    fill(this.pos, w.p, w.pc);
    fill(this.neg, w.n, w.nc);
  }

  add(w: WireNative): void {
    const other = new MergedNative(w);
    const schema = Math.min(this.schema, other.schema);
    this.reduce(schema);
    other.reduce(schema);
    const t = Math.max(this.zeroThreshold, other.zeroThreshold);
    this.widenZero(t);
    other.widenZero(t);
    this.zeroCount += other.zeroCount;
    for (const [k, c] of other.pos) this.pos.set(k, (this.pos.get(k) ?? 0) + c);
    for (const [k, c] of other.neg) this.neg.set(k, (this.neg.get(k) ?? 0) + c);
    // Sources far apart would make a wide view: fewer, wider buckets instead, as a series does.
    while (this.schema > MIN_SCHEMA && (span(this.pos) > MAX_VIEW || span(this.neg) > MAX_VIEW)) {
      this.reduce(this.schema - 1);
    }
  }

  get positive(): NativeSideView | undefined {
    return dense(this.pos);
  }

  get negative(): NativeSideView | undefined {
    return dense(this.neg);
  }

  private reduce(schema: number): void {
    while (this.schema > schema) {
      this.schema--;
      halve(this.pos);
      halve(this.neg);
    }
  }

  /** Buckets that start below the zero threshold join the zero bucket. */
  private widenZero(t: number): void {
    this.zeroThreshold = t;
    for (const m of [this.pos, this.neg]) {
      for (const [k, c] of m) {
        if (nativeBound(k - 1, this.schema) < t) {
          this.zeroCount += c;
          m.delete(k);
        }
      }
    }
  }
}

const MAX_VIEW = 2 * MAX_SIDE;

function span(m: Map<number, number>): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const k of m.keys()) {
    if (k < lo) lo = k;
    if (k > hi) hi = k;
  }
  return m.size === 0 ? 0 : hi - lo + 1;
}

function fill(m: Map<number, number>, offset: number, counts: readonly number[]): void {
  for (let i = 0; i < counts.length; i++) if (counts[i] !== 0) m.set(offset + i, counts[i]);
}

function halve(m: Map<number, number>): void {
  const entries = [...m];
  m.clear();
  for (const [k, c] of entries) {
    const h = (k + 1) >> 1;
    m.set(h, (m.get(h) ?? 0) + c);
  }
}

function dense(m: Map<number, number>): NativeSideView | undefined {
  if (m.size === 0) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (const k of m.keys()) {
    if (k < lo) lo = k;
    if (k > hi) hi = k;
  }
  const counts = new Array<number>(hi - lo + 1).fill(0);
  for (const [k, c] of m) counts[k - lo] = c;
  return { offset: lo, counts };
}
