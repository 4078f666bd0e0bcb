import test from 'ava';
import { MetricsRegistry, type HistogramSnapshot, type NativeHistogramSnapshot } from '../../src';
import { nativeKey } from '../../src/core/native-index';

/**
 * The page's native-histogram window math (a plain ES module, as the browser gets it), checked
 * against the registry's own snapshots and against Prometheus' `histogram_quantile` worked by
 * hand.
 */
interface NativeDelta {
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  positive: Map<number, number>;
  negative: Map<number, number>;
  scale: number;
  reset: boolean;
}
interface HistogramDelta {
  count: number;
  bounds: number[];
  cumulative: number[];
  native?: NativeDelta;
}
interface NativeWindowModule {
  nativeDelta(
    cur: NativeHistogramSnapshot,
    base: NativeHistogramSnapshot | undefined,
    scale?: number,
  ): NativeDelta;
  mergeNative(parts: NativeDelta[]): NativeDelta | undefined;
  nativeQuantile(q: number, d: NativeDelta): number | null;
  nativeError(schema: number): number;
}
interface WindowMathModule {
  histogramDelta(cur: HistogramSnapshot, base?: HistogramSnapshot, scale?: number): HistogramDelta;
  mergeDeltas(parts: HistogramDelta[]): HistogramDelta | undefined;
  quantile(q: number, h: HistogramDelta | undefined): number | null;
  quantileError(h: HistogramDelta | undefined): number | null;
}
const nw = require('../../src/ui/assets/native-window.js') as NativeWindowModule;
const wm = require('../../src/ui/assets/window-math.js') as WindowMathModule;

/** A repeatable stream of numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-normal latencies in ms: median `median`, most within a factor of ~7 either way. */
function latencies(n: number, median: number, seed: number): number[] {
  const r = random(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    out.push(median * Math.exp(z));
  }
  return out;
}

/** The q-quantile of the values themselves: the one at rank ceil(q·n). */
function trueQuantile(q: number, values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(q * sorted.length) - 1];
}

function native(
  schema: number,
  positive: Record<string, number>,
  more: Partial<NativeHistogramSnapshot> = {},
): NativeHistogramSnapshot {
  return {
    schema,
    zeroThreshold: 0,
    zeroCount: 0,
    positive,
    negative: {},
    relativeError: nw.nativeError(schema),
    ...more,
  };
}

const entries = (m: Map<number, number>) => Object.fromEntries([...m].sort((a, b) => a[0] - b[0]));

test('quantiles of a known distribution over a window lie within the schema relative error', (t) => {
  const r = new MetricsRegistry();
  const h = r.histogram('checkout.latency_ms', { buckets: false, native: true });
  for (const v of latencies(500, 900, 1)) h.observe(v);
  const base = r.snapshot().histograms['checkout.latency_ms'];
  // 1001 values: no rank q·n is a whole number, so each true quantile is one value.
  const window = latencies(1001, 40, 2);
  for (const v of window) h.observe(v);
  const cur = r.snapshot().histograms['checkout.latency_ms'];

  const d = wm.histogramDelta(cur, base, 1000);
  t.is(d.count, window.length);
  const error = wm.quantileError(d)!;
  t.is(error, 2 ** (2 ** -3) - 1);
  t.true(Math.abs(error - 0.0905) < 1e-4);
  for (const q of [0.01, 0.1, 0.5, 0.9, 0.99]) {
    const want = trueQuantile(q, window);
    const got = wm.quantile(q, d)!;
    t.true(Math.abs(got - want) <= error * want, `p${q * 100}: ${got} for ${want}`);
  }
  // The since-start outliers of the first batch stay out of the window.
  t.true(wm.quantile(0.99, d)! < 900);

  // Bucket by bucket, the window is what a fresh series given the second batch alone holds.
  const fresh = new MetricsRegistry();
  const h2 = fresh.histogram('checkout.latency_ms', { buckets: false, native: true });
  for (const v of window) h2.observe(v);
  t.deepEqual(
    entries(d.native!.positive),
    fresh.snapshot().histograms['checkout.latency_ms'].native!.positive,
  );
});

