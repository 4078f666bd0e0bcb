/** A run of counts lives in one of these, the narrowest that holds its largest count. */
export type Counts = Uint8Array | Uint16Array | Uint32Array | Float64Array;

/** Widths, narrowest first; a count that would wrap moves its run to the next one. */
const KINDS = [Uint8Array, Uint16Array, Uint32Array, Float64Array] as const;

/** The width of a run's store, as an index into the widths. */
export function widthOf(c: Counts): number {
  return c instanceof Uint8Array
    ? 0
    : c instanceof Uint16Array
      ? 1
      : c instanceof Uint32Array
        ? 2
        : 3;
}

/** Every count of the widest width is exact: doubles hold integers exactly up to 2^53. */
export const WIDEST = KINDS.length - 1;

/** The first chunk of a width, in bytes: a histogram with one series pays little more. */
const FIRST_CHUNK = 256;
/** Chunks double with the counts they hold, up to this: the unused tail stays small. */
const LAST_CHUNK = 64 * 1024;

class Width {
  /** The chunk new runs are cut from, and the first free slot in it. */
  chunk: Counts;
  top = 0;
  /** Bytes in all chunks so far: the next chunk is as large, within bounds. */
  bytes: number;
  /** Released runs by length, each as a chunk and a start. */
  readonly free = new Map<number, { stores: Counts[]; starts: number[] }>();

  constructor(readonly kind: (typeof KINDS)[number]) {
    this.chunk = new kind(FIRST_CHUNK / kind.BYTES_PER_ELEMENT);
    this.bytes = FIRST_CHUNK;
  }
}

/**
 * Where every series of one native histogram keeps its counts: runs cut from a few shared
 * typed arrays rather than a typed array per run. V8 spends about 180 bytes on each typed array
 * it makes, more than 50 one-byte counts take; here that cost is paid once per chunk. A run is
 * released when its series widens it, moves it to a wider width or resets, and is handed out
 * again to the next run of the same length. Nothing is ever moved while a series holds it, so a
 * series keeps a direct reference to its chunk. Runs are handed out zeroed.
 */
export class CountArena {
  private readonly widths: (Width | undefined)[] = new Array(KINDS.length).fill(undefined);
  /** The chunk of the run `alloc` returned last. */
  store: Counts = EMPTY;

  /** A zeroed run of `length` counts of `width`: its start is returned, its chunk in `store`. */
  alloc(width: number, length: number): number {
    const w = (this.widths[width] ??= new Width(KINDS[width]));
    const free = w.free.get(length);
    if (free !== undefined && free.starts.length > 0) {
      this.store = free.stores.pop()!;
      return free.starts.pop()!;
    }
    if (w.top + length > w.chunk.length) {
      const per = w.kind.BYTES_PER_ELEMENT;
      const size = Math.max(length, Math.min(w.bytes, LAST_CHUNK) / per);
      w.chunk = new w.kind(size);
      w.top = 0;
      w.bytes += size * per;
    }
    const start = w.top;
    w.top += length;
    this.store = w.chunk;
    return start;
  }

  /** Zeroes a run and keeps it for the next `alloc` of its width and length. */
  release(store: Counts, start: number, length: number): void {
    store.fill(0, start, start + length);
    const w = this.widths[widthOf(store)]!;
    let free = w.free.get(length);
    if (free === undefined) w.free.set(length, (free = { stores: [], starts: [] }));
    free.stores.push(store);
    free.starts.push(start);
  }

  /**
   * Moves a run to the next width (or further, until `least` fits): its counts copied, the old
   * run released. The new start is returned, its chunk in `store`.
   */
  widen(store: Counts, start: number, length: number, least: number): number {
    let width = widthOf(store) + 1;
    while (width < WIDEST && least > MAX[width]) width++;
    const to = this.alloc(width, length);
    const into = this.store;
    for (let i = 0; i < length; i++) into[to + i] = store[start + i];
    this.release(store, start, length);
    this.store = into;
    return to;
  }
}

/**
 * Adds one to count `j` of a run of width `w` and returns it; returns it negated, and leaves the
 * run as it was, when the width cannot hold it. Each width has its own access: V8 keeps what it
 * learns per access, and one that has seen all four kinds of array costs several times as much.
 */
export function bump(c: Counts, w: number, j: number): number {
  let n: number;
  if (w === 2) {
    n = (c as Uint32Array)[j] + 1;
    if (n > 0xffffffff) return -n;
    (c as Uint32Array)[j] = n;
  } else if (w === 0) {
    n = (c as Uint8Array)[j] + 1;
    if (n > 0xff) return -n;
    (c as Uint8Array)[j] = n;
  } else if (w === 1) {
    n = (c as Uint16Array)[j] + 1;
    if (n > 0xffff) return -n;
    (c as Uint16Array)[j] = n;
  } else n = ++(c as Float64Array)[j];
  return n;
}

/** The largest count each width holds. */
export const MAX = [0xff, 0xffff, 0xffffffff, Number.MAX_SAFE_INTEGER] as const;

const EMPTY = new Uint8Array(0);
