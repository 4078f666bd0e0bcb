import { fracBounds } from './native-bounds';

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
export function nativeKey(v: number, schema: number, bounds: Float64Array): number {
  f64[0] = v;
  let hi = u32[HI];
  let biased = (hi >>> 20) & 0x7ff;
  if (biased === 0) {
    // Subnormal: scaled into the normal range, its exponent taken back after.
    f64[0] = v * 18446744073709551616; // 2^64
    hi = u32[HI];
    biased = ((hi >>> 20) & 0x7ff) - 64;
  }
  const exp = biased - 1022;
  if (schema > 0) {
    u32[HI] = (hi & 0x800fffff) | 0x3fe00000; // the same mantissa, exponent of [0.5, 1)
    const frac = f64[0];
    let lo = 0;
    let top = bounds.length;
    while (lo < top) {
      const mid = (lo + top) >>> 1;
      if (bounds[mid] < frac) lo = mid + 1;
      else top = mid;
    }
    return lo + (exp - 1) * bounds.length;
  }
  const powerOfTwo = (hi & 0xfffff) === 0 && u32[LO] === 0;
  const key = powerOfTwo ? exp - 1 : exp;
  // `>>` floors, so adding `2^-schema - 1` first rounds up, negative keys included.
  return (key + (1 << -schema) - 1) >> -schema;
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

/** Bounds of the table for `schema`, or an empty one for schema ≤ 0 (which needs none). */
export function boundsFor(schema: number): Float64Array {
  return schema > 0 ? fracBounds(schema) : EMPTY;
}

const EMPTY = new Float64Array(0);
