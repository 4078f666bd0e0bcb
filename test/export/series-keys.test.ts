import test from 'ava';
import { parseSeriesKey } from '../../src/core/collected';
import { readKey, threeFormats } from '../support/exposition';
import { newRegistry } from '../support/registry';

interface SeriesModule {
  parseKey(
    key: string,
    labels?: Record<string, readonly string[]>,
  ): { name: string; labels: Record<string, string> };
}
const dashboard = require('../../src/ui/assets/series.js') as SeriesModule;

/** Label values holding what a key separates with, and the escape itself, in every place. */
const AWKWARD = [
  'x,b=y',
  'y,b=z',
  'a|b',
  'back\\slash',
  'ends with \\',
  '\\,',
  '\\\\=',
  ',',
  '=',
  '|',
  '',
  ',a=,b=|c\\',
];

test('label values that hold , = | or \\ never share a key: each series keeps its own', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('pairs_total', { labelNames: ['a', 'b'] });
  c.inc(1, { a: 'x,b=y', b: 'z' });
  c.inc(2, { a: 'x', b: 'y,b=z' });
  const snap = registry.snapshot();
  const keys = Object.keys(snap.counters).filter((k) => k.startsWith('pairs_total'));
  t.is(keys.length, 2);
  t.is(snap.counters['pairs_total|a=x\\,b\\=y,b=z'], 1);
  t.is(snap.counters['pairs_total|a=x,b=y\\,b\\=z'], 2);
  const f = threeFormats(registry);
  t.deepEqual(f.json, f.prometheus);
  t.deepEqual(f.json, f.openmetrics);
});

test('every key reads back into the labels it was written from, by every reader', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('awkward_total', { labelNames: ['a', 'b'] });
  const written = new Map<string, { a: string; b: string }>();
  AWKWARD.forEach((a, i) =>
    AWKWARD.forEach((b, j) => {
      c.inc(i * AWKWARD.length + j + 1, { a, b });
      written.set(JSON.stringify([a, b]), { a, b });
    }),
  );
  const keys = Object.entries(registry.snapshot().counters).filter(([k]) =>
    k.startsWith('awkward_total|'),
  );
  t.is(keys.length, AWKWARD.length ** 2);
  const names = { awkward_total: ['a', 'b'] };
  for (const [key, v] of keys) {
    const labels = { ...readKey(key).labels };
    const [a, b] = [labels.a, labels.b];
    t.is(v, AWKWARD.indexOf(a) * AWKWARD.length + AWKWARD.indexOf(b) + 1, key);
    t.deepEqual(
      parseSeriesKey(key),
      {
        name: 'awkward_total',
        labels: [
          ['a', a],
          ['b', b],
        ],
      },
      key,
    );
    t.deepEqual(dashboard.parseKey(key), { name: 'awkward_total', labels: { a, b } }, key);
    t.deepEqual(dashboard.parseKey(key, names), { name: 'awkward_total', labels: { a, b } }, key);
  }
  const f = threeFormats(registry);
  t.deepEqual(f.json, f.prometheus);
  t.deepEqual(f.json, f.openmetrics);
});

test("a collector answering with another registry's snapshot maps reproduces its series", (t) => {
  const source = newRegistry().registry;
  const c = source.counter('jobs_total', { labelNames: ['queue', 'tenant'] });
  const g = source.gauge('depth', { labelNames: ['queue'] });
  const h = source.histogram('wait_ms', { labelNames: ['queue'], buckets: [1, 10] });
  AWKWARD.forEach((q, i) => {
    c.inc(i + 1, { queue: q, tenant: AWKWARD[(i + 1) % AWKWARD.length] });
    g.set(i, { queue: q });
    h.observe(i, { queue: q });
  });
  const snap = source.snapshot();
  const { registry } = newRegistry();
  registry.addCollector(() => ({
    counters: Object.fromEntries(
      Object.entries(snap.counters).filter(([k]) => !k.startsWith('obsweave')),
    ),
    gauges: snap.gauges,
    histograms: Object.fromEntries(
      Object.entries(snap.histograms).filter(([k]) => !k.startsWith('obsweave')),
    ),
  }));
  const merged = registry.snapshot();
  for (const [k, v] of Object.entries(snap.counters)) {
    if (!k.startsWith('obsweave')) t.is(merged.counters[k], v, k);
  }
  t.deepEqual(merged.gauges, snap.gauges);
  for (const [k, v] of Object.entries(snap.histograms)) {
    if (!k.startsWith('obsweave')) t.deepEqual(merged.histograms[k], v, k);
  }
  const f = threeFormats(registry);
  t.deepEqual(f.json, f.prometheus);
  t.deepEqual(f.json, f.openmetrics);
});

test('keys written by hand, without escapes, still read as before', (t) => {
  t.deepEqual(parseSeriesKey('a|x=1,2,y=b=c'), {
    name: 'a',
    labels: [
      ['x', '1,2'],
      ['y', 'b=c'],
    ],
  });
  t.deepEqual(parseSeriesKey('q|path=C:\\dir'), { name: 'q', labels: [['path', 'C:\\dir']] });
  t.deepEqual(dashboard.parseKey('q|path=C:\\dir'), { name: 'q', labels: { path: 'C:\\dir' } });
  t.deepEqual(dashboard.parseKey('s|stage=a,b=c,code=x=y', { s: ['stage', 'code'] }), {
    name: 's',
    labels: { stage: 'a,b=c', code: 'x=y' },
  });
});
