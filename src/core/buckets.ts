import { exportName, scale } from './export-name';

/** Default histogram bounds, in ms: from a cache hit to a ten-minute transcription. */
export const DEFAULT_BUCKETS_MS: readonly number[] = Object.freeze([
  1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000, 300000, 600000,
]);

export function validateBuckets(name: string, buckets: readonly number[]): number[] {
  if (!Array.isArray(buckets) || buckets.length === 0) {
    throw new TypeError(`obsweave: histogram "${name}": buckets must be a non-empty array`);
  }
  const out = buckets.filter((b) => b !== Infinity);
  if (out.length === 0) {
    throw new TypeError(`obsweave: histogram "${name}": buckets need a finite bound besides +Inf`);
  }
  for (let i = 0; i < out.length; i++) {
    const b = out[i];
    if (typeof b !== 'number' || !Number.isFinite(b)) {
      throw new TypeError(
        `obsweave: histogram "${name}": bucket ${String(b)} is not a finite number`,
      );
    }
    if (i > 0 && b <= out[i - 1]) {
      throw new TypeError(`obsweave: histogram "${name}": buckets must be strictly increasing`);
    }
  }
  checkExportedBounds(name, out);
  return out;
}

/**
 * The bounds as the text formats write them, in base units, must stay finite and distinct: a
 * `_mb` bound past 1.7e302 bytes would be a second `le="+Inf"`, and two `_ms` bounds one double
 * apart can divide into the same `le`.
 */
function checkExportedBounds(name: string, bounds: readonly number[]): void {
  const { mul, div, unit } = exportName(name, 'histogram');
  if (mul === 1 && div === 1) return;
  let prev = -Infinity;
  for (const b of bounds) {
    const x = scale(b, mul, div);
    if (!Number.isFinite(x)) {
      throw new TypeError(
        `obsweave: histogram "${name}": bucket ${b} is past the largest number in ${unit}`,
      );
    }
    if (x <= prev) {
      throw new TypeError(
        `obsweave: histogram "${name}": bucket ${b} is ${x} ${unit}, as the bound before it`,
      );
    }
    prev = x;
  }
}

/** Index of the first bound >= v, or bounds.length for the +Inf bucket. */
export function bucketIndex(bounds: readonly number[], v: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= bounds[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The q-quantile from per-bucket counts, interpolated linearly inside the bucket as Prometheus'
 * `histogram_quantile` does: the lowest bucket starts at 0 (or its bound, if negative), and a
 * rank in the +Inf bucket answers the highest finite bound.
 */
export function quantile(
  q: number,
  bounds: readonly number[],
  counts: ArrayLike<number>,
  total: number,
): number {
  if (total === 0) return 0;
  const rank = q * total;
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (cum + c >= rank && c > 0) {
      if (i === bounds.length) return bounds[bounds.length - 1];
      const upper = bounds[i];
      const lower = i === 0 ? Math.min(0, upper) : bounds[i - 1];
      return lower + (upper - lower) * ((rank - cum) / c);
    }
    cum += c;
  }
  return bounds[bounds.length - 1];
}