test('a histogram with buckets: false has percentiles only from its native buckets', (t) => {
  const r = new MetricsRegistry();
  const h = r.histogram('job.latency_ms', { buckets: false, native: true });
  const base = r.snapshot().histograms['job.latency_ms'];
  for (const v of [120, 130, 150, 170, 400]) h.observe(v);
  const cur = r.snapshot().histograms['job.latency_ms'];
  t.deepEqual(Object.keys(cur.buckets), ['+Inf']);

  const withNative = wm.histogramDelta(cur, base, 1000);
  const p50 = wm.quantile(0.5, withNative)!;
  t.true(Math.abs(p50 - 150) <= 150 * wm.quantileError(withNative)!, `p50 ${p50}`);
  // The same snapshot read by classic buckets alone: no bound, no percentile.
  const { native: _, ...classic } = cur;
  t.is(wm.quantile(0.5, wm.histogramDelta(classic, base)), null);
  t.is(wm.quantileError(wm.histogramDelta(classic, base)), null);
});

test('native buckets are preferred to coarse classic ones', (t) => {
  const r = new MetricsRegistry();
  const h = r.histogram('db.query_ms', { buckets: [100, 1000], native: true });
  const values = [150, 151, 152, 155, 158, 160, 161];
  for (const v of values) h.observe(v);
  const d = wm.histogramDelta(r.snapshot().histograms['db.query_ms'], undefined, 1000);
  const p50 = wm.quantile(0.5, d)!;
  t.true(Math.abs(p50 - 155) <= 155 * wm.quantileError(d)!, `p50 ${p50}`);
  // The classic buckets alone would answer halfway through (100, 1000].
  const { native: _, ...classic } = r.snapshot().histograms['db.query_ms'];
  t.is(wm.quantile(0.5, wm.histogramDelta(classic)), 100 + 900 * (3.5 / 7));
});

test('histogram_quantile worked by hand: logarithmic inside a bucket, counted from the top past the median', (t) => {
  // Schema 0: bucket 1 is (1, 2], bucket 5 is (16, 32]. Four observations in bucket 1.
  const one = nw.nativeDelta(native(0, { 1: 4 }), undefined);
  t.is(nw.nativeQuantile(0.5, one), Math.SQRT2);
  t.is(nw.nativeQuantile(0.25, one), 2 ** 0.25);
  t.is(nw.nativeQuantile(1, one), 2);
  t.is(nw.nativeQuantile(0, one), 1);
  // Mirrored for negative observations: bucket 1 holds [-2, -1).
  const neg = nw.nativeDelta(native(0, {}, { negative: { 1: 4 } }), undefined);
  t.is(nw.nativeQuantile(0.5, neg), -Math.SQRT2);
  t.is(nw.nativeQuantile(0.25, neg), -(2 ** 0.75));
  // A median exactly between two populated buckets: the upper one's lower bound, as Prometheus
  // (which counts ranks from the top for q >= 0.5), not the lower one's upper bound.
  const gap = nw.nativeDelta(native(0, { 1: 1, 5: 1 }), undefined);
  t.is(nw.nativeQuantile(0.5, gap), 16);
  t.is(nw.nativeQuantile(0.49, gap), 2 ** 0.98);
  // In the metric's unit: a `_ms` histogram's buckets are over seconds.
  t.is(
    nw.nativeQuantile(0.5, nw.nativeDelta(native(0, { 1: 4 }), undefined, 1000)),
    Math.SQRT2 * 1000,
  );
  t.is(nw.nativeQuantile(0.5, nw.nativeDelta(native(0, {}), undefined)), null);
});

