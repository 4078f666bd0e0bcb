import test from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetricsHandler, MetricsController, MetricsRegistry, type Snapshot } from '../../src';
import { ClusterRegistry, shareWithPrimary } from '../../src/cluster';
import { setTraceRefSource } from '../../src/core/exemplars';
import { assertPromtoolClean, testWithTools } from '../support/tools';
import { MessageChannel } from 'node:worker_threads';
import { dropped, eventually, fakeWorker, primary, worker } from './helpers';

/** The families of a snapshot whose names start with `prefix`, for comparing two snapshots. */
function only(snap: Snapshot, prefix: string): Omit<Snapshot, 'timestamp'> {
  const pick = <T>(o: Record<string, T>) =>
    Object.fromEntries(Object.entries(o).filter(([k]) => k.startsWith(prefix)));
  return {
    counters: pick(snap.counters),
    gauges: pick(snap.gauges),
    histograms: pick(snap.histograms),
  };
}

function record(r: MetricsRegistry, calls: number[], route: string): void {
  const c = r.counter('app.calls_total', { labelNames: ['route'] });
  const h = r.histogram('app.call_ms', { labelNames: ['route'] });
  for (const ms of calls) {
    c.inc(1, { route });
    h.observe(ms, { route });
  }
}

test('counters and histograms add up: the merge equals one registry that saw everything', async (t) => {
  const p = primary(t);
  const a = await worker(t, p, 'a');
  const b = await worker(t, p, 'b');
  const all = new MetricsRegistry();
  const loadA = [1, 3, 7, 20, 20, 90, 400, 2000];
  const loadB = [2, 2, 30, 60, 700, 700, 9000];
  record(a, loadA, '/x');
  record(b, loadB, '/x');
  record(b, [5], '/y');
  record(all, [...loadA, ...loadB], '/x');
  record(all, [5], '/y');

  const merged = await p.cluster.snapshot();
  t.deepEqual(only(merged, 'app.'), only(all.snapshot(), 'app.'));
  t.is(merged.counters['app.calls_total|route=/x'], loadA.length + loadB.length);
  // Quantiles come from the merged buckets, not from averaging the workers' quantiles.
  t.deepEqual(
    merged.histograms['app.call_ms|route=/x'].quantiles,
    all.snapshot().histograms['app.call_ms|route=/x'].quantiles,
  );
  t.deepEqual(p.cluster.workers, ['a', 'b']);
});

test('the primary registry is merged in, and the text formats agree with a local export', async (t) => {
  const p = primary(t);
  const a = await worker(t, p, 'a');
  a.counter('jobs.created_total').inc(4);
  p.own.counter('jobs.created_total').inc(1);
  const reference = new MetricsRegistry();
  reference.counter('jobs.created_total').inc(5);
  const text = await p.cluster.toPrometheus();
  t.true(
    text.includes(
      '# HELP jobs_created_total Jobs created\n# TYPE jobs_created_total counter\njobs_created_total 5\n',
    ),
  );
  t.true(reference.toPrometheus().includes('jobs_created_total 5\n'));
  const om = await p.cluster.toOpenMetrics();
  t.true(om.endsWith('# EOF\n'));
  t.regex(om, /^obsweave_dropped_total\{reason="worker_timeout"\} 0$/m);
});

test('gauges follow their aggregation; perWorker adds a worker label', async (t) => {
  const p = primary(t, {
    gauges: { 'g.max': 'max', 'g.min': 'min', 'g.avg': 'avg', 'g.per': 'perWorker' },
  });
  const values = { a: 10, b: 20, c: 60 };
  for (const [name, v] of Object.entries(values)) {
    const r = await worker(t, p, name);
    for (const g of ['g.sum', 'g.max', 'g.min', 'g.avg', 'g.per']) r.gauge(g).set(v);
    r.gauge('scratch.disk_used_pct').set(v); // the catalog's default: max
    r.gauge('worker.inflight_jobs').set(v / 10); // the catalog's default: sum
  }
  const s = await p.cluster.snapshot();
  t.is(s.gauges['g.sum'], 90);
  t.is(s.gauges['g.max'], 60);
  t.is(s.gauges['g.min'], 10);
  t.is(s.gauges['g.avg'], 30);
  t.is(s.gauges['g.per|worker=a'], 10);
  t.is(s.gauges['g.per|worker=b'], 20);
  t.is(s.gauges['g.per|worker=c'], 60);
  t.false('g.per' in s.gauges);
  t.is(s.gauges['scratch.disk_used_pct'], 60);
  t.is(s.gauges['worker.inflight_jobs'], 9);
  const text = await p.cluster.toPrometheus();
  t.regex(text, /^g_per\{worker="b"\} 20$/m);
  t.regex(text, /^scratch_disk_used_ratio 0.6$/m);
});

