import test from 'ava';
import { withStage } from '../../src';
import { counter, dropped, newRegistry } from '../support/registry';

const REDUCED = 'obsweave.native_reductions_total|action=schema';
const RESET = 'obsweave.native_reductions_total|action=reset';

test('a native histogram keeps sparse buckets over base units beside its classic ones', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('op_ms', { native: true, buckets: [10, 100] });
  for (const v of [1, 1, 2, 1000]) h.observe(v);
  const s = registry.snapshot().histograms['op_ms'];
  t.is(s.count, 4);
  t.is(s.sum, 1004);
  t.deepEqual(s.buckets, { '10': 3, '100': 3, '+Inf': 4 });
  // 1 ms = 0.001 s: frexp 0.512 × 2^-9, above the schema-3 bound 0.5 → key 1 + (-10) × 8.
  // 2 ms: 0.002 s, key 1 + (-9) × 8; 1000 ms = 1 s ends bucket 0.
  t.deepEqual(s.native, {
    schema: 3,
    zeroThreshold: 2 ** -128,
    zeroCount: 0,
    positive: { '-79': 2, '-71': 1, '0': 1 },
    negative: {},
    relativeError: 2 ** (1 / 8) - 1,
  });
});

test('buckets: false keeps the native buckets alone; without native it is refused', (t) => {
  const { registry } = newRegistry();
  registry.histogram('only_native', { native: { schema: 0 }, buckets: false }).observe(3);
  const s = registry.snapshot().histograms['only_native'];
  t.deepEqual(s.buckets, { '+Inf': 1 });
  t.deepEqual(s.native?.positive, { '2': 1 });
  t.throws(() => registry.histogram('no_buckets', { buckets: false }), {
    message: /^obsweave: histogram "no_buckets": buckets: false needs a native histogram/,
  });
});

test('nativeHistograms makes every histogram native: the catalog, the decorators, export latency', async (t) => {
  const { registry } = newRegistry({ nativeHistograms: { schema: 2 } });
  registry.registerCatalog();
  await withStage('transcribe', async () => 1, { registry });
  registry.toPrometheus();
  const hs = registry.snapshot().histograms;
  t.is(hs['worker.stage_latency_ms|stage=transcribe'].native?.schema, 2);
  t.is(hs['obsweave.export_latency_ms|format=prometheus'].native?.schema, 2);
  t.truthy(
    registry.snapshot().histograms['worker.stage_latency_ms|stage=transcribe'].buckets['+Inf'],
  );
  // A histogram's own option wins.
  registry.histogram('classic_ms', { native: false }).observe(1);
  t.is(registry.snapshot().histograms['classic_ms'].native, undefined);
});

test('an out-of-range schema, maxBuckets below 1 or a bad threshold is a definition error', (t) => {
  const { registry } = newRegistry();
  for (const native of [
    { schema: 9 },
    { schema: -5 },
    { schema: 1.5 },
    { maxBuckets: 0 },
    { maxBuckets: 2.5 },
    { zeroThreshold: -1 },
    { zeroThreshold: NaN },
    { minResetMs: -1 },
  ]) {
    t.throws(() => registry.histogram(`h_${JSON.stringify(native).length}`, { native }), {
      message: /^obsweave: histogram "h_\d+": native\.\w+ must be/,
    });
  }
  t.throws(() => newRegistry({ nativeHistograms: { schema: 10 } }), {
    message: /^obsweave: nativeHistograms\.schema must be an integer from -4 to 8/,
  });
});

test('NaN and ±Infinity are refused and counted as invalid_value; the series is untouched', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('v', { native: true });
  for (const v of [NaN, Infinity, -Infinity]) h.observe(v);
  h.bind().observe(NaN);
  t.is(dropped(registry, 'invalid_value'), 4);
  const s = registry.snapshot().histograms['v'];
  t.is(s.count, 0);
  t.deepEqual(s.native?.positive, {});
  t.is(s.native?.zeroCount, 0);
});