test('the zero bucket: linear inside it, from 0 when every other bucket is on one side', (t) => {
  const r = new MetricsRegistry();
  // 1 ms, in base units: observations at or below it count in the zero bucket.
  const h = r.histogram('cache.get_ms', { buckets: false, native: { zeroThreshold: 0.001 } });
  const base = r.snapshot().histograms['cache.get_ms'];
  for (const v of [0, 0, 0.2, 0.5, 1, 0, 0.3, 0.9, 0, 0.1]) h.observe(v);
  for (let i = 0; i < 10; i++) h.observe(100);
  const d = wm.histogramDelta(r.snapshot().histograms['cache.get_ms'], base, 1000);
  t.is(d.native!.zeroCount, 10);
  // Rank 5 of the 10 in the zero bucket, which spans [0, 1 ms] with positive buckets only.
  t.is(wm.quantile(0.25, d), 0.5);
  t.true(Math.abs(wm.quantile(0.75, d)! - 100) <= 100 * wm.quantileError(d)!);

  // Only the zero bucket: it spans [-t, t], the median is 0.
  t.is(
    nw.nativeQuantile(
      0.5,
      nw.nativeDelta(native(3, {}, { zeroThreshold: 0.5, zeroCount: 4 }), undefined),
    ),
    0,
  );
  // Negative buckets only: the zero bucket ends at 0.
  const negOnly = native(0, {}, { zeroThreshold: 0.5, zeroCount: 2, negative: { 1: 2 } });
  t.is(nw.nativeQuantile(0.75, nw.nativeDelta(negOnly, undefined)), -0.25);
});

test('a wider zero bucket in the newer snapshot takes in the older buckets below it', (t) => {
  // Schema 0: bucket -1 is (0.25, 0.5], below a zero threshold of 0.5; bucket 1 is (1, 2].
  const base = native(0, { [-1]: 2, 1: 3 }, { zeroThreshold: 0.25, zeroCount: 1 });
  const cur = native(0, { 1: 5 }, { zeroThreshold: 0.5, zeroCount: 4 });
  const d = nw.nativeDelta(cur, base);
  t.false(d.reset);
  t.is(d.zeroCount, 1);
  t.deepEqual(entries(d.positive), { 1: 2 });
});

test('a schema reduced between two snapshots: the older one is brought to the coarser schema', (t) => {
  // ceil(k / 4) from schema 2 to schema 0: -3 and -1 to 0, 1..3 to 1, 5 to 2.
  const base = native(2, { [-3]: 1, [-1]: 1, 1: 1, 2: 1, 3: 1, 5: 2 });
  const cur = native(0, { 0: 7, 1: 4, 2: 6 });
  const d = nw.nativeDelta(cur, base);
  t.false(d.reset);
  t.is(d.schema, 0);
  t.deepEqual(entries(d.positive), { 0: 5, 1: 1, 2: 4 });

  // In a registry: few buckets at first, then values wide apart that halve its resolution.
  const logs: string[] = [];
  const r = new MetricsRegistry({ logger: (m) => logs.push(m) });
  const h = r.histogram('render.frame_ms', {
    buckets: false,
    native: { schema: 3, maxBuckets: 12 },
  });
  const first = latencies(200, 16, 3).map((v) => Math.min(Math.max(v, 12), 20));
  for (const v of first) h.observe(v);
  const before = r.snapshot().histograms['render.frame_ms'];
  const second = latencies(1001, 50, 4);
  for (const v of second) h.observe(v);
  const after = r.snapshot().histograms['render.frame_ms'];
  t.is(before.native!.schema, 3);
  t.true(after.native!.schema < 3, `schema ${after.native!.schema}`);
  t.true(logs.some((l) => l.includes('resolution is halved')));

  const w = wm.histogramDelta(after, before, 1000);
  t.is(w.count, second.length);
  t.is(w.native!.schema, after.native!.schema);
  // Exactly the second batch's buckets at the newer schema.
  const want: Record<string, number> = {};
  for (const v of second) {
    const k = String(nativeKey(v / 1000, after.native!.schema));
    want[k] = (want[k] ?? 0) + 1;
  }
  t.deepEqual(
    entries(w.native!.positive),
    Object.fromEntries(Object.entries(want).sort((a, b) => +a[0] - +b[0])),
  );
  const error = wm.quantileError(w)!;
  t.is(error, 2 ** (2 ** -after.native!.schema) - 1);
  for (const q of [0.5, 0.9, 0.99]) {
    const truth = trueQuantile(q, second);
    t.true(Math.abs(wm.quantile(q, w)! - truth) <= error * truth, `p${q * 100}`);
  }
});