test('a bad aggregation or timeout throws at configuration time', (t) => {
  t.throws(() => new ClusterRegistry({ gauges: { x: 'median' as never } }), {
    message: /^obsweave: .*"x".*median/,
  });
  t.throws(() => new ClusterRegistry({ timeoutMs: 0 }), { message: /^obsweave: .*timeoutMs/ });
  t.throws(() => new ClusterRegistry({ registry: {} as never }), { message: /^obsweave:/ });
});

test("histograms whose buckets disagree: the first worker's are merged, the other's series is left out, counted and logged once", async (t) => {
  const p = primary(t);
  const a = await worker(t, p, 'a');
  const b = await worker(t, p, 'b');
  a.histogram('h.size_ms', { buckets: [1, 10] }).observe(5);
  b.histogram('h.size_ms', { buckets: [1, 100] }).observe(5);
  a.histogram('h.ok_ms', { buckets: [1, 10] }).observe(5);
  b.histogram('h.ok_ms', { buckets: [1, 10] }).observe(50);
  const s = await p.cluster.snapshot();
  t.is(s.histograms['h.size_ms'].count, 1);
  t.deepEqual(s.histograms['h.size_ms'].buckets, { '1': 0, '10': 1, '+Inf': 1 });
  t.is(s.histograms['h.ok_ms'].count, 2);
  t.is(s.histograms['h.ok_ms'].buckets['+Inf'], 2);
  t.is(dropped(s, 'worker_error'), 1);
  t.is(dropped(s, 'conflict'), 0);
  const logged = () =>
    p.logs.filter((l) => l.startsWith('h.size_ms from worker b: has buckets [1,100]'));
  t.is(logged().length, 1);
  await p.cluster.snapshot();
  t.is(logged().length, 1, 'logged once');
});

test('a family a worker defines with another type or labels is left out for that worker', async (t) => {
  const p = primary(t);
  const a = await worker(t, p, 'a');
  const b = await worker(t, p, 'b');
  a.counter('x.things_total').inc();
  b.gauge('x.things_total').set(3);
  a.counter('y.calls_total', { labelNames: ['op'] }).inc(1, { op: 'get' });
  b.counter('y.calls_total', { labelNames: ['route'] }).inc(1, { route: '/' });
  a.counter('z.fine_total').inc(2);
  b.counter('z.fine_total').inc(3);
  const s = await p.cluster.snapshot();
  t.deepEqual(only(s, 'x.').counters, { 'x.things_total': 1 });
  t.deepEqual(only(s, 'x.').gauges, {});
  t.deepEqual(only(s, 'y.').counters, { 'y.calls_total|op=get': 1 });
  t.is(s.counters['z.fine_total'], 5);
  t.is(dropped(s, 'worker_error'), 2);
  t.is(dropped(s, 'conflict'), 0);
});

