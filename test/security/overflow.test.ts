import test from 'ava';
import { MetricsRegistry } from '../../src';
import { dropped, logsAbout, newRegistry } from '../support/registry';

/**
 * A series never holds ±Infinity: JSON has no such number (it writes `null`) where the text
 * formats write `+Inf`. An update that would take a series there is dropped, counted as
 * `invalid_value` and logged once; the series keeps its last finite value.
 */

const MAX = Number.MAX_VALUE;

/** The value of one sample line of a text exposition. */
function sample(text: string, line: string): string | undefined {
  return text
    .split('\n')
    .find((l) => l.startsWith(`${line} `))
    ?.slice(line.length + 1);
}

async function agree(t: import('ava').ExecutionContext, r: MetricsRegistry, json: number) {
  const prom = await r.toPrometheus();
  const om = await r.toOpenMetrics();
  t.false(prom.includes('Inf') && !prom.includes('le="+Inf"'), 'no +Inf sample');
  t.is(JSON.stringify(json), String(json), 'a JSON number, not null');
  return { prom, om };
}

test('a counter at Number.MAX_VALUE stays there: the overflowing increment is dropped', async (t) => {
  const { registry, logs } = newRegistry();
  const c = registry.counter('bytes.total', { labelNames: ['route'] });
  c.inc(MAX, { route: '/a' });
  c.inc(MAX, { route: '/a' });
  c.inc(MAX, { route: '/a' });
  const bound = c.bind({ route: '/b' });
  bound.inc(MAX);
  bound.inc(MAX);
  const snap = registry.snapshot();
  t.is(snap.counters['bytes.total|route=/a'], MAX);
  t.is(snap.counters['bytes.total|route=/b'], MAX);
  t.is(dropped(registry, 'invalid_value'), 3);
  t.is(logsAbout(logs, 'bytes.total').length, 1, 'logged once');
  t.regex(logs[0], /would take the value past/);
  const { prom, om } = await agree(t, registry, snap.counters['bytes.total|route=/a']);
  t.is(sample(prom, 'bytes_total{route="/a"}'), String(MAX));
  t.is(sample(om, 'bytes_total{route="/a"}'), String(MAX));
  // Smaller increments still count until they would overflow.
  c.inc(1, { route: '/a' });
  t.is(registry.snapshot().counters['bytes.total|route=/a'], MAX, 'MAX + 1 is MAX in floats');
});

test('a gauge that inc()/dec() would take past ±MAX_VALUE keeps its value', async (t) => {
  const { registry } = newRegistry();
  const g = registry.gauge('queue.depth');
  g.set(MAX);
  g.inc(MAX);
  g.dec(-MAX);
  t.is(registry.snapshot().gauges['queue.depth'], MAX);
  g.set(-MAX);
  g.dec(MAX);
  g.bind().dec(MAX);
  g.bind().inc(-MAX);
  t.is(registry.snapshot().gauges['queue.depth'], -MAX);
  t.is(dropped(registry, 'invalid_value'), 5);
  const { prom } = await agree(t, registry, registry.snapshot().gauges['queue.depth']);
  t.is(sample(prom, 'queue_depth'), String(-MAX));
});

test('a histogram observation that would overflow its sum is dropped whole', async (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('payload.size', { buckets: [1, 10] });
  h.observe(MAX);
  h.observe(MAX);
  h.bind().observe(MAX);
  const snap = registry.snapshot().histograms['payload.size'];
  t.is(snap.sum, MAX);
  t.is(snap.count, 1, 'the dropped observations are not counted either');
  t.is(snap.buckets['+Inf'], 1);
  t.is(dropped(registry, 'invalid_value'), 2);
  const { prom, om } = await agree(t, registry, snap.sum);
  t.is(sample(prom, 'payload_size_sum'), String(MAX));
  t.is(sample(om, 'payload_size_count'), '1');
});

test('a collected histogram with an infinite count is rejected, not exported as null', async (t) => {
  const { registry } = newRegistry();
  registry.addCollector(() => ({
    histograms: {
      'pool.wait_ms': { count: Infinity, sum: 1, buckets: { '1': 1, '+Inf': Infinity } },
      'pool.hold_ms': { count: 2, sum: 1, buckets: { '1': Infinity, '+Inf': 2 } },
    },
  }));
  const snap = registry.snapshot();
  t.false('pool.wait_ms' in snap.histograms);
  t.false('pool.hold_ms' in snap.histograms);
  // Counted during the export that met them (each export asks the collector again).
  t.is(snap.counters['obsweave.dropped_total|reason=conflict'], 2);
  t.false(JSON.stringify(snap).includes('null'));
  const samples = (await registry.toPrometheus()).split('\n').filter((l) => !l.startsWith('#'));
  t.false(
    samples.some((l) => l.startsWith('pool_')),
    'no sample, +Inf or otherwise',
  );
});
