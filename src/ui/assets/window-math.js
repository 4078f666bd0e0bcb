/**
 * Figures from two snapshots of the same service: what happened between them. Counters and
 * histograms only grow, so a value lower than before means the process restarted, and the
 * newer value is taken whole, as Prometheus' `rate()` does.
 */
import { mergeNative, nativeDelta, nativeError, nativeQuantile } from './native-window.js';

/**
 * @param {number} cur
 * @param {number | undefined} base
 */
export function counterDelta(cur, base) {
  if (base === undefined || cur < base) return cur;
  return cur - base;
}

/**
 * @typedef {import('./native-window.js').NativeSnapshot} NativeSnapshot
 * @typedef {import('./native-window.js').NativeDelta} NativeDelta
 * @typedef {{ count: number, sum: number, buckets: Record<string, number>,
 *   native?: NativeSnapshot }} HistogramSnapshot
 * @typedef {{ count: number, bounds: number[], cumulative: number[], native?: NativeDelta }}
 *   HistogramDelta `cumulative[i]` counts observations <= `bounds[i]`; the last entry is +Inf.
 *   `native`: the same observations in a native histogram's buckets, when it has them.
 */

/**
 * The observations of a histogram between two snapshots, bucket by bucket.
 * @param {HistogramSnapshot} cur
 * @param {HistogramSnapshot | undefined} base
 * @param {number} [scale] from the native buckets' base unit to the metric's own (see
 *   `unitScale`)
 * @returns {HistogramDelta}
 */
export function histogramDelta(cur, base, scale = 1) {
  const native = cur.native && nativeDelta(cur.native, base?.native, scale);
  // A restart the native buckets see (one went down) holds for the classic ones too.
  const reset = base === undefined || base.count > cur.count || native?.reset === true;
  const bounds = Object.keys(cur.buckets)
    .filter((k) => k !== '+Inf')
    .map(Number)
    .sort((a, b) => a - b);
  const keys = [...bounds.map(String), '+Inf'];
  const cumulative = keys.map((k) => {
    const now = cur.buckets[k] ?? 0;
    return reset ? now : Math.max(0, now - (base.buckets[k] ?? 0));
  });
  const count = reset ? cur.count : cur.count - base.count;
  return native ? { count, bounds, cumulative, native } : { count, bounds, cumulative };
}

/**
 * Adds histogram deltas with the same buckets (the routes of one metric) into one; their
 * native buckets too when every part has them.
 * @param {HistogramDelta[]} parts
 * @returns {HistogramDelta | undefined}
 */
export function mergeDeltas(parts) {
  if (parts.length === 0) return undefined;
  const [first, ...rest] = parts;
  /** @type {HistogramDelta} */
  const out = { count: first.count, bounds: first.bounds, cumulative: [...first.cumulative] };
  const natives = parts.flatMap((p) => (p.native ? [p.native] : []));
  if (natives.length === parts.length) out.native = mergeNative(natives);
  for (const p of rest) {
    if (p.bounds.length !== out.bounds.length || p.bounds.some((b, i) => b !== out.bounds[i])) {
      continue;
    }
    out.count += p.count;
    p.cumulative.forEach((c, i) => (out.cumulative[i] += c));
  }
  return out;
}

/**
 * The q-quantile of the observations in a delta, interpolated inside its bucket as Prometheus'
 * `histogram_quantile` does (a rank in +Inf answers the highest finite bound). From the native
 * buckets where the histogram has them: finer than any classic bounds. `null` when nothing was
 * observed.
 * @param {number} q
 * @param {HistogramDelta | undefined} h
 * @returns {number | null}
 */
export function quantile(q, h) {
  if (h?.native) return nativeQuantile(q, h.native);
  const total = h === undefined ? 0 : h.cumulative[h.cumulative.length - 1];
  if (h === undefined || !(total > 0)) return null;
  const rank = q * total;
  const i = h.cumulative.findIndex((c) => c >= rank);
  if (i < 0 || i === h.bounds.length) return h.bounds[h.bounds.length - 1] ?? null;
  const upper = h.bounds[i];
  const lower = i === 0 ? Math.min(0, upper) : h.bounds[i - 1];
  const below = i === 0 ? 0 : h.cumulative[i - 1];
  return lower + (upper - lower) * ((rank - below) / (h.cumulative[i] - below));
}

/**
 * The most `quantile(q, h)` can be off, relative to the true value, when it comes from native
 * buckets; `null` for classic buckets, whose error depends on where the bounds are, and when
 * there is no quantile.
 * @param {HistogramDelta | undefined} h
 */
export function quantileError(h) {
  const n = h?.native;
  const some = n !== undefined && (n.zeroCount > 0 || n.positive.size + n.negative.size > 0);
  return some ? nativeError(n.schema) : null;
}

/**
 * Observations above `threshold` (a bucket bound) and all of them; `undefined` when the
 * threshold is not a bound of this histogram.
 * @param {HistogramDelta} h
 * @param {number} threshold
 */
export function above(h, threshold) {
  const i = h.bounds.indexOf(threshold);
  if (i < 0) return undefined;
  const total = h.cumulative[h.cumulative.length - 1];
  return { bad: total - h.cumulative[i], total };
}

/**
 * How fast the error budget burns: the error ratio over the window divided by the ratio the
 * objective allows. 1 spends the budget exactly over the SLO's period.
 * @param {number} errors
 * @param {number} total
 * @param {number} objective
 */
export function burnRate(errors, total, objective) {
  if (!(total > 0)) return null;
  return errors / total / (1 - objective);
}

/**
 * @param {number | null | undefined} part
 * @param {number | null | undefined} whole
 */
export function share(part, whole) {
  return whole && part !== null && part !== undefined ? part / whole : null;
}
