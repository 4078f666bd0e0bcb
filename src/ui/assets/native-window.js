/**
 * A native histogram's observations between two snapshots, and its quantiles, read as
 * Prometheus reads native histograms: the older snapshot brought to the newer one's schema and
 * zero bucket before the buckets are subtracted, a restart recognised as `DetectReset` does,
 * and `histogram_quantile` interpolated on a log scale inside exponential buckets.
 */

/**
 * @typedef {{ schema: number, zeroThreshold: number, zeroCount: number,
 *   positive: Record<string, number>, negative: Record<string, number> }} NativeSnapshot
 *   per-bucket counts by key, in base units (seconds for a `_ms` histogram)
 * @typedef {{ schema: number, zeroThreshold: number, zeroCount: number,
 *   positive: Map<number, number>, negative: Map<number, number>, scale: number,
 *   reset: boolean }} NativeDelta
 *   `scale` turns base units into the metric's own (1000 for `_ms`); `reset`: the newer
 *   snapshot was taken whole
 */

/** @param {Record<string, number>} buckets */
function toMap(buckets) {
  /** @type {Map<number, number>} */
  const m = new Map();
  for (const [k, c] of Object.entries(buckets)) if (c > 0) m.set(Number(k), c);
  return m;
}

/** @param {NativeSnapshot} n @param {number} scale @returns {NativeDelta} */
function read(n, scale) {
  return {
    schema: n.schema,
    zeroThreshold: n.zeroThreshold,
    zeroCount: n.zeroCount,
    positive: toMap(n.positive),
    negative: toMap(n.negative),
    scale,
    reset: false,
  };
}

/**
 * The upper bound of bucket `key` (a magnitude), as far as a double holds it.
 * @param {number} key
 * @param {number} schema
 */
function bound(key, schema) {
  return Math.min(2 ** (key / 2 ** schema), Number.MAX_VALUE);
}

/**
 * Down to a coarser schema, each step merging two buckets into one: key `k` at schema `s` is
 * `ceil(k / 2^(s - schema))` at `schema`, the rule of Prometheus and of the cluster merge.
 * @param {NativeDelta} d
 * @param {number} schema
 */
function reduce(d, schema) {
  if (d.schema <= schema) return;
  const div = 2 ** (d.schema - schema);
  for (const side of /** @type {const} */ (['positive', 'negative'])) {
    /** @type {Map<number, number>} */
    const m = new Map();
    for (const [k, c] of d[side]) {
      const to = Math.ceil(k / div) || 0; // no -0 key
      m.set(to, (m.get(to) ?? 0) + c);
    }
    d[side] = m;
  }
  d.schema = schema;
}

/**
 * A wider zero bucket takes in the buckets that start below it, as the cluster merge does.
 * @param {NativeDelta} d
 * @param {number} threshold
 */
function widenZero(d, threshold) {
  if (threshold <= d.zeroThreshold) return;
  d.zeroThreshold = threshold;
  for (const m of [d.positive, d.negative]) {
    for (const [k, c] of m) {
      if (bound(k - 1, d.schema) < threshold) {
        d.zeroCount += c;
        m.delete(k);
      }
    }
  }
}

/**
 * `now - before` bucket by bucket; `undefined` when a bucket went down.
 * @param {Map<number, number>} now
 * @param {Map<number, number>} before
 */
function subtract(now, before) {
  const out = new Map(now);
  for (const [k, c] of before) {
    const left = (out.get(k) ?? 0) - c;
    if (left < 0) return undefined;
    if (left === 0) out.delete(k);
    else out.set(k, left);
  }
  return out;
}

/**
 * The observations between `base` and `cur`. Within one series the resolution only falls and
 * the zero bucket only widens; a finer schema, a narrower zero bucket or any count lower than
 * before means the process restarted, and `cur` is taken whole, as `rate()` would.
 * @param {NativeSnapshot} cur
 * @param {NativeSnapshot | undefined} base
 * @param {number} [scale]
 * @returns {NativeDelta}
 */
export function nativeDelta(cur, base, scale = 1) {
  const now = read(cur, scale);
  const whole = { ...now, reset: true };
  if (base === undefined || base.schema < cur.schema || base.zeroThreshold > cur.zeroThreshold) {
    return whole;
  }
  const before = read(base, scale);
  reduce(before, now.schema);
  widenZero(before, now.zeroThreshold);
  const positive = subtract(now.positive, before.positive);
  const negative = subtract(now.negative, before.negative);
  if (positive === undefined || negative === undefined || before.zeroCount > now.zeroCount) {
    return whole;
  }
  return { ...now, zeroCount: now.zeroCount - before.zeroCount, positive, negative };
}

