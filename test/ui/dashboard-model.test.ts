import test from 'ava';
import { CATALOG, httpMetrics, MetricsController, MetricsRegistry, type Snapshot } from '../../src';
import { toPageSlos, type DashboardSlo } from '../../src/ui/dashboard-slos';

/**
 * The page's own modules (plain ES modules, as the browser gets them), checked in Node against
 * the registry's snapshots and its own quantile code.
 */
interface ModelModule {
  buildModel(
    cur: Snapshot,
    base: Snapshot,
    o: { read: unknown; slos?: unknown[]; heldOpen?: string[]; window?: number },
  ): any;
  keyReader(labels: Record<string, readonly string[]>): unknown;
}
interface SeriesModule {
  parseKey(key: string, labels?: Record<string, readonly string[]>): any;
  canonicalName(name: string): string;
}
const model = require('../../src/ui/assets/model.js') as ModelModule;
const series = require('../../src/ui/assets/series.js') as SeriesModule;

const LABELS = Object.fromEntries(CATALOG.map((m) => [m.name, m.labelNames]));

function at(snap: Snapshot, iso: string): Snapshot {
  return { ...snap, timestamp: iso };
}

/** Records one batch of traffic into a registry. */
function traffic(r: MetricsRegistry, latencies: number[], errors: number) {
  const reqs = r.counter('http.requests_total', { labelNames: ['method', 'route', 'code_class'] });
  const lat = r.histogram('http.request_latency_ms', { labelNames: ['route'] });
  for (const ms of latencies) {
    reqs.inc(1, { method: 'GET', route: '/a', code_class: '2xx' });
    lat.observe(ms, { route: '/a' });
  }
  reqs.inc(errors, { method: 'GET', route: '/a', code_class: '5xx' });
  const calls = r.counter('external.calls_total', { labelNames: ['service', 'op', 'outcome'] });
  calls.inc(8, { service: 'asr', op: 'go', outcome: 'success' });
  calls.inc(2, { service: 'asr', op: 'go', outcome: 'timeout' });
  calls.inc(10, { service: 'db', op: 'q', outcome: 'success' });
}

test('rates, shares and percentiles come from the difference of two snapshots', (t) => {
  const r = new MetricsRegistry();
  r.registerCatalog();
  traffic(r, [3, 3, 3, 3, 3000], 7);
  const base = at(r.snapshot(), '2026-01-01T00:00:00.000Z');
  const second = [1, 4, 8, 20, 30, 40, 90, 200, 400, 700];
  traffic(r, second, 2);
  const cur = at(r.snapshot(), '2026-01-01T00:00:10.000Z');

  // Only the second batch, in a registry of its own: what the window must show.
  const only = new MetricsRegistry();
  traffic(only, second, 2);
  const want = only.snapshot().histograms['http.request_latency_ms|route=/a'].quantiles!;

  const m = model.buildModel(cur, base, { read: model.keyReader(LABELS) });
  t.is(m.seconds, 10);
  const [route] = m.routes;
  t.is(route.route, '/a');
  t.is(route.rate, (second.length + 2) / 10);
  t.is(route.errorShare, 2 / (second.length + 2));
  t.is(route.serverErrorShare, 2 / (second.length + 2));
  t.is(route.total, 5 + 7 + second.length + 2);
  for (const q of ['p50', 'p90', 'p99'] as const) t.true(Math.abs(route[q] - want[q]) < 1e-9, q);
  // Not the since-start quantiles, which still see the 3 s outlier.
  t.not(route.p99, cur.histograms['http.request_latency_ms|route=/a'].quantiles!.p99);

  const asr = m.external.find((e: any) => e.service === 'asr');
  t.is(asr.rate, 1);
  t.is(asr.timeoutShare, 0.2);
  t.is(asr.successShare, 0.8);
  t.is(m.overview.timeoutShare, 2 / 20);
  t.false(m.empty);
});

