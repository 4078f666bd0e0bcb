import test from 'ava';
import { newRegistry } from '../support/registry';

test('snapshot() has exactly the shape of SPEC section 3', (t) => {
  const { registry } = newRegistry();
  registry
    .counter('http.requests_total', { labelNames: ['method', 'route', 'code_class'] })
    .inc(123, { method: 'GET', route: '/api/jobs', code_class: '2xx' });
  registry.counter('jobs.created_total').inc(5);
  registry.gauge('proc.memory_rss_mb').set(128.5);
  const h = registry.histogram('http.request_latency_ms', { labelNames: ['route'] });
  for (const v of [0.5, 3, 12, 40, 80]) h.observe(v, { route: '/api/jobs' });
  const snap = JSON.parse(JSON.stringify(registry.snapshot()));
  t.deepEqual(Object.keys(snap), ['timestamp', 'counters', 'gauges', 'histograms']);
  t.is(typeof snap.timestamp, 'string');
  t.is(snap.counters['http.requests_total|method=GET,route=/api/jobs,code_class=2xx'], 123);
  t.is(snap.counters['jobs.created_total'], 5);
  t.deepEqual(snap.gauges, { 'proc.memory_rss_mb': 128.5 });
  const hs = snap.histograms['http.request_latency_ms|route=/api/jobs'];
  t.deepEqual(Object.keys(hs), ['count', 'sum', 'buckets', 'quantiles']);
  t.is(hs.count, 5);
  t.is(hs.sum, 135.5);
  t.deepEqual(hs.buckets, {
    '1': 1,
    '2': 1,
    '5': 2,
    '10': 2,
    '25': 3,
    '50': 4,
    '100': 5,
    '250': 5,
    '500': 5,
    '1000': 5,
    '2500': 5,
    '5000': 5,
    '10000': 5,
    '30000': 5,
    '60000': 5,
    '120000': 5,
    '300000': 5,
    '600000': 5,
    '+Inf': 5,
  });
  // p50: rank 2.5; the cumulative count is 2 up to 10, so (10,25] holding 1: 10 + 15 × 0.5
  // p90: rank 4.5 in (50,100] holding 1: 50 + 50 × 0.5; p99: rank 4.95: 50 + 50 × 0.95
  t.deepEqual(hs.quantiles, { p50: 17.5, p90: 75, p99: 97.5 });
});

test('snapshot keys list labels in declared order; unlabelled series are the bare name', (t) => {
  const { registry } = newRegistry();
  registry
    .counter('jobs.status_transition_total', { labelNames: ['from', 'to'] })
    .inc(1, { to: 'running', from: 'queued' });
  registry.gauge('worker.inflight_jobs').set(2);
  const snap = registry.snapshot();
  t.is(snap.counters['jobs.status_transition_total|from=queued,to=running'], 1);
  t.is(snap.gauges['worker.inflight_jobs'], 2);
});

test('snapshot values keep native units: ms stay ms, mb stay mb, pct stay pct', (t) => {
  const { registry } = newRegistry();
  registry.histogram('event_loop.lag_ms', { buckets: [10] }).observe(12);
  registry.gauge('scratch.disk_used_pct').set(42);
  registry.gauge('proc.memory_rss_mb').set(2);
  const snap = registry.snapshot();
  t.is(snap.histograms['event_loop.lag_ms'].sum, 12);
  t.deepEqual(snap.histograms['event_loop.lag_ms'].buckets, { '10': 0, '+Inf': 1 });
  t.is(snap.gauges['scratch.disk_used_pct'], 42);
  t.is(snap.gauges['proc.memory_rss_mb'], 2);
});

test('snapshot() is a fresh plain object each time, safe to serialise and mutate', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('c_total');
  c.inc();
  const a = registry.snapshot();
  a.counters['c_total'] = 100;
  c.inc();
  const b = registry.snapshot();
  t.is(b.counters['c_total'], 2);
  t.not(a, b);
  t.deepEqual(JSON.parse(JSON.stringify(b)).counters['c_total'], 2);
});