test('exemplars: each bucket shows the most recent of any worker, only in OpenMetrics', async (t) => {
  const p = primary(t);
  const a = await worker(t, p, 'a');
  const b = await worker(t, p, 'b');
  const observe = (r: MetricsRegistry, v: number, traceId: string) => {
    setTraceRefSource(() => ({ traceId, spanId: 'span' }));
    try {
      r.histogram('e.wait_ms', { buckets: [10, 100] }).observe(v);
    } finally {
      setTraceRefSource(undefined);
    }
  };
  observe(a, 5, 'aaaa');
  const first = Date.now();
  while (Date.now() === first); // b's exemplar a millisecond later, on any machine
  observe(b, 7, 'bbbb');
  observe(a, 50, 'cccc');
  const om = await p.cluster.toOpenMetrics();
  t.regex(om, /^e_wait_seconds_bucket\{le="0.01"\} 2 # \{trace_id="bbbb",span_id="span"\} 0.007 /m);
  t.regex(om, /^e_wait_seconds_bucket\{le="0.1"\} 3 # \{trace_id="cccc",span_id="span"\} 0.05 /m);
  t.regex(om, /^e_wait_seconds_bucket\{le="\+Inf"\} 3$/m);
  t.false((await p.cluster.toPrometheus()).includes('trace_id'));
});

test('a worker that never answers is left out within timeoutMs and counted', async (t) => {
  // Long enough that the worker that does answer is never late on a loaded machine.
  const p = primary(t, { timeoutMs: 1000 });
  const a = await worker(t, p, 'a');
  a.counter('w.done_total').inc(3);
  await fakeWorker(t, p, 'hung', () => {});
  const s = await p.cluster.snapshot();
  t.is(s.counters['w.done_total'], 3);
  t.is(dropped(s, 'worker_timeout'), 1);
  t.is(dropped(s, 'worker_error'), 0);
  t.true(p.logs.some((l) => l.startsWith('worker hung: did not answer within 1000 ms')));
});

test('a garbage answer is left out whole and counted as worker_error', async (t) => {
  const p = primary(t, { timeoutMs: 5000 });
  const a = await worker(t, p, 'a');
  a.counter('w.done_total').inc(3);
  const garbage: unknown[] = [
    { error: 'Error: disk full at https://user:secret@db.internal/x?token=abc' },
    { f: 'nope' },
    { f: [{ n: 'w.done_total', h: '', t: 'counter', l: [], v: [], x: [-1] }] },
    { f: [{ n: 'w.done_total', h: '', t: 'counter', l: [], v: [], x: [1, 2] }] },
    { f: [{ n: 'bad name!', h: '', t: 'counter', l: [], v: [], x: [1] }] },
    {
      f: [
        {
          n: 'w.h_ms',
          h: '',
          t: 'histogram',
          l: [],
          v: [],
          b: [2, 1],
          c: [0, 0, 0],
          s: [0],
          k: [0],
        },
      ],
    },
    { f: [{ n: 'w.h_ms', h: '', t: 'histogram', l: [], v: [], b: [1], c: [0], s: [0], k: [0] }] },
  ];
  let i = 0;
  await fakeWorker(t, p, 'bad', (id, port) =>
    port.postMessage({ obsweave: 'metrics', id, ...(garbage[i++] as object) }),
  );
  for (let k = 0; k < garbage.length; k++) {
    const s = await p.cluster.snapshot();
    t.is(s.counters['w.done_total'], 3, `garbage #${k} left out`);
    t.is(dropped(s, 'worker_error'), k + 1);
  }
  const log = p.logs.find((l) => l.startsWith('worker bad:'))!;
  t.regex(
    log,
    /^worker bad: failed to export: Error: disk full at https:\/\/db.internal\/x; left out/,
  );
  t.false(p.logs.join('\n').includes('secret'), 'redacted');
});

test('a worker that stops sharing is no longer asked; one that exits mid-scrape is left out at once', async (t) => {
  const p = primary(t, { timeoutMs: 60_000 });
  const a = await worker(t, p, 'a');
  a.counter('w.done_total').inc(2);
  const port = await fakeWorker(t, p, 'leaving', (_id, port) => setImmediate(() => port.close()));
  const s = await p.cluster.snapshot(); // would wait a minute if the close were not seen
  t.is(s.counters['w.done_total'], 2);
  t.is(dropped(s, 'worker_error'), 1);
  t.deepEqual(p.cluster.workers, ['a']);
  t.truthy(port);

  const other = new MetricsRegistry();
  const { port1, port2 } = new MessageChannel();
  t.teardown(() => port1.close());
  const stop = shareWithPrimary(other, { port: port2 });
  p.cluster.add(port1, { name: 'b' });
  await eventually(() => p.cluster.workers.length === 2, 'b to share');
  t.deepEqual(p.cluster.workers, ['a', 'b']);
  stop();
  await eventually(() => p.cluster.workers.length === 1, 'b to say bye');
  t.deepEqual(p.cluster.workers, ['a']);
});

test('ten concurrent scrapes each get their own answers', async (t) => {
  const p = primary(t);
  const a = await worker(t, p, 'a');
  a.counter('w.done_total').inc(1000);
  // This worker answers each request with its own id, and only once all ten have arrived,
  // in reverse order: a scrape that took another's answer would show another number.
  const held: number[] = [];
  await fakeWorker(t, p, 'echo', (id, port) => {
    held.push(id);
    if (held.length < 10) return;
    for (const i of held.reverse()) {
      port.postMessage({
        obsweave: 'metrics',
        id: i,
        f: [{ n: 'w.done_total', h: 'h', t: 'counter', l: [], v: [], x: [i] }],
      });
    }
  });
  const snaps = await Promise.all(Array.from({ length: 10 }, () => p.cluster.snapshot()));
  const ids = [...held].sort((x, y) => x - y);
  t.is(new Set(ids).size, 10);
  t.deepEqual(
    snaps.map((s) => s.counters['w.done_total'] - 1000),
    ids,
  );
  t.is(dropped(snaps[9], 'worker_timeout') + dropped(snaps[9], 'worker_error'), 0);
});

test('createMetricsHandler and MetricsController serve a ClusterRegistry', async (t) => {
  const p = primary(t);
  const a = await worker(t, p, 'a');
  const b = await worker(t, p, 'b');
  a.counter('http.requests_total', { labelNames: ['method', 'route', 'code_class'] }).inc(2, {
    method: 'GET',
    route: '/',
    code_class: '2xx',
  });
  b.counter('http.requests_total', { labelNames: ['method', 'route', 'code_class'] }).inc(3, {
    method: 'GET',
    route: '/',
    code_class: '2xx',
  });
  const server = http.createServer(createMetricsHandler({ registry: p.cluster, token: 's3cret' }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  const res = await fetch(url, {
    headers: { accept: 'application/openmetrics-text', authorization: 'Bearer s3cret' },
  });
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type')!, /openmetrics/);
  t.regex(await res.text(), /^http_requests_total\{method="GET",route="\/",code_class="2xx"\} 5$/m);
  t.is((await fetch(url)).status, 401);

  const r = await new MetricsController(p.cluster).handle({ url: '/metrics' });
  t.is(r.status, 200);
  const snap = JSON.parse(String(r.body)) as Snapshot;
  t.is(snap.counters['http.requests_total|method=GET,route=/,code_class=2xx'], 5);
});

testWithTools('promtool')('the merged catalog passes promtool check metrics', async (t) => {
  const p = primary(t, { gauges: { 'proc.memory_rss_mb': 'perWorker' } });
  for (const name of ['1', '2', '3']) {
    const r = await worker(t, p, name);
    r.registerCatalog();
    r.counter('http.requests_total', { labelNames: ['method', 'route', 'code_class'] }).inc(1, {
      method: 'GET',
      route: 'say "hi"\n',
      code_class: '2xx',
    });
    r.histogram('worker.stage_latency_ms', { labelNames: ['stage'] }).observe(12, {
      stage: 'probe',
    });
    r.gauge('proc.memory_rss_mb').set(100);
  }
  assertPromtoolClean(t, await p.cluster.toPrometheus());
});

test('collectors in a worker are merged too, async ones and histograms with buckets of their own', async (t) => {
  const p = primary(t);
  const a = await worker(t, p, 'a');
  const b = await worker(t, p, 'b');
  const collected = {
    'q.wait_ms|queue=x': { count: 2, sum: 30, buckets: { '10': 1, '100': 2, '+Inf': 2 } },
    'q.wait_ms|queue=y': { count: 1, sum: 3, buckets: { '5': 1, '+Inf': 1 } },
  };
  a.histogram('q.wait_ms', { buckets: [10, 100], labelNames: ['queue'] }).observe(5, {
    queue: 'x',
  });
  b.histogram('q.wait_ms', { buckets: [10, 100], labelNames: ['queue'] });
  a.addCollector(() => ({ histograms: collected, counters: { 'q.done_total': 2 } }));
  b.addCollector(async () => ({ histograms: collected, counters: { 'q.done_total': 3 } }));
  const s = await p.cluster.snapshot();
  t.is(s.counters['q.done_total'], 5);
  // A collected series replaces the defined one with the same labels, in each worker.
  t.deepEqual(s.histograms['q.wait_ms|queue=x'].buckets, { '10': 2, '100': 4, '+Inf': 4 });
  t.deepEqual(s.histograms['q.wait_ms|queue=y'].buckets, { '5': 2, '+Inf': 2 });
  t.is(dropped(s, 'conflict'), 0);
});

test('a registry created after its workers asks who shares', async (t) => {
  const p = primary(t);
  const { port1, port2 } = new MessageChannel();
  t.teardown(() => {
    port1.close();
    port2.close();
  });
  shareWithPrimary(new MetricsRegistry(), { port: port2 });
  // The worker's first "ready" is read and lost before the primary listens.
  await new Promise<void>((resolve) => port1.once('message', () => resolve()));
  p.cluster.add(port1, { name: 'late' });
  await eventually(() => p.cluster.workers.length === 1, 'the worker to answer hello');
  t.deepEqual(p.cluster.workers, ['late']);
});

test("default labels: the primary's apply to the merged output; a worker's are not sent", async (t) => {
  const p = primary(t, { gauges: { 'g.per': 'perWorker' } });
  p.own.setDefaultLabels({ service: 'api', worker: 'all' });
  const logs: string[] = [];
  const w = await worker(
    t,
    p,
    'a',
    new MetricsRegistry({
      defaultLabels: { service: 'w', pod: 'p-1' },
      logger: (m) => logs.push(m),
    }),
  );
  w.counter('app.calls_total').inc(2);
  w.gauge('g.per').set(5);
  const text = await p.cluster.toPrometheus();
  t.regex(text, /^app_calls_total\{service="api",worker="all"\} 2$/m);
  // perWorker's own `worker` label wins over the default of the same name.
  t.regex(text, /^g_per\{worker="a",service="api"\} 5$/m);
  t.notRegex(text, /pod=|service="w"/);
  assertPromtoolClean(t, text);
  const om = await p.cluster.toOpenMetrics();
  t.regex(om, /^app_calls_total\{service="api",worker="all"\} 2$/m);
  const snap = await p.cluster.snapshot();
  t.deepEqual(snap.labels, { service: 'api', worker: 'all' });
  t.is(snap.counters['app.calls_total'], 2);
  t.is(logs.filter((l) => l.includes("a worker's defaultLabels are not sent")).length, 1);
});

test("process families merge by their meaning under a sampler's prefix too; a declaration wins", async (t) => {
  const p = primary(t, { gauges: { nodejs_eventloop_lag_seconds: 'avg' } });
  const figures = [
    { start: 1000, fds: 1024, lag: 0.1 },
    { start: 900, fds: 4096, lag: 0.3 },
  ];
  for (const [i, f] of figures.entries()) {
    const r = await worker(t, p, String(i));
    r.gauge('app_process_start_time_seconds').set(f.start);
    r.gauge('app_process_max_fds').set(f.fds);
    r.gauge('app_nodejs_eventloop_lag_seconds').set(f.lag);
    r.gauge('app_nodejs_version_info', { labelNames: ['version'] }).set(1, { version: 'v1' });
    r.gauge('app_nodejs_heap_size_used_bytes').set(f.fds);
  }
  const s = await p.cluster.snapshot();
  t.is(s.gauges.app_process_start_time_seconds, 900);
  t.is(s.gauges.app_process_max_fds, 4096);
  t.is(s.gauges['app_nodejs_version_info|version=v1'], 1);
  t.is(s.gauges.app_nodejs_heap_size_used_bytes, 1024 + 4096);
  t.is(s.gauges.app_nodejs_eventloop_lag_seconds, 0.2);
});