test('a counter that went down is a restart: the new value counts whole', (t) => {
  const r1 = new MetricsRegistry();
  r1.counter('jobs.created_total').inc(100);
  const base = at(r1.snapshot(), '2026-01-01T00:00:00.000Z');
  const r2 = new MetricsRegistry();
  r2.counter('jobs.created_total').inc(6);
  const cur = at(r2.snapshot(), '2026-01-01T00:01:00.000Z');
  const m = model.buildModel(cur, base, { read: model.keyReader(LABELS) });
  t.is(m.jobs.created.rate, 6);
  t.is(m.jobs.created.total, 6);
});

test('the first snapshot has totals but no rates yet', (t) => {
  const r = new MetricsRegistry();
  traffic(r, [5], 0);
  const s = r.snapshot();
  const m = model.buildModel(s, s, { read: model.keyReader(LABELS) });
  t.true(m.measuring);
  t.is(m.routes[0].rate, null);
  t.is(m.routes[0].p50, null);
  t.is(m.routes[0].total, 1);
});

test('burn rate per SLO and per `by` group, from exported or JSON names', (t) => {
  const r = new MetricsRegistry();
  traffic(r, [], 0);
  const base = at(r.snapshot(), '2026-01-01T00:00:00.000Z');
  traffic(r, [1, 2, 3, 4, 5, 6, 7, 8], 2);
  const cur = at(r.snapshot(), '2026-01-01T00:00:05.000Z');
  const slos: DashboardSlo[] = [
    {
      name: 'http-availability',
      objective: 0.99,
      sli: { errors: 'http_requests_total{code_class="5xx"}', total: 'http_requests_total' },
    },
    {
      name: 'external',
      objective: 0.9,
      by: ['service'],
      sli: {
        errors: { metric: 'external.calls_total', match: { outcome: { not: 'success' } } },
        total: { metric: 'external.calls_total' },
      },
    },
    {
      name: 'fast',
      objective: 0.5,
      sli: { latency: { metric: 'http_request_latency_seconds', thresholdMs: 5 } },
    },
  ];
  const m = model.buildModel(cur, base, {
    read: model.keyReader(LABELS),
    slos: toPageSlos(slos),
  });
  const row = (name: string, group: string) =>
    m.slos.find((s: any) => s.name === name && s.group === group);
  t.is(row('http-availability', 'all').burn, 2 / 10 / (1 - 0.99));
  t.is(row('external', 'service=asr').burn, 0.2 / (1 - 0.9));
  t.is(row('external', 'service=db').burn, 0);
  t.is(row('fast', 'all').errorRatio, 3 / 8); // 6, 7, 8 ms are above the 5 ms bound
});

test('an empty registry, and one with only the catalog, is the empty state', (t) => {
  const read = model.keyReader(LABELS);
  const r = new MetricsRegistry();
  const s0 = r.snapshot();
  t.true(model.buildModel(s0, s0, { read }).empty);
  r.registerCatalog();
  r.snapshot();
  const s1 = r.snapshot(); // carries obsweave's own export timing, which does not count
  t.true(model.buildModel(s1, s1, { read }).empty);
  r.counter('jobs.created_total').inc();
  const s2 = r.snapshot();
  t.false(model.buildModel(s2, s2, { read }).empty);
});

test('series keys: label values with commas and equals signs', (t) => {
  const key = 'worker.stage_failures_total|stage=a,b=c,code=x=y';
  t.deepEqual(series.parseKey(key, LABELS), {
    name: 'worker.stage_failures_total',
    labels: { stage: 'a,b=c', code: 'x=y' },
  });
  t.deepEqual(series.parseKey('custom|k=v,w=z'), { name: 'custom', labels: { k: 'v', w: 'z' } });
  t.is(series.canonicalName('http.request_latency_ms'), 'http_request_latency_seconds');
  t.is(series.canonicalName('proc.memory_rss_mb'), series.canonicalName('proc_memory_rss_bytes'));
});

