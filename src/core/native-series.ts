import { performance } from 'node:perf_hooks';
import { bucketIndex } from './buckets';
import { traceRefSource, type Exemplar } from './exemplars';
import type { NativeView } from './family-view';
import { recordExemplar } from './histogram-exemplar';
import { CountArena, MAX, bump, widthOf, type Counts } from './native-arena';
import { largestAtMost } from './native-bounds';
import { MIN_SPAN, NativeSide, type NativeShape } from './native-buckets';
import {
  COUNTED,
  SEARCH,
  SPLIT_PAIR,
  TOLD,
  classicOf,
  nativeLookup,
  pairClassic,
  pairKey,
  type NativeLookup,
} from './native-classic';
import { MAGNITUDE, MAX_SCHEMA, MIN_SCHEMA, keyOfBits, magnitudeHigh } from './native-index';
import type { Series } from './series-table';

/** What every series of one native histogram shares: its shape, classic bounds and storage. */
export class NativeFamily {
  readonly arena = new CountArena();
  /** When the family was made (ms since the epoch): its series' start times count from it. */
  readonly epoch = Date.now();
  readonly zeroThreshold: number;
  /** The largest value, as observed, whose magnitude in base units is in the zero bucket. */
  readonly zeroBelow: number;
  readonly maxBuckets: number;
  /** The widest a window may grow before the resolution is halved instead. */
  readonly maxSpan: number;

  constructor(
    readonly shape: NativeShape,
    /** Classic bounds; none with `buckets: false`. */
    readonly bounds: readonly number[],
  ) {
    this.zeroThreshold = shape.config.zeroThreshold;
    this.zeroBelow = largestAtMost(this.zeroThreshold, shape.mul, shape.div);
    this.maxBuckets = shape.config.maxBuckets;
    this.maxSpan = Math.max(4 * this.maxBuckets, MIN_SPAN);
    this.lookup(shape.config.schema);
  }

  /**
   * Key tables and classic maps by schema (see `NativeLookup`): the configured schema's made
   * with the family, a lower one's when a series first halves to it.
   */
  private readonly lookups: (NativeLookup | undefined)[] = new Array(
    MAX_SCHEMA - MIN_SCHEMA + 1,
  ).fill(undefined);

  lookup(schema: number): NativeLookup {
    const { mul, div } = this.shape;
    return (this.lookups[schema - MIN_SCHEMA] ??= nativeLookup(this.bounds, schema, mul, div));
  }
}

/**
 * One series of a native histogram: count, sum, the classic buckets (unless `buckets: false`)
 * and the sparse exponential buckets, in one object whose counts are runs in the histogram's
 * shared arena. Observations are in the metric's own unit and bucketed in base units (a `_ms`
 * histogram's buckets are over seconds, as Prometheus shows them). Past `maxBuckets` populated
 * buckets the resolution is halved, or the whole series reset when `minResetMs` allows, as
 * client_golang does. It is its own `native` view.
 */
export class NativeSeries implements Series, NativeView {
  sum = 0;
  count = 0;
  /**
   * When the series started counting, made or last reset, as ms after the family was made: a
   * small integer, which V8 keeps without the box a time since 1970 needs.
   */
  private startedAt: number;
  /** Allocated on the first observation made inside a span. */
  exemplars: (Exemplar | undefined)[] | undefined = undefined;
  schema: number;
  zeroCount = 0;
  positive: NativeSide | undefined = undefined;
  negative: NativeSide | undefined = undefined;
  private populated = 0;
  private table: NativeLookup;
  /**
   * `performance.now()` at the last reset, when `minResetMs` asks for it. Otherwise `undefined`,
   * never 0: a field V8 has seen hold only numbers keeps each double in a box of its own.
   */
  private lastReset: number | undefined;
  /**
   * Per-bucket classic counts from `at` (the last is +Inf); none with `buckets: false`. They
   * hold only what the positive native buckets cannot tell: values in a native bucket a classic
   * bound splits, in the zero bucket or below zero, and what halving merged into such a bucket.
   * `counts` adds every other native bucket to the classic bucket that holds it, at export.
   */
  private classic: Counts | undefined = undefined;
  private at = 0;
  private width = 0;

  constructor(readonly family: NativeFamily) {
    this.startedAt = Date.now() - family.epoch;
    this.schema = family.shape.config.schema;
    this.table = this.family.lookup(this.schema);
    this.lastReset = this.now();
    if (family.bounds.length > 0) {
      this.at = family.arena.alloc(0, family.bounds.length + 1);
      this.classic = family.arena.store;
    }
  }

