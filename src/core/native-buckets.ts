import { performance } from 'node:perf_hooks';
import type { NativeConfig } from './native-config';
import { keyTable, type KeyTable } from './native-bounds';
import { MAGNITUDE, keyOfBits } from './native-index';

/** What every series of one native histogram shares: its configuration, unit and counters. */
export interface NativeShape {
  readonly config: NativeConfig;
  /** Metric units to base units, as the text formats scale: `v * mul / div`. */
  readonly mul: number;
  readonly div: number;
  /** Told each time a series halves its resolution or resets past `maxBuckets`. */
  limited(how: 'schema' | 'reset'): void;
}

/**
 * One side (positive or negative) of a native histogram: per-bucket counts in a dense window of
 * keys starting at `offset`. A window makes `observe` one subtraction and one typed-array
 * increment; it grows (allocating) only when an observation falls outside it.
 */
export class NativeSide {
  /**
   * 32-bit counts, half the memory of doubles; a bucket about to pass 2^32 - 1 moves the
   * window to doubles (`promote`), so no count is ever lost.
   */
  counts: Uint32Array | Float64Array;
  offset: number;

  constructor(key: number) {
    this.counts = new Uint32Array(INITIAL_WINDOW);
    this.offset = key - (INITIAL_WINDOW >> 2);
  }

  /** The window as doubles: for a bucket past 2^32 - 1 observations. */
  promote(): void {
    if (this.counts instanceof Float64Array) return;
    this.counts = Float64Array.from(this.counts);
  }

  /** Widens the window to hold `key` by half again or more; false when it would pass `maxSpan`. */
  grow(key: number, maxSpan: number): boolean {
    const old = this.counts;
    const lo = Math.min(this.offset, key);
    const hi = Math.max(this.offset + old.length - 1, key);
    const need = hi - lo + 1;
    if (need > maxSpan) return false;
    const size = Math.min(maxSpan, Math.max(need + 2, old.length + (old.length >> 1)));
    // Room is left on the side that grew: latencies drift, and mostly the same way again.
    const offset = key < this.offset ? hi - size + 1 : lo;
    const counts = old instanceof Float64Array ? new Float64Array(size) : new Uint32Array(size);
    counts.set(old, this.offset - offset);
    this.counts = counts;
    this.offset = offset;
    return true;
  }

  /** Halves the resolution in place: key k becomes ceil(k / 2), as client_golang merges. */
  halve(): void {
    let most = 0;
    for (let i = 0; i < this.counts.length; i++) most = Math.max(most, this.counts[i]);
    if (most > 0x7fffffff) this.promote(); // two merged buckets could pass 2^32 - 1
    const c = this.counts;
    const offset = (this.offset + 1) >> 1;
    for (let i = 0; i < c.length; i++) {
      const n = c[i];
      if (n === 0) continue;
      c[i] = 0;
      c[((this.offset + i + 1) >> 1) - offset] += n;
    }
    this.offset = offset;
  }

  populatedCount(): number {
    let n = 0;
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] !== 0) n++;
    return n;
  }
}

/** 32 bytes: small enough for V8 to keep the counts inside the typed array's own object. */
const INITIAL_WINDOW = 8;

/** Where a series puts the value it hands to `observeInput`. */
export const INPUT = new Float64Array(1);

/**
 * The sparse exponential buckets of one series, beside its classic buckets. Observations are
 * in the metric's own unit and bucketed in base units (a `_ms` histogram's buckets are over
 * seconds, as Prometheus shows them). Past `maxBuckets` populated buckets the resolution is
 * halved, or the whole series reset when `minResetMs` allows, as client_golang does.
 */
export class NativeBuckets {
  schema: number;
  zeroCount = 0;
  positive: NativeSide | undefined = undefined;
  negative: NativeSide | undefined = undefined;
  private populated = 0;
  private table: KeyTable;
  private lastReset: number;

  constructor(readonly shape: NativeShape) {
    this.schema = shape.config.schema;
    this.table = keyTable(this.schema);
    this.lastReset = performance.now();
  }

  get zeroThreshold(): number {
    return this.shape.config.zeroThreshold;
  }

  /**
   * Records the value in `INPUT[0]` (finite, metric units): handed over there rather than as an
   * argument, so that no double is boxed on the way. Returns false when the series has to be
   * reset first (past `maxBuckets`, `minResetMs` after the last reset): the caller resets every
   * part of the series and records the value again.
   */
  observeInput(): boolean {
    const shape = this.shape;
    const v = INPUT[0];
    const base = shape.mul === 1 ? v / shape.div : (v * shape.mul) / shape.div;
    const zt = shape.config.zeroThreshold;
    if (base > zt) {
      MAGNITUDE[0] = base;
      return this.add(keyOfBits(this.schema, this.table), false);
    }
    if (base < -zt) {
      MAGNITUDE[0] = -base;
      return this.add(keyOfBits(this.schema, this.table), true);
    }
    this.zeroCount++;
    return true;
  }

  private add(key: number, negative: boolean): boolean {
    let side = negative ? this.negative : this.positive;
    if (side === undefined) {
      side = new NativeSide(key);
      if (negative) this.negative = side;
      else this.positive = side;
    }
    let i = key - side.offset;
    while (i < 0 || i >= side.counts.length) {
      // Halving the resolution to make room moves every key k to ceil(k / 2), this one too.
      if (!this.widen(side, key)) key = (key + 1) >> 1;
      i = key - side.offset;
    }
    const c = side.counts;
    const n = c[i] + 1;
    if (n > 0xffffffff && !(c instanceof Float64Array)) {
      side.promote();
      side.counts[i] = n;
    } else c[i] = n;
    if (n === 1 && ++this.populated > this.shape.config.maxBuckets) return this.limit();
    return true;
  }

  /** Room for `key`; false when the resolution had to be halved to make it (keys changed). */
  private widen(side: NativeSide, key: number): boolean {
    const maxSpan = Math.max(4 * this.shape.config.maxBuckets, MIN_SPAN);
    if (side.grow(key, this.schema === -4 ? Infinity : maxSpan)) return true;
    // A window that wide would cost more memory than `maxBuckets` promises: fewer, wider buckets.
    this.halve();
    return false;
  }

  private limit(): boolean {
    const { minResetMs } = this.shape.config;
    if (minResetMs > 0 && performance.now() - this.lastReset >= minResetMs) {
      this.shape.limited('reset');
      return false;
    }
    if (this.schema > -4) this.halve();
    return true;
  }

  private halve(): void {
    if (this.schema === -4) return;
    this.schema--;
    this.table = keyTable(this.schema);
    this.positive?.halve();
    this.negative?.halve();
    this.populated =
      (this.positive?.populatedCount() ?? 0) + (this.negative?.populatedCount() ?? 0);
    this.shape.limited('schema');
  }

  reset(): void {
    this.schema = this.shape.config.schema;
    this.table = keyTable(this.schema);
    this.zeroCount = 0;
    this.positive = undefined;
    this.negative = undefined;
    this.populated = 0;
    this.lastReset = performance.now();
  }
}

/**
 * The narrowest window allowed, whatever `maxBuckets`: 32 octaves at the default schema, and
 * wider than every finite key of schema -4, so that halving always ends.
 */
const MIN_SPAN = 256;
