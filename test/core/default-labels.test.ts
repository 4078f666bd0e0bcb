import test from 'ava';
import { CATALOG, MetricsRegistry, metrics } from '../../src';
import { newRegistry } from '../support/registry';
import { assertPromtoolClean, testWithTools } from '../support/tools';

const withPromtool = testWithTools('promtool');
const DEFAULTS = { service: 'api', version: '1.4.2' };

/** A counter, a gauge and a histogram with a series each, and one of them unlabelled. */
function populated(reg: MetricsRegistry): void {
  reg.counter('jobs.done_total', { labelNames: ['queue'] }).inc(3, { queue: 'asr' });
  reg.gauge('queue.depth').set(7);
  reg.histogram('stage.latency_ms', { labelNames: ['stage'], buckets: [10, 100] }).observe(42, {
    stage: 'fetch',
  });
}

/** The sample lines of `name` (no comments). */
function lines(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(name));
}

test('Prometheus text: every series line carries the default labels after its own, _bucket/_sum/_count included', (t) => {
  const { registry } = newRegistry({ defaultLabels: DEFAULTS });
  populated(registry);
  const text = registry.toPrometheus();
  t.deepEqual(lines(text, 'jobs_done_total'), [
    'jobs_done_total{queue="asr",service="api",version="1.4.2"} 3',
  ]);
  t.deepEqual(lines(text, 'queue_depth'), ['queue_depth{service="api",version="1.4.2"} 7']);
  t.deepEqual(lines(text, 'stage_latency_seconds'), [
    'stage_latency_seconds_bucket{stage="fetch",service="api",version="1.4.2",le="0.01"} 0',
    'stage_latency_seconds_bucket{stage="fetch",service="api",version="1.4.2",le="0.1"} 1',
    'stage_latency_seconds_bucket{stage="fetch",service="api",version="1.4.2",le="+Inf"} 1',
    'stage_latency_seconds_sum{stage="fetch",service="api",version="1.4.2"} 0.042',
    'stage_latency_seconds_count{stage="fetch",service="api",version="1.4.2"} 1',
  ]);
  // obsweave's own families too: every exported series.
  t.true(
    lines(text, 'obsweave_dropped_total').every((l) =>
      l.includes(',service="api",version="1.4.2"}'),
    ),
  );
});

test('OpenMetrics text: the same labels on every series, exemplars keep only their own', (t) => {
  const { registry } = newRegistry({ defaultLabels: DEFAULTS });
  populated(registry);
  const text = registry.toOpenMetrics();
  t.deepEqual(lines(text, 'jobs_done_total'), [
    'jobs_done_total{queue="asr",service="api",version="1.4.2"} 3',
  ]);
  t.true(text.endsWith('# EOF\n'));
  for (const l of lines(text, 'stage_latency_seconds'))
    t.regex(l, /service="api",version="1\.4\.2"/);
});

test('JSON: series keys are unchanged; the default labels are shown once, as `labels`', (t) => {
  const { registry } = newRegistry({ defaultLabels: DEFAULTS });
  populated(registry);
  const snap = registry.snapshot();
  t.deepEqual(snap.labels, DEFAULTS);
  t.deepEqual(Object.keys(snap).slice(0, 2), ['timestamp', 'labels']);
  t.is(snap.counters['jobs.done_total|queue=asr'], 3);
  t.is(snap.gauges['queue.depth'], 7);
  t.is(snap.histograms['stage.latency_ms|stage=fetch'].count, 1);
  // Without default labels the snapshot has no `labels` at all.
  const plain = newRegistry().registry;
  populated(plain);
  t.false('labels' in plain.snapshot());
});

test('clash: a metric’s own label wins where it has a value; an empty own value takes the default', (t) => {
  const { registry } = newRegistry({ defaultLabels: { service: 'api', env: 'prod' } });
  const calls = registry.counter('external.calls_total', { labelNames: ['service', 'op'] });
  calls.inc(2, { service: 'asr', op: 'transcribe' });
  calls.inc(1, { op: 'ping' }); // service missing: ""
  const text = registry.toPrometheus();
  t.deepEqual(lines(text, 'external_calls_total'), [
    'external_calls_total{service="asr",op="transcribe",env="prod"} 2',
    'external_calls_total{service="api",op="ping",env="prod"} 1',
  ]);
  // JSON keys keep the series' own values.
  t.deepEqual(
    Object.keys(registry.snapshot().counters).filter((k) => k.startsWith('external')),
    ['external.calls_total|service=asr,op=transcribe', 'external.calls_total|service=,op=ping'],
  );
});

