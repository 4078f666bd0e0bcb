import test from 'ava';
import fc from 'fast-check';
import type { CollectorResult, MetricsRegistry } from '../../src';
import { keyValue } from '../../src/core/family-view';
import { readKey, readText, samplesOf, threeFormats } from '../support/exposition';
import { newRegistry } from '../support/registry';
import { assertPromtoolClean, testWithTools } from '../support/tools';

/**
 * Random registries fed label values from the characters every format treats specially: read
 * back, JSON, Prometheus text and OpenMetrics show the same series with the same values (in base
 * units), and promtool accepts the text.
 */

const HOSTILE = [
  ',',
  '=',
  '|',
  '\\',
  '"',
  '\n',
  '{',
  '}',
  ' ',
  '#',
  ':',
  '\t',
  'ü',
  '✓',
  '😀',
  'a',
];

const hostileString = fc
  .array(fc.constantFrom(...HOSTILE), { maxLength: 8 })
  .map((cs) => cs.join(''));

const labelValue = fc.oneof(
  hostileString,
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.constantFrom('', '__overflow__', 'le', '+Inf'),
);

const value = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(0, -0, 1e302, 1.7e302, 1.8e302, 1e305, -1e305, Number.MAX_VALUE, 5e-324),
);

/** Bucket lists a histogram may be defined with; some are refused for some units. */
const buckets = fc.oneof(
  fc.constantFrom([1, 10], [0.5, 1.9569095062903015, 1.9569095062903017], [1, 1e302, 1e305]),
  fc
    .uniqueArray(fc.double({ noNaN: true, noDefaultInfinity: true }), {
      minLength: 1,
      maxLength: 5,
    })
    .map((bs) => bs.sort((a, b) => a - b)),
);

const SUFFIXES = ['', '_ms', '_mb', '_pct', '.x_ms', '_seconds'];
const LABELS = ['a', 'b', 'c'];

const metricSpec = fc.record({
  type: fc.constantFrom('counter' as const, 'gauge' as const, 'histogram' as const),
  suffix: fc.constantFrom(...SUFFIXES),
  labelNames: fc.subarray(LABELS),
  buckets,
});

const op = fc.record({
  metric: fc.nat(),
  value,
  labels: fc.dictionary(fc.constantFrom(...LABELS), labelValue, { maxKeys: 3 }),
  how: fc.constantFrom('call' as const, 'bind' as const, 'dec' as const),
});

/** A collected family, its keys written with the escapes a snapshot uses. */
const collected = fc.record({
  type: fc.constantFrom('counters' as const, 'gauges' as const),
  suffix: fc.constantFrom('', '_mb'),
  series: fc.array(
    fc.record({ a: hostileString, b: hostileString, v: fc.integer({ min: 0, max: 1e6 }) }),
    { maxLength: 6 },
  ),
});

const registrySpec = fc.record({
  metrics: fc.array(metricSpec, { minLength: 1, maxLength: 5 }),
  ops: fc.array(op, { maxLength: 30 }),
  defaults: fc.option(fc.record({ service: hostileString, zone: labelValue }), { nil: undefined }),
  collected: fc.option(collected, { nil: undefined }),
  maxSeries: fc.constantFrom(3, 2000),
});

type RegistrySpec = typeof registrySpec extends fc.Arbitrary<infer T> ? T : never;

/** The registry a spec describes, every name prefixed so that many can share one exposition. */
function build(
  spec: RegistrySpec,
  prefix = 'p',
): {
  registry: MetricsRegistry;
  expectedCollected: Map<string, number>;
} {
  const { registry } = newRegistry({
    maxSeriesPerMetric: spec.maxSeries,
    defaultLabels: spec.defaults,
  });
  const metrics = spec.metrics.flatMap((m, i): unknown[] => {
    const base = `${prefix}${i}${m.suffix}`;
    try {
      if (m.type === 'counter') return [registry.counter(`${base}_total`, m)];
      if (m.type === 'gauge') return [registry.gauge(base, m)];
      return [registry.histogram(base, m)];
    } catch (e) {
      // Only a bucket list a unit cannot show may be refused here.
      if (!/^obsweave: histogram /.test((e as Error).message)) throw e;
      return [];
    }
  });
  for (const o of spec.ops) {
    if (metrics.length === 0) break;
    const m = metrics[o.metric % metrics.length] as any;
    const target = o.how === 'bind' ? m.bind(o.labels) : m;
    const labels = o.how === 'bind' ? undefined : o.labels;
    if (o.how === 'dec' && typeof target.dec === 'function') target.dec(o.value, labels);
    else if (typeof target.observe === 'function') target.observe(o.value, labels);
    else if (typeof target.set === 'function') target.set(o.value, labels);
    else target.inc(o.value, labels);
  }
  const expectedCollected = new Map<string, number>();
  const c = spec.collected;
  if (c !== undefined) {
    const name = `${prefix}col${c.suffix}${c.type === 'counters' ? '_total' : ''}`;
    const map: Record<string, number> = {};
    for (const s of c.series) {
      const key = `${name}|a=${keyValue(s.a)},b=${keyValue(s.b)}`;
      map[key] = s.v;
      expectedCollected.set(JSON.stringify([s.a, s.b]), s.v);
    }
    const result: CollectorResult = { [c.type]: map };
    registry.addCollector(() => result);
  }
  return { registry, expectedCollected };
}

test('JSON, Prometheus text and OpenMetrics hold the same series and values, whatever the labels', (t) => {
  fc.assert(
    fc.property(registrySpec, (spec) => {
      const { registry, expectedCollected } = build(spec);
      const f = threeFormats(registry);
      t.deepEqual(f.json, f.prometheus);
      t.deepEqual(f.json, f.openmetrics);
      // A collector's escaped keys read back into exactly the label values they were made of.
      const got = new Map<string, number>();
      const snap = registry.snapshot();
      for (const [key, v] of Object.entries({ ...snap.counters, ...snap.gauges })) {
        const { name, labels } = readKey(key);
        if (name.startsWith('pcol')) got.set(JSON.stringify([labels.a, labels.b]), v);
      }
      t.deepEqual(got, expectedCollected);
      return true;
    }),
    { numRuns: 150 },
  );
});

/** One exposition of many registries: their own families kept once. */
function concatenated(texts: string[]): string {
  return texts
    .map((text, i) => {
      if (i === 0) return text;
      const blocks = text.split(/(?=^# HELP )/m);
      return blocks.filter((b) => !b.startsWith('# HELP obsweave_')).join('');
    })
    .join('');
}

testWithTools('promtool')(
  'promtool check metrics accepts the text of random registries with hostile labels',
  (t) => {
    const specs = fc.sample(registrySpec, { numRuns: 60, seed: 20261207 });
    const more = fc.sample(registrySpec, 60);
    const texts = [...specs, ...more].map((spec, i) =>
      build(spec, `r${i}_`).registry.toPrometheus(),
    );
    const text = concatenated(texts);
    // Still one well-formed exposition: every sample line reads back.
    t.true(samplesOf(readText(text, false)).size > 0);
    assertPromtoolClean(t, text);
  },
);
