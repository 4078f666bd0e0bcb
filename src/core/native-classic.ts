import { bucketIndex } from './buckets';
import { scaledKeyTable, type KeyTable } from './native-bounds';
import {
  MAX_SCHEMA,
  MIN_SCHEMA,
  SPLIT,
  cellEnds,
  directCells,
  nativeBound,
  nativeKey,
  type DirectCells,
} from './native-index';

/**
 * What a native histogram's `observe` reads at one schema: the key table for its unit, and the
 * classic bucket of every value in each native bucket where one classic bucket holds the whole
 * native bucket, so that the classic bucket is found with one load instead of a search. Native
 * bucket `k` (over base units `v * mul / div`) maps to `index[k - lo]`, or -1 where a classic
 * bound falls inside it (the search decides); below `lo` every value is under the first bound,
 * above `hi` over the last.
 */
export class NativeLookup {
  /**
   * For each direct cell (see `DirectCells`), its key and what tells its classic bucket, as one
   * integer (see `pairKey`): a value in the common range is keyed and its classic bucket found
   * with one load. Empty below schema 1, or when a key is too far from 0 to share an integer.
   */
  readonly direct: readonly number[];
  readonly directShift: number;
  readonly directBase: number;

  constructor(
    readonly keys: KeyTable,
    cells: DirectCells | undefined,
    bounds: readonly number[],
    readonly lo: number,
    readonly hi: number,
    readonly index: readonly number[],
    /** The index below `lo` (the first bucket) and above `hi` (+Inf); -1 for none. */
    readonly below: number,
    readonly above: number,
  ) {
    this.direct = cells === undefined ? NO_PAIRS : directPairs(this, cells, bounds);
    this.directShift = cells?.shift ?? 0;
    this.directBase = cells?.base ?? 0;
  }
}

/** A direct cell a bucket bound splits, as `SPLIT` is in the key table: the search decides. */
export const SPLIT_PAIR = 0x3fffffff;

/**
 * A direct cell's pair holds its key in the high bits, within ±16382 so that `SPLIT_PAIR` is
 * above them all and every pair is a small integer (31 bits), and in the low 16 bits
 * (`pairClassic`) one of: `SEARCH`; `TOLD + i`, the native bucket tells classic bucket `i` at
 * export (its classic count is not kept); `COUNTED + i`, the native bucket does not, but every
 * value of the cell is in classic bucket `i`.
 */
export function pairKey(p: number): number {
  return p >> 16;
}

export function pairClassic(p: number): number {
  return p & 0xffff;
}

export const SEARCH = 0;
export const TOLD = 1;
export const COUNTED = 0x8001;
/** The most classic buckets, +Inf included, whose indexes the pairs hold. */
const MOST = 0xffff - COUNTED + 1;

const NO_PAIRS: readonly number[] = [];

function directPairs(
  t: NativeLookup,
  cells: DirectCells,
  bounds: readonly number[],
): readonly number[] {
  const keys = cells.keys;
  for (const k of keys) if (k !== SPLIT && (k < -16384 || k > 16382)) return NO_PAIRS;
  const pairs: number[] = [];
  for (let c = 0; c < keys.length; c++) {
    const k = keys[c];
    pairs.push(k === SPLIT ? SPLIT_PAIR : k * 65536 + cellClassic(t, cells, bounds, k, c));
  }
  return pairs.slice(); // as long as it is: pushing leaves up to half as much again unused
}

/** The low half of the pair of direct cell `c`, whose values are all in native bucket `k`. */
function cellClassic(
  t: NativeLookup,
  cells: DirectCells,
  bounds: readonly number[],
  k: number,
  c: number,
): number {
  if (bounds.length === 0) return TOLD; // no classic counts: bucket 0, as `count` says
  if (bounds.length + 1 > MOST) return SEARCH;
  const told = classicOf(t, k);
  if (told >= 0) return TOLD + told;
  const [first, last] = cellEnds(cells.shift, cells.base, c);
  const i = bucketIndex(bounds, first);
  return i === bucketIndex(bounds, last) ? COUNTED + i : SEARCH;
}

/** The classic bucket every value of native bucket `key` is in; -1 when a bound splits it. */
export function classicOf(t: NativeLookup, key: number): number {
  return key < t.lo ? t.below : key > t.hi ? t.above : t.index[key - t.lo];
}

const NONE: readonly number[] = [];

/**
 * The two roundings of `v * mul / div` move a value by a few parts in 10^16; each native bucket
 * is widened by far more than that before it is checked against the classic bounds, so that a
 * value near a native bound can never be in a classic bucket the map does not say.
 */
const MARGIN = 1e-12;

/**
 * Lookups by key table and classic bounds: histograms of one unit, schema and bounds share one
 * while any of them lives (each family holds its own), and it goes with the last of them.
 */
const lookups = new WeakMap<KeyTable, Map<string, WeakRef<NativeLookup>>>();
const forget = new FinalizationRegistry<{ in: Map<string, WeakRef<NativeLookup>>; id: string }>(
  ({ in: bySchema, id }) => {
    // A lookup made again for the same id since has its own entry: only a dead one goes.
    if (bySchema.get(id)?.deref() === undefined) bySchema.delete(id);
  },
);

/** The map says "search" for every key when none is worth it: no classic buckets, or one <= 0. */
export function nativeLookup(
  bounds: readonly number[],
  schema: number,
  mul: number,
  div: number,
): NativeLookup {
  const keys = scaledKeyTable(schema, mul, div);
  let bySchema = lookups.get(keys);
  if (bySchema === undefined) lookups.set(keys, (bySchema = new Map()));
  const id = `${schema} ${bounds.join(' ')}`;
  let t = bySchema.get(id)?.deref();
  if (t === undefined) {
    t = buildLookup(keys, bounds, schema, mul, div);
    bySchema.set(id, new WeakRef(t));
    forget.register(t, { in: bySchema, id });
  }
  return t;
}

function buildLookup(
  keys: KeyTable,
  bounds: readonly number[],
  schema: number,
  mul: number,
  div: number,
): NativeLookup {
  const cells = directCells(keys, schema);
  const none = () => new NativeLookup(keys, cells, bounds, 0, -1, NONE, -1, -1);
  if (bounds.length === 0 || bounds.length > 0x7fff || !(bounds[0] > 0)) return none();
  if (schema < MIN_SCHEMA || schema > MAX_SCHEMA) return none();
  const first = (bounds[0] * mul) / div;
  const last = (bounds[bounds.length - 1] * mul) / div;
  if (!(first > 0) || !Number.isFinite(last)) return none();
  const lo = nativeKey(first, schema) - 2;
  const hi = nativeKey(last, schema) + 2;
  const index: number[] = [];
  for (let k = lo; k <= hi; k++) {
    const from = (nativeBound(k - 1, schema) * div) / mul / (1 + MARGIN);
    const to = ((nativeBound(k, schema) * div) / mul) * (1 + MARGIN);
    const a = bucketIndex(bounds, from);
    const b = bucketIndex(bounds, to);
    index[k - lo] = Number.isFinite(from) && Number.isFinite(to) && a === b ? a : -1;
  }
  return new NativeLookup(keys, cells, bounds, lo, hi, index, 0, bounds.length);
}