  /** When the series started counting (ms since the epoch): made, or last reset. */
  get created(): number {
    return this.family.epoch + this.startedAt;
  }

  get bounds(): readonly number[] {
    return this.family.bounds;
  }

  /**
   * Per-bucket classic counts, the last +Inf: made at export, never on `observe`, from the
   * classic counts kept and the native buckets that tell theirs. Exporters read it once per series.
   */
  get counts(): Float64Array {
    const c = this.classic;
    if (c === undefined) return Float64Array.of(this.count);
    const out = new Float64Array(this.family.bounds.length + 1);
    for (let i = 0; i < out.length; i++) out[i] = c[this.at + i];
    const side = this.positive;
    if (side === undefined) return out;
    const t = this.table;
    for (let i = 0; i < side.length; i++) {
      const n = side.store[side.base + i];
      if (n === 0) continue;
      const j = classicOf(t, side.offset + i);
      if (j >= 0) out[j] += n;
    }
    return out;
  }

  get native(): NativeView {
    return this;
  }

  get zeroThreshold(): number {
    return this.family.zeroThreshold;
  }

  /**
   * False, and nothing recorded, when the sum could not be shown (see `Metric.mul`). Small, so
   * that V8 inlines it into the caller; `v` goes on to `record` through `MAGNITUDE`, since a double
   * passed to a call V8 does not inline is boxed: an allocation per observation.
   */
  observe(v: number, mul: number): boolean {
    const sum = this.sum + v;
    const x = sum * mul;
    if (x - x !== 0) return false;
    MAGNITUDE[0] = v; // the slot `keyOfBits` reads: a positive value is keyed where it is
    const i = this.record();
    // Past `maxBuckets` with `minResetMs` elapsed: every part starts again, as one reset.
    if (i < 0) return (this.reset(), this.observe(v, mul));
    this.sum = sum;
    this.count++;
    const source = traceRefSource();
    if (source !== undefined) recordExemplar(this, this.family.bounds.length + 1, source, i, v);
    return true;
  }

  /**
   * Counts `MAGNITUDE[0]` in its native bucket, and in its classic bucket where the native one does
   * not tell it, and returns the classic bucket's index; -1, with nothing counted, when the
   * series has to be reset first. Most observations take the first branch: a positive value in
   * the direct cells, into a bucket the window holds, of a count that does not outgrow its width.
   * It is small enough for V8 to inline into `observe`, and that into its caller; the rest is in
   * `recordAny`, which V8 keeps out of line.
   */
  private record(): number {
    const v = MAGNITUDE[0];
    const t = this.table;
    const side = this.positive;
    const cell = (magnitudeHigh() >>> t.directShift) - t.directBase;
    if (v > this.family.zeroBelow && side !== undefined && cell >>> 0 < t.direct.length) {
      const p = t.direct[cell];
      const at = pairKey(p) - side.offset;
      if (p !== SPLIT_PAIR && at >= 0 && at < side.length) {
        const n = bump(side.store, side.width, side.base + at);
        if (n > 0) {
          if (n === 1 && ++this.populated > this.family.maxBuckets && !this.limit()) return -1;
          const c = pairClassic(p);
          // Told by the native bucket at export; else counted in the classic ones here.
          if ((c - TOLD) >>> 0 < COUNTED - TOLD) return c - TOLD;
          MAGNITUDE[0] = v; // `limit` may have built a lookup, which uses the slot
          return this.countClassic(c);
        }
      }
    }
    return this.recordAny();
  }

  /**
   * `record` for every value: those the common case leaves (negative, in the zero bucket, outside
   * the direct cells or the window, in a cell a bound splits, a count that outgrows its width)
   * come here, the first of a series too.
   */
  private recordAny(): number {
    const v = MAGNITUDE[0];
    const f = this.family;
    const zv = f.zeroBelow;
    let i = -1; // the classic bucket, when the native key gives it
    if (v > zv || v < -zv) {
      const negative = v < 0;
      if (negative) MAGNITUDE[0] = -v;
      let key = keyOfBits(this.schema, this.table.keys);
      let side = negative ? this.negative : this.positive;
      if (side === undefined) {
        side = new NativeSide(f.arena, key);
        if (negative) this.negative = side;
        else this.positive = side;
      }
      let at = key - side.offset;
      while (at < 0 || at >= side.length) {
        // Halving the resolution to make room moves every key k to ceil(k / 2), this one too.
        if (!this.widen(side, key)) key = (key + 1) >> 1;
        at = key - side.offset;
      }
      // Before `limit` may halve: halving moves this count with the others (see `halve`).
      if (!negative) i = classicOf(this.table, key);
      const n = bump(side.store, side.width, side.base + at);
      if (n < 0) side.widenTo(f.arena, at, -n);
      else if (n === 1 && ++this.populated > f.maxBuckets && !this.limit()) return -1;
    } else this.zeroCount++;
    if (i >= 0) return i; // told by the native bucket at export
    MAGNITUDE[0] = v;
    return this.countClassic(SEARCH);
  }

