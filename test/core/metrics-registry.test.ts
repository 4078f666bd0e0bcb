import test from 'ava';
import { execFileSync } from 'node:child_process';
import { MetricsRegistry, metrics, type Snapshot } from '../../src';
import { dropped, logsAbout, newRegistry } from '../support/registry';
import { TS_REGISTER } from '../support/typescript';

// Creation and options

test('a new registry is empty but for its own two self-observation metrics', (t) => {
  const { registry } = newRegistry();
  const snap = registry.snapshot();
  t.deepEqual(
    Object.keys(snap.counters).filter((k) => !k.startsWith('obsweave.dropped_total|')),
    [],
  );
  t.deepEqual(snap.gauges, {});
  t.deepEqual(Object.keys(snap.histograms), []);
  t.true(Number.isFinite(Date.parse(snap.timestamp)));
  t.regex(snap.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('the default registry `metrics` is a MetricsRegistry', (t) => {
  t.true(metrics instanceof MetricsRegistry);
});

test('registries do not share metrics', (t) => {
  const a = newRegistry().registry;
  const b = newRegistry().registry;
  a.counter('jobs.created_total').inc(3);
  t.is(a.snapshot().counters['jobs.created_total'], 3);
  t.false('jobs.created_total' in b.snapshot().counters);
});

for (const bad of [0, -1, 1.5, NaN, Infinity, '10', {}]) {
  test(`maxSeriesPerMetric ${String(bad)} is rejected at construction with a clear message`, (t) => {
    const e = t.throws(
      () => new MetricsRegistry({ maxSeriesPerMetric: bad as number, logger: () => {} }),
    );
    t.regex(e!.message, /maxSeriesPerMetric/);
  });
}

test('a logger that is not a function is rejected at construction', (t) => {
  const e = t.throws(() => new MetricsRegistry({ logger: 'console' as never }));
  t.regex(e!.message, /logger/);
});

test('the default logger is console.warn, prefixed "obsweave:"', (t) => {
  const warn = console.warn;
  const seen: unknown[][] = [];
  console.warn = (...args: unknown[]) => void seen.push(args);
  try {
    new MetricsRegistry().counter('c_total').inc(-1);
  } finally {
    console.warn = warn;
  }
  t.is(seen.length, 1);
  t.regex(String(seen[0][0]), /^obsweave: c_total: /);
});

test('setLogger() replaces where problems are reported, and refuses what is not a function', (t) => {
  const registry = new MetricsRegistry({ logger: () => t.fail('the first logger is replaced') });
  const seen: string[] = [];
  registry.setLogger((msg) => seen.push(msg));
  registry.counter('c_total').inc(-1);
  t.is(seen.length, 1);
  t.regex(seen[0], /^c_total: /);
  t.throws(() => registry.setLogger('console' as never), { message: /^obsweave: logger/ });
  t.is(typeof metrics.setLogger, 'function', 'the process-wide registry has it too');
});

test('a registry reached without any entry point writes every format all the same', (t) => {
  const code = [
    `const { MetricsRegistry } = require(${JSON.stringify(require.resolve('../../src/core/metrics-registry'))});`,
    'const r = new MetricsRegistry();',
    "r.counter('deep_total').inc(2);",
    "console.log(JSON.stringify([r.snapshot().counters.deep_total, r.toPrometheus().includes('deep_total 2'), r.toOpenMetrics().endsWith('# EOF\\n')]));",
  ].join('\n');
  const out = execFileSync(process.execPath, ['-r', TS_REGISTER, '-e', code], {
    encoding: 'utf8',
  });
  t.deepEqual(JSON.parse(out), [2, true, true]);
});

// Names and label names are checked when the metric is defined

for (const name of ['', '1abc', 'has space', 'dash-name', 'a/b', 'ünicode', 42, undefined]) {
  test(`metric name ${JSON.stringify(name)} throws at definition, naming the problem`, (t) => {
    const { registry } = newRegistry();
    const e = t.throws(() => registry.counter(name as string));
    t.regex(e!.message, /^obsweave: invalid metric name/);
  });
}

test('metric names may hold dots, colons and underscores', (t) => {
  const { registry } = newRegistry();
  t.notThrows(() => registry.counter('a.b:c_d_total'));
  t.notThrows(() => registry.gauge('_private.gauge'));
});

for (const [labelNames, why] of [
  [['route', 'route'], /"route" is declared twice/],
  [['a', 'b', 'a'], /"a" is declared twice/],
  [['bad-name'], /invalid label name "bad-name"/],
  [['1st'], /invalid label name "1st"/],
  [['__reserved'], /invalid label name "__reserved"/],
  [[''], /invalid label name ""/],
  [[7], /invalid label name 7/],
  ['route', /labelNames must be an array/],
] as const) {
  test(`labelNames ${JSON.stringify(labelNames)} throw at definition: ${why.source}`, (t) => {
    const { registry } = newRegistry();
    for (const define of [
      () => registry.counter('m_total', { labelNames: labelNames as never }),
      () => registry.gauge('m_gauge', { labelNames: labelNames as never }),
      () => registry.histogram('m_ms', { labelNames: labelNames as never }),
    ]) {
      const e = t.throws(define);
      t.regex(e!.message, why);
      t.regex(e!.message, /^obsweave: metric "m_/);
    }
  });
}

test('`le` and `quantile` are reserved on every metric type (Prometheus reads them as bounds)', (t) => {
  const { registry } = newRegistry();
  for (const label of ['le', 'quantile']) {
    for (const define of [
      () => registry.histogram('h_ms', { labelNames: [label] }),
      () => registry.counter('le_total', { labelNames: [label] }),
      () => registry.gauge('g', { labelNames: [label] }),
    ]) {
      const e = t.throws(define);
      t.regex(e!.message, new RegExp(`"${label}" is reserved`));
    }
  }
});

test('a counter named only `_total` throws at definition: it has no family name', (t) => {
  const { registry } = newRegistry();
  t.throws(() => registry.counter('_total'), { message: /no family name/ });
  t.notThrows(() => registry.histogram('_ms'));
});

test('the 128-character cut never splits a character in two', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('cut_total', { labelNames: ['v'] });
  c.inc(1, { v: `${'x'.repeat(127)}😀tail` });
  const [key] = Object.keys(registry.snapshot().counters).filter((k) => k.startsWith('cut_total|'));
  t.is(key, `cut_total|v=${'x'.repeat(127)}`);
});

test('options that are not an object throw at definition', (t) => {
  const { registry } = newRegistry();
  t.throws(() => registry.counter('c_total', null as never), {
    message: /options must be an object/,
  });
  t.throws(() => registry.gauge('g', 'help' as never), { message: /options must be an object/ });
});

// Create or reuse

test('asking again with the same type and label names returns the same metric', (t) => {
  const { registry, logs } = newRegistry();
  const a = registry.counter('http.requests_total', { labelNames: ['method', 'route'] });
  const b = registry.counter('http.requests_total', { labelNames: ['method', 'route'] });
  t.is(a, b);
  t.is(registry.gauge('g'), registry.gauge('g'));
  t.is(registry.histogram('h_ms'), registry.histogram('h_ms', { labelNames: [] }));
  a.inc(1, { method: 'GET', route: '/' });
  b.inc(2, { method: 'GET', route: '/' });
  t.is(registry.snapshot().counters['http.requests_total|method=GET,route=/'], 3);
  t.deepEqual(logs, []);
  t.is(dropped(registry, 'conflict'), 0);
});

test('the catalog help is used when none is given, and the name when there is none', (t) => {
  const { registry } = newRegistry();
  registry.counter('jobs.created_total');
  registry.counter('my.thing_total');
  registry.counter('other_total', { help: 'Others' });
  const text = registry.toPrometheus();
  t.regex(text, /^# HELP jobs_created_total Jobs created$/m);
  t.regex(text, /^# HELP my_thing_total my\.thing_total$/m);
  t.regex(text, /^# HELP other_total Others$/m);
});

// Conflicting re-registration never throws: it returns an inert metric, logs once and counts

interface Conflict {
  first: (r: MetricsRegistry) => unknown;
  second: (r: MetricsRegistry) => { inc?: unknown; observe?: unknown; set?: unknown };
  name: string;
}

const conflictIsInert = test.macro({
  exec(t, c: Conflict) {
    const { registry, logs } = newRegistry();
    c.first(registry);
    const before = registry.snapshot();
    let inert: ReturnType<Conflict['second']> | undefined;
    t.notThrows(() => {
      inert = c.second(registry);
    });
    const m = inert as Record<string, (...a: unknown[]) => unknown>;
    // every method exists and records nothing
    t.notThrows(() => {
      m.inc(1, { a: 'x' });
      m.dec(1);
      m.set(5);
      m.observe(5, { a: 'x' });
      const stop = (m.startTimer as () => () => number)();
      t.is(typeof stop(), 'number');
      const child = (m.bind as (l: unknown) => Record<string, (v?: number) => void>)({ a: 'x' });
      child.inc();
      child.observe(1);
      child.set(1);
    });
    const after = registry.snapshot();
    const strip = (s: Snapshot) => ({
      counters: Object.fromEntries(
        Object.entries(s.counters).filter(([k]) => !k.startsWith('obsweave.')),
      ),
      gauges: s.gauges,
      histograms: Object.keys(s.histograms).filter((k) => !k.startsWith('obsweave.')),
    });
    t.deepEqual(strip(after), strip(before));
    t.is(dropped(registry, 'conflict'), 1);
    t.is(logsAbout(logs, c.name).length, 1, 'logged');
    // asking once more is counted again, but logged only once
    c.second(registry);
    t.is(dropped(registry, 'conflict'), 2);
    t.is(logsAbout(logs, c.name).length, 1, 'logged once');
  },
  title: (title = '') =>
    `a conflicting definition returns an inert metric, logs once, counts: ${title}`,
});

test('another type', conflictIsInert, {
  name: 'jobs.created_total',
  first: (r) => r.counter('jobs.created_total').inc(2),
  second: (r) => r.gauge('jobs.created_total') as never,
});

test('other label names', conflictIsInert, {
  name: 'http.errors_total',
  first: (r) => r.counter('http.errors_total', { labelNames: ['route', 'code'] }).inc(),
  second: (r) => r.counter('http.errors_total', { labelNames: ['route'] }) as never,
});

test('the same label names in another order', conflictIsInert, {
  name: 'x.calls_total',
  first: (r) => r.counter('x.calls_total', { labelNames: ['a', 'b'] }),
  second: (r) => r.counter('x.calls_total', { labelNames: ['b', 'a'] }) as never,
});

test('a histogram asked for as a counter', conflictIsInert, {
  name: 'worker.stage_latency_ms',
  first: (r) => r.histogram('worker.stage_latency_ms').observe(3),
  second: (r) => r.counter('worker.stage_latency_ms') as never,
});

test('an export-name clash, a.b vs a_b', conflictIsInert, {
  name: 'a_b',
  first: (r) => r.gauge('a.b').set(1),
  second: (r) => r.gauge('a_b') as never,
});

test('an export-name clash, a counter with and without _total', conflictIsInert, {
  name: 'jobs_done',
  first: (r) => r.counter('jobs_done_total').inc(),
  second: (r) => r.counter('jobs_done') as never,
});

test('an export-name clash through units, x_ms vs x_seconds', conflictIsInert, {
  name: 'x_seconds',
  first: (r) => r.histogram('x_ms').observe(1),
  second: (r) => r.histogram('x_seconds') as never,
});

test('an export-name clash between a gauge and a counter sample, g_total vs c', conflictIsInert, {
  name: 'g_total',
  first: (r) => r.counter('g').inc(),
  second: (r) => r.gauge('g_total') as never,
});

test("a conflict with the registry's own dropped counter", conflictIsInert, {
  name: 'obsweave.dropped_total',
  first: () => undefined,
  second: (r) => r.gauge('obsweave.dropped_total') as never,
});

test('the original metric keeps working after a conflicting definition', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('jobs.created_total');
  registry.gauge('jobs.created_total').set(100);
  c.inc();
  t.is(registry.snapshot().counters['jobs.created_total'], 1);
  t.is(registry.counter('jobs.created_total'), c);
});

// reset()

test('reset() zeroes every series and keeps definitions and bound children working', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('c_total', { labelNames: ['k'] });
  const g = registry.gauge('g', { labelNames: ['k'] });
  const h = registry.histogram('h_ms', { labelNames: ['k'], buckets: [1, 10] });
  const bc = c.bind({ k: 'bound' });
  const bg = g.bind({ k: 'bound' });
  const bh = h.bind({ k: 'bound' });
  c.inc(5, { k: 'x' });
  bc.inc(2);
  g.set(7, { k: 'x' });
  bg.set(3);
  h.observe(5, { k: 'x' });
  bh.observe(50);
  registry.reset();
  let snap = registry.snapshot();
  t.is(snap.counters['c_total|k=x'], 0);
  t.is(snap.counters['c_total|k=bound'], 0);
  t.is(snap.gauges['g|k=x'], 0);
  t.is(snap.gauges['g|k=bound'], 0);
  t.deepEqual(snap.histograms['h_ms|k=bound'], {
    count: 0,
    sum: 0,
    buckets: { '1': 0, '10': 0, '+Inf': 0 },
    quantiles: { p50: 0, p90: 0, p99: 0 },
  });
  t.is(snap.counters['obsweave.dropped_total|reason=invalid_value'], 0);
  bc.inc();
  bg.inc(4);
  bh.observe(5);
  c.inc(1, { k: 'x' });
  t.is(registry.counter('c_total', { labelNames: ['k'] }), c);
  snap = registry.snapshot();
  t.is(snap.counters['c_total|k=bound'], 1);
  t.is(snap.counters['c_total|k=x'], 1);
  t.is(snap.gauges['g|k=bound'], 4);
  t.is(snap.histograms['h_ms|k=bound'].count, 1);
  t.is(snap.histograms['h_ms|k=bound'].buckets['10'], 1);
});

// registerCatalog()

test('registerCatalog() defines every catalog metric; asking for one again reuses it', (t) => {
  const { registry, logs } = newRegistry();
  registry.registerCatalog();
  registry.registerCatalog();
  const c = registry.counter('http.requests_total', {
    labelNames: ['method', 'route', 'code_class'],
  });
  c.inc(1, { method: 'GET', route: '/api/jobs', code_class: '2xx' });
  const snap = registry.snapshot();
  t.is(snap.counters['http.requests_total|method=GET,route=/api/jobs,code_class=2xx'], 1);
  t.is(snap.counters['jobs.created_total'], 0);
  t.is(snap.gauges['proc.memory_rss_mb'], 0);
  t.is(snap.histograms['jobs.total_latency_ms'].count, 0);
  t.deepEqual(logs, []);
  t.is(dropped(registry, 'conflict'), 0);
});

// Self-observation

test('obsweave.dropped_total has a series for every reason from the start', (t) => {
  const { registry } = newRegistry();
  const snap = registry.snapshot();
  for (const reason of [
    'invalid_value',
    'undeclared_label',
    'overflow',
    'conflict',
    'collector_error',
  ]) {
    t.is(snap.counters[`obsweave.dropped_total|reason=${reason}`], 0, reason);
  }
});

test('obsweave.export_latency_ms{format} counts every export by format', (t) => {
  const { registry } = newRegistry();
  registry.snapshot();
  registry.snapshot();
  registry.toPrometheus();
  registry.toOpenMetrics();
  const h = registry.snapshot().histograms;
  t.is(h['obsweave.export_latency_ms|format=json'].count, 2);
  t.is(h['obsweave.export_latency_ms|format=prometheus'].count, 1);
  t.is(h['obsweave.export_latency_ms|format=openmetrics'].count, 1);
  t.true(h['obsweave.export_latency_ms|format=json'].sum >= 0);
  t.regex(registry.toPrometheus(), /^obsweave_export_latency_seconds_count\{format="json"\} 3$/m);
});

test('drop() and warnOnce() report through the same guard', (t) => {
  const { registry, logs } = newRegistry();
  registry.drop('invalid_value', 'my.integration', 'bad thing');
  registry.drop('invalid_value', 'my.integration', 'bad thing again');
  registry.warnOnce('k', 'hello');
  registry.warnOnce('k', 'hello again');
  t.is(dropped(registry, 'invalid_value'), 2);
  t.deepEqual(logs, ['my.integration: bad thing', 'hello']);
});

test('self-observation keeps a series per reason and format under a small maxSeriesPerMetric', (t) => {
  const { registry } = newRegistry({ maxSeriesPerMetric: 1 });
  registry.counter('c_total').inc(NaN);
  registry.counter('c_total').inc(1, { extra: 1 });
  registry.toPrometheus();
  registry.toOpenMetrics();
  const snap = registry.snapshot();
  t.is(snap.counters['obsweave.dropped_total|reason=invalid_value'], 1);
  t.is(snap.counters['obsweave.dropped_total|reason=undeclared_label'], 1);
  t.is(snap.counters['obsweave.dropped_total|reason=overflow'], 0);
  t.false('obsweave.dropped_total|reason=__overflow__' in snap.counters);
  t.is(snap.histograms['obsweave.export_latency_ms|format=prometheus'].count, 1);
  t.is(snap.histograms['obsweave.export_latency_ms|format=openmetrics'].count, 1);
});
