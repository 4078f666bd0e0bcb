import { fracBounds, keyTable, type KeyTable } from './native-bounds';

/** The schemas Prometheus accepts: each bucket is `2^(2^-schema)` times as wide as the last. */
export const MIN_SCHEMA = -4;
export const MAX_SCHEMA = 8;

// The bits of a double, read without allocating: frexp in a few integer operations.
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

/**
 * The key of the bucket holding `v` (finite, > 0) at `schema`, as client_golang computes it:
 * `frexp(v) = frac × 2^exp` with frac in [0.5, 1); for schema > 0 the key is the first bound
 * of the schema's table ≥ frac, plus `(exp - 1) × 2^schema`; for schema ≤ 0 it is `exp`
 * (one less when v is a power of two), divided by `2^-schema` rounding up. Bucket `k` holds
 * `(2^((k-1)/2^schema), 2^(k/2^schema)]`. `Math.ceil(Math.log2(v) * 2^schema)` would round
 * wrongly at the bounds themselves.
 */
export function nativeKey(v: number, schema: number): number {
  f64[0] = v;
  return keyOfBits(schema, keyTable(schema));
}

/**
 * Where the hot path hands a magnitude to `keyOfBits`: a typed-array slot, because a double
 * passed as an argument to a call V8 does not inline is boxed, an allocation per observation.
 */
export const MAGNITUDE = f64;

/** The high word of `MAGNITUDE[0]`: its sign, exponent and top 20 mantissa bits. */
export function magnitudeHigh(): number {
  return u32[HI];
}

/**
 * `nativeKey` of the magnitude in `MAGNITUDE[0]`, in the units of `t` (`keyTable(schema)` for
 * base units, `scaledKeyTable` for others); integers only.
 */
export function keyOfBits(schema: number, t: KeyTable): number {
  let hi = u32[HI];
  let biased = hi >>> 20; // the sign bit is clear: a magnitude
  if (biased < t.safeLo || biased > t.safeHi) {
    if (t.plain !== t) {
      // Too far from 1 for the table's thresholds: scaled as the series' sum is, then looked up.
      f64[0] = t.mul === 1 ? f64[0] / t.div : (f64[0] * t.mul) / t.div;
      t = t.plain;
      hi = u32[HI];
      biased = hi >>> 20;
    }
    if (biased === 0) {
      // Subnormal: scaled into the normal range, its exponent taken back after.
      f64[0] *= 18446744073709551616; // 2^64
      hi = u32[HI];
      biased = (hi >>> 20) - 64;
    }
  }
  const exp = biased - 1022;
  const mh = hi & 0xfffff;
  const ml = u32[LO];
  // The first threshold >= the mantissa: the cell's first candidate, or the one after it.
  let j = t.cells[mh >>> t.shift];
  const bh = t.hi[j];
  if (bh < mh || (bh === mh && t.lo[j] < ml)) j++;
  const key = (j + exp * t.n + t.k0) | 0;
  if (schema > 0) return key;
  // `>>` floors, so adding `2^-schema - 1` first rounds up, negative keys included.
  return (key + (1 << -schema) - 1) >> -schema;
}

/** A direct cell a bucket bound splits: no key is this far from 0. */
export const SPLIT = 2 ** 30 - 1;

/** Direct cells per bucket: 32, so that about one value in 32 takes the search. */
const DIRECT_BITS = 5;
/**
 * Direct cells per octave, at most: 192 KiB of cells at schema 8, 96 KiB at the default 3 (a
 * plain array of small integers takes 8 bytes an element in Node's builds).
 */
const MAX_DIRECT_BITS = 9;
/** The octaves direct lookup covers, as observed: 2^-16 to 2^32 (15 µs to 50 days in ms). */
const DIRECT_FROM = 1023 - 16;
const DIRECT_OCTAVES = 48;

/**
 * Direct cells of one key table at one schema: each cell, a slice of one octave cut by the top
 * mantissa bits, with the one key of every value in it, or `SPLIT` where a bucket bound falls
 * inside it and the search decides.
 */
export class DirectCells {
  constructor(
    readonly keys: readonly number[],
    /** Right shift of the double's high word that leaves its cell, and the first cell's number. */
    readonly shift: number,
    readonly base: number,
  ) {}
}

/** The lowest and the highest double of direct cell `c`, of cells cut as `shift` and `base` say. */
export function cellEnds(shift: number, base: number, c: number): [first: number, last: number] {
  const hi = (base + c) << shift;
  return [doubleOf(hi, 0), doubleOf(hi + (1 << shift) - 1, 0xffffffff)];
}

/** The direct cells of values in the units of `t` at `schema`; none below schema 1. */
export function directCells(t: KeyTable, schema: number): DirectCells | undefined {
  if (schema <= 0) return undefined;
  const bits = Math.min(schema + DIRECT_BITS, MAX_DIRECT_BITS);
  const cells = new DirectCells([], 20 - bits, DIRECT_FROM << bits);
  const keys = cells.keys as number[];
  for (let c = 0; c < DIRECT_OCTAVES << bits; c++) {
    // Every value between the cell's lowest and highest doubles has a key between theirs.
    const [first, last] = cellEnds(cells.shift, cells.base, c);
    f64[0] = first;
    const k = keyOfBits(schema, t);
    f64[0] = last;
    keys.push(k === keyOfBits(schema, t) ? k : SPLIT);
  }
  return cells;
}

const words = new Uint32Array(2);
const word64 = new Float64Array(words.buffer);

function doubleOf(hi: number, lo: number): number {
  words[HI] = hi;
  words[LO] = lo;
  return word64[0];
}

/**
 * The upper bound of bucket `key` at `schema`, as Prometheus computes it (`getBound`): the
 * table's bound scaled by a power of two; the last finite bucket ends at `Number.MAX_VALUE`.
 */
export function nativeBound(key: number, schema: number): number {
  if (schema <= 0) {
    const exp = key * 2 ** -schema;
    return exp === 1024 ? Number.MAX_VALUE : 2 ** exp;
  }
  const n = 2 ** schema;
  const j = key & (n - 1);
  const exp = Math.floor(key / n) + 1;
  const frac = fracBounds(schema)[j];
  if (frac === 0.5 && exp === 1025) return Number.MAX_VALUE;
  return ldexp(frac, exp);
}

/** `frac × 2^exp` without overflowing or flushing to zero on the way (`2 ** -1074` is 0 × …). */
function ldexp(frac: number, exp: number): number {
  if (exp > 1023) return frac * 2 ** 1023 * 2 ** (exp - 1023);
  if (exp < -1022) return frac * 2 ** -1022 * 2 ** (exp + 1022);
  return frac * 2 ** exp;
}
