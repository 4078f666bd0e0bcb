import type { NativeSideView, NativeView } from './family-view';
import { nativeBound } from './native-index';

/**
 * The q-quantile of a native histogram, in base units, as Prometheus 2.42's
 * `histogram_quantile` reads one: buckets in order (negative ones from the most negative, the
 * zero bucket, positive ones), linear interpolation inside the bucket that holds the rank.
 */
export function nativeQuantile(q: number, h: NativeView, total: number): number {
  if (total === 0) return 0;
  const rank = q * total;
  let cum = 0;
  const neg = h.negative;
  if (neg !== undefined) {
    for (let i = neg.counts.length - 1; i >= 0; i--) {
      const c = neg.counts[i];
      if (c === 0) continue;
      if (cum + c >= rank) {
        const k = neg.offset + i;
        const lower = -nativeBound(k, h.schema);
        const upper = -nativeBound(k - 1, h.schema);
        return lower + (upper - lower) * ((rank - cum) / c);
      }
      cum += c;
    }
  }
  if (h.zeroCount > 0) {
    if (cum + h.zeroCount >= rank) {
      // As Prometheus: with buckets of one sign only, the zero bucket stops at 0 on the other.
      const zt = h.zeroThreshold;
      const hasNeg = populated(neg);
      const hasPos = populated(h.positive);
      const lower = !hasNeg && hasPos ? 0 : -zt;
      const upper = !hasPos && hasNeg ? 0 : zt;
      return lower + (upper - lower) * ((rank - cum) / h.zeroCount);
    }
    cum += h.zeroCount;
  }
  const pos = h.positive;
  let last = 0;
  if (pos !== undefined) {
    for (let i = 0; i < pos.counts.length; i++) {
      const c = pos.counts[i];
      if (c === 0) continue;
      const k = pos.offset + i;
      last = nativeBound(k, h.schema);
      if (cum + c >= rank) {
        const lower = nativeBound(k - 1, h.schema);
        return lower + (last - lower) * ((rank - cum) / c);
      }
      cum += c;
    }
  }
  return last;
}

function populated(side: NativeSideView | undefined): boolean {
  if (side === undefined) return false;
  for (let i = 0; i < side.counts.length; i++) if (side.counts[i] !== 0) return true;
  return false;
}

/** The most an estimate can be off, relative to the true value: one bucket's width. */
export function nativeRelativeError(schema: number): number {
  return 2 ** (2 ** -schema) - 1;
}

/** The non-zero buckets of one side as `{ key: count }`, keys in ascending order. */
export function sparseBuckets(side: NativeSideView | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (side === undefined) return out;
  for (let i = 0; i < side.counts.length; i++) {
    if (side.counts[i] !== 0) out[String(side.offset + i)] = side.counts[i];
  }
  return out;
}
