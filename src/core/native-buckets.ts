import type { NativeSideView } from './family-view';
import { MAX, WIDEST, widthOf, type CountArena, type Counts } from './native-arena';
import type { NativeConfig } from './native-config';

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
 * keys starting at `offset`, a run of `length` counts from `base` in `store`, one of the
 * histogram's shared chunks. A window makes `observe` one subtraction and one increment; it
 * grows (allocating only when the arena needs a chunk) when an observation falls outside it.
 * Counts start one byte wide and move to a wider run before any would wrap, so none is lost.
 */
export class NativeSide implements NativeSideView {
  store: Counts;
  /** The width of `store`'s counts (see `bump`). */
  width = 0;
  base: number;
  offset: number;
  length = INITIAL_WINDOW;

  constructor(arena: CountArena, key: number) {
    this.base = arena.alloc(0, INITIAL_WINDOW);
    this.store = arena.store;
    this.offset = key - (INITIAL_WINDOW >> 2);
  }

  /** The window as the exporters read it, once per series: a view, never made on `observe`. */
  get counts(): Counts {
    return this.store.subarray(this.base, this.base + this.length);
  }

  /** Stores `n`, which the run's width cannot hold, at window index `i` of a wider run. */
  widenTo(arena: CountArena, i: number, n: number): void {
    this.base = arena.widen(this.store, this.base, this.length, n);
    this.store = arena.store;
    this.width = widthOf(this.store);
    this.store[this.base + i] = n;
  }

  /** Widens the window to hold `key`; false when it would pass `maxSpan`. */
  grow(arena: CountArena, key: number, maxSpan: number): boolean {
    const lo = Math.min(this.offset, key);
    const hi = Math.max(this.offset + this.length - 1, key);
    const need = hi - lo + 1;
    if (need > maxSpan) return false;
    const size = Math.min(maxSpan, windowSize(Math.max(need + 2, this.length + 1)));
    // Room is left on the side that grew: latencies drift, and mostly the same way again.
    const offset = key < this.offset ? hi - size + 1 : lo;
    const old = this.store;
    const from = this.base;
    const base = arena.alloc(widthOf(old), size);
    const store = arena.store;
    const shift = base + this.offset - offset;
    for (let i = 0; i < this.length; i++) store[shift + i] = old[from + i];
    arena.release(old, from, this.length);
    this.store = store;
    this.base = base;
    this.offset = offset;
    this.length = size;
    return true;
  }

  /** Halves the resolution in place: key k becomes ceil(k / 2), as client_golang merges. */
  halve(arena: CountArena): void {
    let most = 0;
    for (let i = 0; i < this.length; i++) most = Math.max(most, this.store[this.base + i]);
    const width = widthOf(this.store);
    // Two merged buckets could pass what the width holds.
    if (width < WIDEST && 2 * most > MAX[width]) {
      this.base = arena.widen(this.store, this.base, this.length, 2 * most);
      this.store = arena.store;
      this.width = widthOf(this.store);
    }
    const c = this.store;
    const b = this.base;
    const offset = (this.offset + 1) >> 1;
    for (let i = 0; i < this.length; i++) {
      const n = c[b + i];
      if (n === 0) continue;
      c[b + i] = 0;
      c[b + ((this.offset + i + 1) >> 1) - offset] += n;
    }
    this.offset = offset;
  }

  populatedCount(): number {
    let n = 0;
    for (let i = 0; i < this.length; i++) if (this.store[this.base + i] !== 0) n++;
    return n;
  }

  release(arena: CountArena): void {
    arena.release(this.store, this.base, this.length);
  }
}

/** 8 counts to start with: a series whose values stay within two octaves never grows. */
const INITIAL_WINDOW = 8;

/**
 * Window lengths: 8, 12, 16, 24, 32, 48… (each half again or a third again as long as the last),
 * so that a run released by one series fits the next one exactly.
 */
function windowSize(least: number): number {
  let size = INITIAL_WINDOW;
  while (size < least) size = size % 3 === 0 ? (size / 3) * 4 : (size / 2) * 3;
  return size;
}

/**
 * The narrowest window allowed, whatever `maxBuckets`: 32 octaves at the default schema, and
 * wider than every finite key of schema -4, so that halving always ends.
 */
export const MIN_SPAN = 256;