test('extra HTTP labels: the served config names them, and a route sums its series', (t) => {
  const r = new MetricsRegistry();
  httpMetrics({ registry: r, labelNames: ['tenant'] });
  const reqs = r.counter('http.requests_total', {
    labelNames: ['method', 'route', 'code_class', 'tenant'],
  });
  const lat = r.histogram('http.request_latency_ms', { labelNames: ['route', 'tenant'] });
  const base = at(r.snapshot(), '2026-01-01T00:00:00.000Z');
  for (const [tenant, ms, cls] of [
    ['a', 10, '2xx'],
    ['a', 20, '2xx'],
    ['b', 400, '5xx'],
  ] as const) {
    reqs.inc(1, { method: 'GET', route: '/x', code_class: cls, tenant });
    lat.observe(ms, { route: '/x', tenant });
  }
  const cur = at(r.snapshot(), '2026-01-01T00:00:10.000Z');
  const res = new MetricsController(r).handle({
    url: '/metrics/ui/config.json',
    headers: {},
  }) as { body: string };
  const labels = JSON.parse(res.body).labels as Record<string, string[]>;
  t.deepEqual(labels['http.requests_total'], ['method', 'route', 'code_class', 'tenant']);
  t.deepEqual(labels['http.request_latency_ms'], ['route', 'tenant']);
  const m = model.buildModel(cur, base, { read: model.keyReader(labels) });
  t.is(m.routes.length, 1);
  const [route] = m.routes;
  t.is(route.route, '/x');
  t.is(route.rate, 0.3);
  t.is(route.serverErrorShare, 1 / 3);
  t.true(route.p99 > 250, 'the slow tenant’s latency is in the route’s percentiles');
});

/** One request of `ms` on each route, between two snapshots ten seconds apart. */
function routesOver(latencies: Record<string, number>) {
  const r = new MetricsRegistry();
  r.registerCatalog();
  const base = at(r.snapshot(), '2026-01-01T00:00:00.000Z');
  const reqs = r.counter('http.requests_total', { labelNames: ['method', 'route', 'code_class'] });
  const lat = r.histogram('http.request_latency_ms', { labelNames: ['route'] });
  for (const [route, ms] of Object.entries(latencies)) {
    for (let i = 0; i < 10; i++) {
      reqs.inc(1, { method: 'GET', route, code_class: '2xx' });
      lat.observe(ms, { route });
    }
  }
  return { base, cur: at(r.snapshot(), '2026-01-01T00:00:10.000Z') };
}

test('the headline p99 leaves out routes whose responses are held open, and says which it covers', (t) => {
  const { base, cur } = routesOver({ '/api/jobs': 20, '/api/jobs/:id/events': 120_000 });
  const read = model.keyReader(LABELS);
  const m = model.buildModel(cur, base, { read });
  t.true(m.overview.p99 <= 25, `p99 ${m.overview.p99} is the answered requests'`);
  t.deepEqual(m.overview.latencyRoutes, ['/api/jobs']);
  t.deepEqual(m.overview.heldOpenRoutes, ['/api/jobs/:id/events']);
  const events = m.routes.find((r: { route: string }) => r.route === '/api/jobs/:id/events');
  t.true(events.heldOpen, 'marked in the routes table');
  t.true(events.p99 > 60_000, 'with its own latency kept there');

  // The host's own list replaces the rule by name; [] counts every route.
  const named = model.buildModel(cur, base, { read, heldOpen: ['/api/jobs'] });
  t.deepEqual(named.overview.heldOpenRoutes, ['/api/jobs']);
  t.true(named.overview.p99 > 60_000);
  const all = model.buildModel(cur, base, { read, heldOpen: [] });
  t.deepEqual(all.overview.heldOpenRoutes, []);
  t.deepEqual(all.overview.latencyRoutes, ['/api/jobs', '/api/jobs/:id/events']);
});

