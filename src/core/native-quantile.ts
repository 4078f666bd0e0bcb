import type { NativeSideView, NativeView } from './family-view';
import { nativeBound } from './native-index';

/**
 * The q-quantile of a native histogram, in base units, as Prometheus 3's `histogram_quantile`
 * reads one (and the dashboard, so that both agree): buckets in order (negative ones from the
 * most negative, the zero bucket, positive ones), the rank counted from the top for q >= 0.5,
 * interpolated linearly inside the zero bucket and exponentially inside the others. Prometheus
 * 2 interpolated linearly there too; both stay inside the bucket, within the schema's error.
 */
export function nativeQuantile(q: number, h: NativeView, total: number): number {
  if (!(total > 0)) return 0;
  const list = nativeBuckets(h);
  if (list.length === 0) return 0;
  const up = q >= 0.5;
  const rank = up ? (1 - q) * total : q * total;
  let count = 0;
  let at = list[0];
  for (let n = 0; n < list.length; n++) {
    at = list[up ? list.length - 1 - n : n];
    count += at[2];
    if (count >= rank) break;
  }
  const [lower, upper, c] = at;
  if (count < rank) return up ? lower : upper;
  const fraction = up ? (count - rank) / c : (rank - count + c) / c;
  if (lower <= 0 && upper >= 0) return lower + (upper - lower) * fraction;
  if (lower > 0) {
    const l = Math.log2(lower);
    return 2 ** (l + (Math.log2(upper) - l) * fraction);
  }
  const l = Math.log2(-lower);
  const u = Math.log2(-upper);
  return -(2 ** (u + (l - u) * (1 - fraction)));
}

/**
 * The populated buckets in order, each `[lower, upper, count]`. With buckets on one side only,
 * the zero bucket stops at 0 on the other, as in Prometheus.
 */
function nativeBuckets(h: NativeView): [number, number, number][] {
  const out: [number, number, number][] = [];
  const neg = h.negative;
  if (neg !== undefined) {
    const counts = neg.counts;
    for (let i = counts.length - 1; i >= 0; i--) {
      const c = counts[i];
      const k = neg.offset + i;
      if (c !== 0) out.push([-nativeBound(k, h.schema), -nativeBound(k - 1, h.schema), c]);
    }
  }
  if (h.zeroCount > 0) {
    const zt = h.zeroThreshold;
    const hasNeg = populated(neg);
    const hasPos = populated(h.positive);
    out.push([!hasNeg && hasPos ? 0 : -zt, !hasPos && hasNeg ? 0 : zt, h.zeroCount]);
  }
  const pos = h.positive;
  if (pos !== undefined) {
    const counts = pos.counts;
    for (let i = 0; i < counts.length; i++) {
      const c = counts[i];
      const k = pos.offset + i;
      if (c !== 0) out.push([nativeBound(k - 1, h.schema), nativeBound(k, h.schema), c]);
    }
  }
  return out;
}

function populated(side: NativeSideView | undefined): boolean {
  if (side === undefined) return false;
  const counts = side.counts;
  for (let i = 0; i < counts.length; i++) if (counts[i] !== 0) return true;
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
  const counts = side.counts;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] !== 0) out[String(side.offset + i)] = counts[i];
  }
  return out;
}