test('negatives go to negative buckets, as the classic buckets take them; zero to the zero bucket', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('delta', { native: { schema: 0, zeroThreshold: 0.5 } });
  for (const v of [-3, -0.25, 0, 0.5, 4]) h.observe(v);
  const s = registry.snapshot().histograms['delta'];
  t.is(s.count, 5);
  t.is(s.sum, 1.25);
  t.is(s.native?.zeroCount, 3);
  t.deepEqual(s.native?.negative, { '2': 1 });
  t.deepEqual(s.native?.positive, { '2': 1 });
  t.is(s.buckets['1'], 4); // -3, -0.25, 0 and 0.5 are all at most the first classic bound
});

test('past maxBuckets the resolution is halved, totals kept, and it is counted', (t) => {
  const { registry, logs } = newRegistry();
  const h = registry.histogram('spread', { native: { schema: 3, maxBuckets: 4 } });
  for (let i = 0; i < 20; i++) h.observe(1.1 ** i);
  const s = registry.snapshot().histograms['spread'];
  const n = s.native!;
  t.true(n.schema < 3);
  t.true(Object.keys(n.positive).length <= 4);
  t.is(
    Object.values(n.positive).reduce((a, b) => a + b, 0),
    20,
  );
  t.is(s.count, 20);
  t.is(counter(registry, REDUCED), 3 - n.schema);
  t.true(logs.some((l) => l.includes('"spread" has more than 4 native buckets')));
});

test('halving merges bucket k into ceil(k / 2) on both sides', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('merge', { native: { schema: 1, maxBuckets: 4 } });
  // schema 1 keys: 1 → 0, 1.2 → 1, 2 → 2, 3 → 4 (3 > 2^1.5), and -1.2 → negative 1.
  for (const v of [1, 1.2, 2, -1.2]) h.observe(v);
  t.is(registry.snapshot().histograms['merge'].native?.schema, 1);
  h.observe(3); // a fifth populated bucket: schema 0, keys 0, 1, 1, 2 and negative 1
  const n = registry.snapshot().histograms['merge'].native!;
  t.is(n.schema, 0);
  t.deepEqual(n.positive, { '0': 1, '1': 2, '2': 1 });
  t.deepEqual(n.negative, { '1': 1 });
});

test('with minResetMs elapsed the series is reset instead, and the observation kept', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('resetting', {
    native: { schema: 3, maxBuckets: 2, minResetMs: 1e-9 },
  });
  h.observe(1);
  h.observe(2);
  h.observe(4);
  const s = registry.snapshot().histograms['resetting'];
  t.is(s.count, 1);
  t.is(s.sum, 4);
  t.deepEqual(s.native?.positive, { '16': 1 });
  t.is(s.native?.schema, 3);
  t.is(counter(registry, RESET), 1);
});

test('values far apart halve the resolution rather than keep a huge window', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('wide', { native: { schema: 8 } });
  h.observe(1e-30);
  h.observe(1e30);
  const n = registry.snapshot().histograms['wide'].native!;
  // 200 octaves apart: 51200 schema-8 keys, 200 at schema 0; the window is kept under 640.
  t.true(n.schema <= 1, `schema ${n.schema}`);
  t.is(
    Object.values(n.positive).reduce((a, b) => a + b, 0),
    2,
  );
});

test('JSON quantiles come from the native buckets, within the schema relative error', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('uniform_ms', { native: true, buckets: [1000] });
  for (let i = 1; i <= 1000; i++) h.observe(i);
  const s = registry.snapshot().histograms['uniform_ms'];
  const err = s.native!.relativeError;
  for (const [p, truth] of [
    ['p50', 500],
    ['p90', 900],
    ['p99', 990],
  ] as const) {
    const got = s.quantiles![p];
    t.true(Math.abs(got - truth) / truth <= err, `${p}: ${got} vs ${truth} (±${err})`);
  }
});