test('setDefaultLabels replaces them for the next export; {} removes them; nothing is recorded per call', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('c_total');
  const bound = c.bind();
  bound.inc();
  registry.setDefaultLabels({ service: 'api' });
  t.deepEqual(lines(registry.toPrometheus(), 'c_total'), ['c_total{service="api"} 1']);
  registry.setDefaultLabels({ region: 'eu', replica: 2, canary: false });
  bound.inc();
  t.deepEqual(lines(registry.toPrometheus(), 'c_total'), [
    'c_total{region="eu",replica="2",canary="false"} 2',
  ]);
  t.deepEqual(registry.defaultLabels, { region: 'eu', replica: '2', canary: 'false' });
  registry.setDefaultLabels({});
  t.deepEqual(lines(registry.toPrometheus(), 'c_total'), ['c_total 2']);
  t.is(typeof metrics.setDefaultLabels, 'function', 'the process-wide registry has it too');
});

test('bad default labels throw obsweave: errors at configuration time', (t) => {
  const bad: [unknown, RegExp][] = [
    [null, /defaultLabels must be an object/],
    [['a'], /defaultLabels must be an object/],
    [{ '1x': 'a' }, /defaultLabels: invalid label name "1x"/],
    [{ __name__: 'a' }, /invalid label name "__name__"/],
    [{ le: '1' }, /label name "le" is reserved/],
    [{ constructor: 'x' }, /label name "constructor" is reserved/],
    [{ service: { a: 1 } }, /the value of "service" must be a string, a number or a boolean/],
    [{ service: undefined }, /the value of "service"/],
  ];
  for (const [labels, message] of bad) {
    t.throws(() => new MetricsRegistry({ defaultLabels: labels as never }), { message });
    t.throws(() => newRegistry().registry.setDefaultLabels(labels as never), { message });
    t.throws(() => new MetricsRegistry({ defaultLabels: labels as never }), {
      message: /^obsweave: /,
    });
  }
  const { registry } = newRegistry({ defaultLabels: DEFAULTS });
  t.throws(() => registry.setDefaultLabels({ 'a-b': 'x' }));
  t.deepEqual(registry.defaultLabels, DEFAULTS, 'a refused set keeps the labels as they were');
});

test('values are redacted and cut like any label value', (t) => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLWJ5dGVz';
  const { registry } = newRegistry({
    defaultLabels: { build: `https://u:pw@ci.example/run/7?sig=abc`, token, long: 'x'.repeat(300) },
  });
  const d = registry.defaultLabels;
  t.is(d.build, 'https://ci.example/run/7');
  t.is(d.token, '[redacted]');
  t.is(d.long.length, 128);
  t.false(registry.toPrometheus().includes('pw@'));
});

test('label values are escaped in the text formats', (t) => {
  const { registry } = newRegistry({ defaultLabels: { note: 'say "hi"\\\n' } });
  registry.gauge('g').set(1);
  t.deepEqual(lines(registry.toPrometheus(), 'g '), []);
  t.deepEqual(lines(registry.toPrometheus(), 'g{'), ['g{note="say \\"hi\\"\\\\\\n"} 1']);
});

withPromtool('promtool: the whole catalog with default labels and a clash is clean', (t) => {
  const { registry } = newRegistry({
    defaultLabels: { service: 'media-worker', version: '1.4.2', route: 'fallback' },
  });
  registry.registerCatalog();
  for (const e of CATALOG) {
    const labels = Object.fromEntries(e.labelNames.map((n, j) => [n, j === 0 ? 'a "b"' : 'v']));
    if (e.type === 'counter') registry.counter(e.name, { labelNames: e.labelNames }).inc(2, labels);
    else if (e.type === 'gauge')
      registry.gauge(e.name, { labelNames: e.labelNames }).set(1, labels);
    else registry.histogram(e.name, { labelNames: e.labelNames }).observe(30, labels);
  }
  registry
    .counter('http.requests_total', { labelNames: ['method', 'route', 'code_class'] })
    .inc(1, {
      method: 'GET',
      code_class: '2xx',
    }); // an empty route, filled by the default
  const text = registry.toPrometheus();
  t.true(text.includes('route="fallback"'));
  assertPromtoolClean(t, text);
});
