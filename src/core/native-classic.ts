import { bucketIndex } from './buckets';
import { scaledKeyTable, type KeyTable } from './native-bounds';
import { MAX_SCHEMA, MIN_SCHEMA, directKeys, nativeBound, nativeKey } from './native-index';

/**
 * What a native histogram's `observe` reads at one schema: the key table for its unit, and the
 * classic bucket of every value in each native bucket where one classic bucket holds the whole
 * native bucket, so that the classic bucket is found with one load instead of a search. Native
 * bucket `k` (over base units `v * mul / div`) maps to `index[k - lo]`, or -1 where a classic
 * bound falls inside it (the search decides); below `lo` every value is under the first bound,
 * above `hi` over the last.
 */
export class NativeLookup {
  constructor(
    readonly keys: KeyTable,
    readonly lo: number,
    readonly hi: number,
    readonly index: readonly number[],
    /** The index below `lo` (the first bucket) and above `hi` (+Inf); -1 for none. */
    readonly below: number,
    readonly above: number,
  ) {}
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

/** The map says "search" for every key when none is worth it: no classic buckets, or one <= 0. */
export function nativeLookup(
  bounds: readonly number[],
  schema: number,
  mul: number,
  div: number,
): NativeLookup {
  const keys = directKeys(scaledKeyTable(schema, mul, div), schema);
  const none = new NativeLookup(keys, 0, -1, NONE, -1, -1);
  if (bounds.length === 0 || bounds.length > 0x7fff || !(bounds[0] > 0)) return none;
  if (schema < MIN_SCHEMA || schema > MAX_SCHEMA) return none;
  const first = (bounds[0] * mul) / div;
  const last = (bounds[bounds.length - 1] * mul) / div;
  if (!(first > 0) || !Number.isFinite(last)) return none;
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
  return new NativeLookup(keys, lo, hi, index, 0, bounds.length);
}
