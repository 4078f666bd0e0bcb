import test from 'ava';
import type { MetricsRegistry } from '../../src';
import { newRegistry } from '../support/registry';

/** The one series of an unlabelled histogram, as the registry keeps it. */
type Run = { store: Uint8Array | Uint16Array | Uint32Array | Float64Array; base: number };
type Side = Run & { offset: number };
type Series = { positive: Side; classic: Run['store']; at: number };

function seriesOf(registry: MetricsRegistry, name: string): Series {
  const families = (registry as unknown as { families: Map<string, unknown> }).families;
  return (families.get(name) as { table: { get(): Series } }).table.get();
}

function width(s: { store: unknown } | undefined): string {
  return (s as { store: object }).store.constructor.name;
}

for (const [n, narrow, wide] of [
  [255, 'Uint8Array', 'Uint16Array'],
  [65535, 'Uint16Array', 'Uint32Array'],
] as const) {
  test(`a native and a classic bucket passing ${n} move to ${wide} and stay exact`, (t) => {
    const { registry } = newRegistry();
    const h = registry.histogram('busy', { native: { schema: 0 }, buckets: [2, 4] });
    for (let i = 0; i < n; i++) h.observe(3);
    const s = seriesOf(registry, 'busy');
    t.is(width(s.positive), narrow);
    t.is(s.classic.constructor.name, narrow);
    h.observe(3);
    t.is(width(s.positive), wide);
    t.is(s.classic.constructor.name, wide);
    h.observe(3);
    const snap = registry.snapshot().histograms['busy'];
    t.deepEqual(snap.native?.positive, { '2': n + 2 });
    t.deepEqual(snap.buckets, { '2': 0, '4': n + 2, '+Inf': n + 2 });
    t.is(snap.count, n + 2);
  });
}

test('a bucket about to pass 2^32 - 1 moves to doubles and keeps counting', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('busy', { native: { schema: 0 }, buckets: [2, 4] });
  for (let i = 0; i < 65536; i++) h.observe(3);
  const s = seriesOf(registry, 'busy');
  t.is(width(s.positive), 'Uint32Array');
  // Reaching 2^32 observations takes hours; the counts are set just below it instead.
  s.positive.store[s.positive.base + 2 - s.positive.offset] = 0xffffffff;
  s.classic[s.at + 1] = 0xffffffff;
  h.observe(3);
  h.observe(3);
  t.is(width(s.positive), 'Float64Array');
  t.is(s.classic.constructor.name, 'Float64Array');
  const snap = registry.snapshot().histograms['busy'];
  t.is(snap.native?.positive['2'], 2 ** 32 + 1);
  t.is(snap.buckets['4'], 2 ** 32 + 1);
});

test('halving widens the counts first when two merged buckets pass what they hold', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('merged', { native: { schema: 1, maxBuckets: 2 }, buckets: false });
  // Keys 1 and 2 at schema 1 (1.2 and 1.8) both merge into key 1 at schema 0.
  for (let i = 0; i < 200; i++) h.observe(1.2);
  for (let i = 0; i < 200; i++) h.observe(1.8);
  t.is(width(seriesOf(registry, 'merged').positive), 'Uint8Array');
  h.observe(3); // a third bucket: past maxBuckets
  const snap = registry.snapshot().histograms['merged'];
  t.is(snap.native?.schema, 0);
  t.deepEqual(snap.native?.positive, { '1': 400, '2': 1 });
  t.is(width(seriesOf(registry, 'merged').positive), 'Uint16Array');
});

test('runs released by a reset are handed to the next series, zeroed', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('reused', { labelNames: ['k'], native: true, buckets: false });
  for (let i = 1; i <= 40; i++) h.observe(i * 100, { k: 'a' });
  const before = registry.snapshot().histograms['reused|k=a'].native?.positive;
  const families = (registry as unknown as { families: Map<string, unknown> }).families;
  const table = (families.get('reused') as { table: { get(l: object): Series } }).table;
  const { store, base } = table.get({ k: 'a' }).positive;
  registry.reset();
  for (let i = 1; i <= 40; i++) h.observe(i * 100, { k: 'b' });
  const b = table.get({ k: 'b' }).positive;
  t.is(b.store, store);
  t.is(b.base, base);
  const hs = registry.snapshot().histograms;
  t.deepEqual(hs['reused|k=b'].native?.positive, before);
  t.is(hs['reused|k=a'].count, 0);
  t.deepEqual(hs['reused|k=a'].native?.positive, {});
});