test('a window shorter than the one chosen is partial; a full one is not', (t) => {
  const { base, cur } = routesOver({ '/a': 5 });
  const read = model.keyReader(LABELS);
  const short = model.buildModel(cur, base, { read, window: 300 });
  t.true(short.partial, '10 s seen of 5 min');
  t.is(short.window, 300);
  t.is(short.seconds, 10);
  t.is(short.overview.requestRate, 1, 'a rate over what was seen, never over the window chosen');
  t.false(model.buildModel(cur, base, { read, window: 10 }).partial);
  t.false(model.buildModel(cur, cur, { read, window: 300 }).partial, 'still measuring');
});

test('jobs carry the count seen in the window beside their rate per minute', (t) => {
  const r = new MetricsRegistry();
  r.registerCatalog();
  const base = at(r.snapshot(), '2026-01-01T00:00:00.000Z');
  r.counter('jobs.created_total').inc(3);
  const cur = at(r.snapshot(), '2026-01-01T00:00:02.000Z');
  const m = model.buildModel(cur, base, { read: model.keyReader(LABELS), window: 60 });
  t.true(m.partial);
  t.is(m.jobs.created.count, 3);
  t.is(m.jobs.created.rate, 90);
});

test('native histograms: percentiles from their buckets with their relative error, buckets: false included', (t) => {
  const r = new MetricsRegistry({ nativeHistograms: true });
  const reqs = r.counter('http.requests_total', { labelNames: ['method', 'route', 'code_class'] });
  const lat = r.histogram('http.request_latency_ms', {
    labelNames: ['route'],
    buckets: false,
    native: true,
  });
  const stage = r.histogram('worker.stage_latency_ms', { labelNames: ['stage'] });
  const record = (route: string, values: number[]) => {
    for (const ms of values) {
      reqs.inc(1, { method: 'GET', route, code_class: '2xx' });
      lat.observe(ms, { route });
      stage.observe(ms, { stage: 'probe' });
    }
  };
  record('/a', [5000]);
  const base = at(r.snapshot(), '2026-01-01T00:00:00.000Z');
  const a = Array.from({ length: 100 }, (_, i) => 10 + i);
  const b = Array.from({ length: 100 }, (_, i) => 200 + 2 * i);
  record('/a', a);
  record('/b', b);
  const cur = at(r.snapshot(), '2026-01-01T00:00:10.000Z');

  const m = model.buildModel(cur, base, { read: model.keyReader(LABELS) });
  const error = 2 ** (2 ** -3) - 1;
  const near = (got: number, want: number, what: string) =>
    t.true(Math.abs(got - want) <= error * want, `${what}: ${got} for ${want}`);
  const route = (r: string) => m.routes.find((x: any) => x.route === r);
  near(route('/a').p50, 59, '/a p50');
  near(route('/a').p99, 108, '/a p99');
  near(route('/b').p90, 378, '/b p90');
  t.is(route('/a').relativeError, error);
  // Both routes' buckets merged: the 99th of the 200 values, not the 5 s before the window.
  near(m.overview.p99, 394, 'headline p99');
  t.is(m.overview.relativeError, error);
  // A histogram with classic buckets too (the registry makes every one native): native wins.
  t.is(m.stages[0].relativeError, error);
  near(m.stages[0].p90, 358, 'stage p90');

  // Classic buckets only: percentiles as before, no relative error claimed.
  const classic = new MetricsRegistry();
  traffic(classic, [], 0);
  const cBase = at(classic.snapshot(), '2026-01-01T00:00:00.000Z');
  traffic(classic, [3, 30, 300], 0);
  const c = model.buildModel(at(classic.snapshot(), '2026-01-01T00:00:10.000Z'), cBase, {
    read: model.keyReader(LABELS),
  });
  t.not(c.routes[0].p99, null);
  t.is(c.routes[0].relativeError, null);
  t.is(c.overview.relativeError, null);
  // Before anything is observed in the window, no error is claimed either.
  const idle = model.buildModel(cur, cur, { read: model.keyReader(LABELS) });
  t.is(idle.overview.relativeError, null);
});
