import test from 'ava';
import fc from 'fast-check';
import { DEFAULT_BUCKETS_MS } from '../../src';
import { bucketIndex, quantile } from '../../src/core/buckets';
import { newRegistry } from '../support/registry';

test('DEFAULT_BUCKETS_MS is exactly the documented list, frozen', (t) => {
  t.deepEqual(
    [...DEFAULT_BUCKETS_MS],
    [
      1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000, 300000,
      600000,
    ],
  );
  t.true(Object.isFrozen(DEFAULT_BUCKETS_MS));
});

test('bucketIndex() finds the first bound >= v, bounds inclusive', (t) => {
  const b = [1, 5, 10];
  t.is(bucketIndex(b, -1), 0);
  t.is(bucketIndex(b, 1), 0);
  t.is(bucketIndex(b, 1.5), 1);
  t.is(bucketIndex(b, 5), 1);
  t.is(bucketIndex(b, 10), 2);
  t.is(bucketIndex(b, 10.01), 3);
});

function observeAll(values: number[], buckets: number[]) {
  const { registry } = newRegistry();
  const h = registry.histogram('h_ms', { buckets });
  for (const v of values) h.observe(v);
  return registry.snapshot().histograms['h_ms'];
}

const repeat = (v: number, n: number) => Array.from({ length: n }, () => v);

test('quantiles interpolate linearly inside the bucket (hand-computed)', (t) => {
  // 10 in (0,10], 20 in (10,20], 10 in (20,40]: 40 observations
  const s = observeAll([...repeat(5, 10), ...repeat(15, 20), ...repeat(30, 10)], [10, 20, 40]);
  t.deepEqual(s.buckets, { '10': 10, '20': 30, '40': 40, '+Inf': 40 });
  t.is(s.count, 40);
  t.is(s.sum, 50 + 300 + 300);
  // p50: rank 20 lies in (10,20], 10 of its 20 → 10 + 10 × 10/20
  // p90: rank 36 lies in (20,40], 6 of its 10 → 20 + 20 × 6/10
  // p99: rank 39.6 → 20 + 20 × 9.6/10
  t.is(s.quantiles!.p50, 15);
  t.is(s.quantiles!.p90, 32);
  t.true(Math.abs(s.quantiles!.p99 - 39.2) < 1e-9);
});

test('the first bucket interpolates from 0', (t) => {
  const s = observeAll(repeat(50, 4), [100, 200]);
  t.is(s.quantiles!.p50, 50);
  t.is(s.quantiles!.p90, 90);
  t.is(s.quantiles!.p99, 99);
});

test('a rank in the +Inf bucket answers the highest finite bound', (t) => {
  const s = observeAll([5, ...repeat(100, 9)], [10, 20]);
  t.deepEqual(s.quantiles, { p50: 20, p90: 20, p99: 20 });
});

test('a first bucket bound at or below 0 answers that bound', (t) => {
  const s = observeAll([-20, -30], [-10, 0]);
  t.deepEqual(s.quantiles, { p50: -10, p90: -10, p99: -10 });
});

test('an empty histogram has quantiles 0', (t) => {
  const s = observeAll([], [1, 2]);
  t.deepEqual(s.quantiles, { p50: 0, p90: 0, p99: 0 });
  t.deepEqual(s.buckets, { '1': 0, '2': 0, '+Inf': 0 });
});

/** Prometheus' histogram_quantile (promql/quantile.go, bucketQuantile), on cumulative counts. */
function promQuantile(q: number, bounds: number[], cumulative: number[]): number {
  const buckets = [...bounds, Infinity].map((upperBound, i) => ({
    upperBound,
    count: cumulative[i],
  }));
  const observations = buckets[buckets.length - 1].count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = buckets.findIndex((x, i) => i < buckets.length - 1 && x.count >= rank);
  if (b < 0) b = buckets.length - 1;
  if (b === buckets.length - 1) return buckets[buckets.length - 2].upperBound;
  if (b === 0 && buckets[0].upperBound <= 0) return buckets[0].upperBound;
  let bucketStart = 0;
  const bucketEnd = buckets[b].upperBound;
  let count = buckets[b].count;
  if (b > 0) {
    bucketStart = buckets[b - 1].upperBound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

test('quantile() agrees with Prometheus histogram_quantile on arbitrary histograms', (t) => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: -1000, max: 100000 }), { minLength: 1, maxLength: 12 }),
      fc.array(fc.nat({ max: 50 }), { minLength: 13, maxLength: 13 }),
      fc.constantFrom(0.5, 0.9, 0.99, 0.25, 1),
      (rawBounds, rawCounts, q) => {
        const bounds = [...rawBounds].sort((a, b) => a - b);
        const counts = rawCounts.slice(0, bounds.length + 1);
        const total = counts.reduce((a, b) => a + b, 0);
        fc.pre(total > 0);
        let cum = 0;
        const cumulative = counts.map((c) => (cum += c));
        const ours = quantile(q, bounds, counts, total);
        const theirs = promQuantile(q, bounds, cumulative);
        return Math.abs(ours - theirs) <= 1e-9 * Math.max(1, Math.abs(theirs));
      },
    ),
  );
  t.pass();
});