test('a restart: counts lower than before, or a finer schema, take the newer snapshot whole', (t) => {
  const old = new MetricsRegistry();
  const h1 = old.histogram('api.call_ms', { buckets: [1000], native: true });
  for (let i = 0; i < 5; i++) h1.observe(900);
  const base = old.snapshot().histograms['api.call_ms'];
  // The new process already counts more, in other buckets: the total alone would not show it,
  // the native bucket that went from 5 to 0 does.
  const restarted = new MetricsRegistry();
  const h2 = restarted.histogram('api.call_ms', { buckets: [1000], native: true });
  for (let i = 0; i < 8; i++) h2.observe(20);
  const cur = restarted.snapshot().histograms['api.call_ms'];
  const d = wm.histogramDelta(cur, base, 1000);
  t.true(d.native!.reset);
  t.is(d.count, 8);
  t.deepEqual(d.cumulative, [8, 8]);
  t.true(Math.abs(wm.quantile(0.5, d)! - 20) <= 20 * wm.quantileError(d)!);

  // Fewer observations than before.
  const fewer = new MetricsRegistry();
  fewer.histogram('api.call_ms', { buckets: [1000], native: true }).observe(30);
  const d2 = wm.histogramDelta(fewer.snapshot().histograms['api.call_ms'], base, 1000);
  t.true(d2.native!.reset);
  t.is(d2.count, 1);
  t.deepEqual(
    entries(d2.native!.positive),
    fewer.snapshot().histograms['api.call_ms'].native!.positive,
  );

  // A finer schema than before only comes after a reset; so does a narrower zero bucket.
  t.true(nw.nativeDelta(native(3, { 8: 2 }), native(2, { 4: 1 })).reset);
  t.true(
    nw.nativeDelta(
      native(3, { 8: 2 }, { zeroThreshold: 0.1 }),
      native(3, { 8: 1 }, { zeroThreshold: 0.2 }),
    ).reset,
  );
  t.true(
    nw.nativeDelta(native(3, { 8: 2 }, { zeroCount: 1 }), native(3, { 8: 1 }, { zeroCount: 2 }))
      .reset,
  );
  const grew = nw.nativeDelta(native(3, { 8: 2, 9: 1 }), native(3, { 8: 1 }));
  t.false(grew.reset);
  t.deepEqual(entries(grew.positive), { 8: 1, 9: 1 });
});

test('series merged into one: the coarser schema and the wider zero bucket of them', (t) => {
  const a = nw.nativeDelta(
    native(3, { 8: 2, 9: 1 }, { zeroThreshold: 0.01, zeroCount: 1 }),
    undefined,
  );
  const b = nw.nativeDelta(
    native(1, { 2: 3 }, { zeroThreshold: 0.001, negative: { 1: 1 } }),
    undefined,
  );
  const m = nw.mergeNative([a, b])!;
  t.is(m.schema, 1);
  t.is(m.zeroThreshold, 0.01);
  t.is(m.zeroCount, 1);
  // 8 → 2 and 9 → 3 at schema 1 (ceil(k / 4)).
  t.deepEqual(entries(m.positive), { 2: 5, 3: 1 });
  t.deepEqual(entries(m.negative), { 1: 1 });
  // The parts themselves are left as they were.
  t.is(a.schema, 3);
  t.deepEqual(entries(a.positive), { 8: 2, 9: 1 });

  // Through the page's merge of a metric's routes: native only when every part has it.
  const part = (n?: NativeDelta): HistogramDelta => ({
    count: 3,
    bounds: [],
    cumulative: [3],
    native: n,
  });
  t.is(wm.mergeDeltas([part(a), part(b)])!.native!.schema, 1);
  t.is(wm.mergeDeltas([part(a), part(undefined)])!.native, undefined);
});