  /**
   * Counts `MAGNITUDE[0]` in its classic bucket and returns the bucket: `c - COUNTED`, from its
   * cell's pair, or else found by search.
   */
  private countClassic(c: number): number {
    const classic = this.classic;
    if (classic === undefined) return 0;
    const i = c >= COUNTED ? c - COUNTED : bucketIndex(this.family.bounds, MAGNITUDE[0]);
    const j = this.at + i;
    const n = bump(classic, this.width, j);
    if (n < 0) this.widenClassic(j, -n);
    return i;
  }

  /** Adds `n` to classic count `i`, moving the run to a wider width when it must. */
  private addClassic(i: number, n: number): void {
    const j = this.at + i;
    const sum = this.classic![j] + n;
    if (sum > MAX[this.width]) this.widenClassic(j, sum);
    else this.classic![j] = sum;
  }

  private widenClassic(j: number, n: number): void {
    const c = this.classic!;
    const length = this.family.bounds.length + 1;
    const arena = this.family.arena;
    const i = j - this.at;
    this.at = arena.widen(c, this.at, length, n);
    this.classic = arena.store;
    this.width = widthOf(this.classic);
    this.classic[this.at + i] = n;
  }

  /** Room for `key`; false when the resolution had to be halved to make it (keys changed). */
  private widen(side: NativeSide, key: number): boolean {
    const { arena, maxSpan } = this.family;
    if (side.grow(arena, key, this.schema === -4 ? Infinity : maxSpan)) return true;
    // A window that wide would cost more memory than `maxBuckets` promises: fewer, wider buckets.
    this.halve();
    return false;
  }

  private limit(): boolean {
    const { shape } = this.family;
    const { minResetMs } = shape.config;
    if (minResetMs > 0 && performance.now() - this.lastReset! >= minResetMs) {
      shape.limited('reset');
      return false;
    }
    if (this.schema > -4) this.halve();
    return true;
  }

  private halve(): void {
    if (this.schema === -4) return;
    const arena = this.family.arena;
    const from = this.table;
    this.schema--;
    this.table = this.family.lookup(this.schema);
    this.keepClassic(from, this.table);
    this.positive?.halve(arena);
    this.negative?.halve(arena);
    this.populated =
      (this.positive?.populatedCount() ?? 0) + (this.negative?.populatedCount() ?? 0);
    this.family.shape.limited('schema');
  }

  /**
   * Before halving: a native bucket whose merged bucket a classic bound will split can no longer
   * tell its classic bucket at export, so its count moves into the classic counts. A merged
   * bucket inside one classic bucket holds two halves inside that same bucket.
   */
  private keepClassic(from: NativeLookup, to: NativeLookup): void {
    const side = this.positive;
    if (side === undefined || this.classic === undefined) return;
    for (let i = 0; i < side.length; i++) {
      const n = side.store[side.base + i];
      if (n === 0) continue;
      const key = side.offset + i;
      const j = classicOf(from, key);
      if (j >= 0 && classicOf(to, (key + 1) >> 1) < 0) this.addClassic(j, n);
    }
  }

  reset(): void {
    const { arena, bounds, shape } = this.family;
    this.classic?.fill(0, this.at, this.at + bounds.length + 1);
    this.sum = 0;
    this.count = 0;
    this.exemplars = undefined;
    this.startedAt = Date.now() - this.family.epoch;
    this.schema = shape.config.schema;
    this.table = this.family.lookup(this.schema);
    this.zeroCount = 0;
    this.positive?.release(arena);
    this.negative?.release(arena);
    this.positive = undefined;
    this.negative = undefined;
    this.populated = 0;
    this.lastReset = this.now();
  }

  private now(): number | undefined {
    return this.family.shape.config.minResetMs > 0 ? performance.now() : undefined;
  }
}