/**
 * Several series' deltas added into one, at the coarsest schema and the widest zero bucket
 * among them, as Prometheus' `sum` of native histograms.
 * @param {NativeDelta[]} parts
 * @returns {NativeDelta | undefined}
 */
export function mergeNative(parts) {
  if (parts.length === 0) return undefined;
  const schema = Math.min(...parts.map((p) => p.schema));
  const threshold = Math.max(...parts.map((p) => p.zeroThreshold));
  /** @type {NativeDelta} */
  const out = {
    schema,
    zeroThreshold: threshold,
    zeroCount: 0,
    positive: new Map(),
    negative: new Map(),
    scale: parts[0].scale,
    reset: false,
  };
  for (const p of parts) {
    const d = { ...p, positive: new Map(p.positive), negative: new Map(p.negative) };
    reduce(d, schema);
    widenZero(d, threshold);
    out.zeroCount += d.zeroCount;
    for (const side of /** @type {const} */ (['positive', 'negative'])) {
      for (const [k, c] of d[side]) out[side].set(k, (out[side].get(k) ?? 0) + c);
    }
  }
  return out;
}

/**
 * The buckets in order, each `[lower, upper, count]`: negative ones from the most negative,
 * the zero bucket, positive ones. With buckets on one side only, the zero bucket stops at 0 on
 * the other, as in Prometheus.
 * @param {NativeDelta} d
 */
function buckets(d) {
  /** @type {[number, number, number][]} */
  const out = [];
  const byKey = (/** @type {Map<number, number>} */ m) => [...m].sort((a, b) => a[0] - b[0]);
  const neg = byKey(d.negative);
  const pos = byKey(d.positive);
  for (let i = neg.length - 1; i >= 0; i--) {
    const [k, c] = neg[i];
    out.push([-bound(k, d.schema), -bound(k - 1, d.schema), c]);
  }
  if (d.zeroCount > 0) {
    const t = d.zeroThreshold;
    out.push([
      neg.length === 0 && pos.length > 0 ? 0 : -t,
      pos.length === 0 && neg.length > 0 ? 0 : t,
      d.zeroCount,
    ]);
  }
  for (const [k, c] of pos) out.push([bound(k - 1, d.schema), bound(k, d.schema), c]);
  return out;
}

/**
 * The q-quantile of a delta's observations in the metric's own unit, or `null` when it holds
 * none. As Prometheus 3's `histogram_quantile`: the rank counted from the top for q >= 0.5,
 * linear interpolation in the zero bucket, logarithmic in the exponential ones (Prometheus 2
 * interpolated linearly there too; both stay within the bucket, so within `nativeError`).
 * @param {number} q
 * @param {NativeDelta} d
 * @returns {number | null}
 */
export function nativeQuantile(q, d) {
  const list = buckets(d);
  const total = list.reduce((n, b) => n + b[2], 0);
  if (!(total > 0)) return null;
  // Counted from the top for q >= 0.5, as Prometheus does: a rank exactly between two populated
  // buckets then answers the upper one's lower bound, not the lower one's upper bound.
  const up = q >= 0.5;
  const rank = up ? (1 - q) * total : q * total;
  let count = 0;
  let at = list[0];
  for (const b of up ? [...list].reverse() : list) {
    at = b;
    count += b[2];
    if (count >= rank) break;
  }
  const [lower, upper, c] = at;
  const fraction = up ? (count - rank) / c : (rank - count + c) / c;
  let v;
  if (lower <= 0 && upper >= 0) v = lower + (upper - lower) * fraction;
  else if (lower > 0)
    v = 2 ** (Math.log2(lower) + (Math.log2(upper) - Math.log2(lower)) * fraction);
  else {
    const l = Math.log2(-lower);
    const u = Math.log2(-upper);
    v = -(2 ** (u + (l - u) * (1 - fraction)));
  }
  return v * d.scale;
}

/**
 * The most a quantile from buckets of this schema is off, relative to the true value: one
 * bucket's width, `2^(2^-schema) - 1` (9.05 % at schema 3).
 * @param {number} schema
 */
export function nativeError(schema) {
  return 2 ** (2 ** -schema) - 1;
}
