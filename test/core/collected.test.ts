import test from 'ava';
import type { CollectorResult, Snapshot } from '../../src';
import { parseSeriesKey } from '../../src/core/collected';
import { dropped, logsAbout, newRegistry } from '../support/registry';
import { assertPromtoolClean, testWithTools } from '../support/tools';

const queue: CollectorResult = {
  counters: { 'queue.jobs_processed_total|queue=transcribe': 12 },
  gauges: { 'queue.depth|queue=transcribe': 4, 'queue.workers': 2 },
  histograms: {
    'queue.wait_ms|queue=transcribe': {
      count: 3,
      sum: 60,
      buckets: { '10': 1, '100': 3, '+Inf': 3 },
    },
  },
};

test('a sync collector is merged into the same three maps of the snapshot', (t) => {
  const { registry } = newRegistry();
  registry.counter('jobs.created_total').inc(5);
  registry.addCollector(() => queue);
  const snap = registry.snapshot();
  t.false(snap instanceof Promise);
  t.is(snap.counters['jobs.created_total'], 5);
  t.is(snap.counters['queue.jobs_processed_total|queue=transcribe'], 12);
  t.is(snap.gauges['queue.depth|queue=transcribe'], 4);
  t.is(snap.gauges['queue.workers'], 2);
  const h = snap.histograms['queue.wait_ms|queue=transcribe'];
  t.is(h.count, 3);
  t.is(h.sum, 60);
  t.deepEqual(h.buckets, { '10': 1, '100': 3, '+Inf': 3 });
  t.is(h.quantiles!.p50, 10 + 90 * (0.5 / 2));
});

test('collector results appear in the Prometheus and OpenMetrics text', (t) => {
  const { registry } = newRegistry();
  registry.addCollector(() => queue);
  const text = registry.toPrometheus();
  t.regex(text, /^# TYPE queue_jobs_processed_total counter$/m);
  t.regex(text, /^queue_jobs_processed_total\{queue="transcribe"\} 12$/m);
  t.regex(text, /^# TYPE queue_depth gauge$/m);
  t.regex(text, /^queue_depth\{queue="transcribe"\} 4$/m);
  t.regex(text, /^queue_workers 2$/m);
  t.regex(text, /^# TYPE queue_wait_seconds histogram$/m);
  t.regex(text, /^queue_wait_seconds_bucket\{queue="transcribe",le="0\.01"\} 1$/m);
  t.regex(text, /^queue_wait_seconds_bucket\{queue="transcribe",le="0\.1"\} 3$/m);
  t.regex(text, /^queue_wait_seconds_bucket\{queue="transcribe",le="\+Inf"\} 3$/m);
  t.regex(text, /^queue_wait_seconds_sum\{queue="transcribe"\} 0\.06$/m);
  t.regex(text, /^queue_wait_seconds_count\{queue="transcribe"\} 3$/m);
  t.regex(registry.toOpenMetrics(), /^queue_jobs_processed_total\{queue="transcribe"\} 12$/m);
});

test('a collected series joins a registry family of the same name and labels', (t) => {
  const { registry, logs } = newRegistry();
  const c = registry.counter('http.requests_total', {
    labelNames: ['method', 'route', 'code_class'],
  });
  c.inc(1, { method: 'GET', route: '/a', code_class: '2xx' });
  registry.addCollector(() => ({
    counters: { 'http.requests_total|method=GET,route=/b,code_class=2xx': 7 },
  }));
  const text = registry.toPrometheus();
  t.is(text.match(/^# TYPE http_requests_total counter$/gm)?.length, 1, 'one family');
  t.regex(text, /^http_requests_total\{method="GET",route="\/a",code_class="2xx"\} 1$/m);
  t.regex(text, /^http_requests_total\{method="GET",route="\/b",code_class="2xx"\} 7$/m);
  t.deepEqual(logs, []);
  // the registry itself is not written by the merge
  registry.addCollector(() => ({}));
  c.inc(1, { method: 'GET', route: '/a', code_class: '2xx' });
  t.is(registry.snapshot().counters['http.requests_total|method=GET,route=/a,code_class=2xx'], 2);
});

test('collected label values are redacted like recorded ones', (t) => {
  const { registry } = newRegistry();
  registry.addCollector(() => ({
    gauges: { 'queue.depth|source=https://u:p@h.example/q?sig=abc': 1 },
  }));
  const snap = registry.snapshot();
  t.is(snap.gauges['queue.depth|source=https://h.example/q'], 1);
  t.notRegex(registry.toPrometheus(), /sig=|u:p/);
});

test('a collected series contradicting its family is rejected and counted as a conflict', (t) => {
  const { registry, logs } = newRegistry();
  registry.counter('jobs.created_total').inc();
  registry.addCollector(() => ({
    gauges: { 'jobs.created_total': 9 },
    counters: { 'jobs.created_total|extra=x': 3, ok_total: Number.NaN },
  }));
  const snap = registry.snapshot();
  t.is(snap.counters['jobs.created_total'], 1);
  t.false('jobs.created_total' in snap.gauges);
  t.false('jobs.created_total|extra=x' in snap.counters);
  t.false('ok_total' in snap.counters);
  t.true(dropped(registry, 'conflict') >= 3);
  t.true(logsAbout(logs, 'jobs.created_total').length >= 1);
});

test('a throwing collector is skipped, logged once and counted, the others still merged', (t) => {
  const { registry, logs } = newRegistry();
  registry.addCollector(function broken() {
    throw new Error('queue down');
  });
  registry.addCollector(() => ({ gauges: { 'queue.depth': 3 } }));
  let snap: Snapshot | undefined;
  t.notThrows(() => {
    snap = registry.snapshot();
  });
  t.is(snap!.gauges['queue.depth'], 3);
  t.notThrows(() => registry.toPrometheus());
  t.notThrows(() => registry.toOpenMetrics());
  t.is(dropped(registry, 'collector_error'), 4);
  t.is(logsAbout(logs, 'broken').length, 1);
  t.regex(logsAbout(logs, 'broken')[0], /queue down/);
});

test('a collector that returns nothing, or garbage, is ignored', (t) => {
  const { registry } = newRegistry();
  for (const r of [undefined, null, 42, 'x', [], { counters: null }, { counters: 'x' }]) {
    registry.addCollector(() => r as never);
  }
  registry.addCollector(() => ({ histograms: { h_ms: null as never } }));
  registry.addCollector(() => ({
    histograms: { h2_ms: { count: 1, sum: 1, buckets: { abc: 1 } } },
  }));
  t.notThrows(() => registry.snapshot());
  t.notThrows(() => registry.toPrometheus());
});

test('a collector result with hostile getters never throws out of an export', (t) => {
  const { registry } = newRegistry();
  registry.addCollector(() =>
    Object.defineProperty({}, 'counters', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    }),
  );
  registry.addCollector(
    () =>
      ({
        gauges: new Proxy(
          {},
          {
            ownKeys() {
              throw new Error('ownKeys');
            },
          },
        ),
      }) as CollectorResult,
  );
  registry.addCollector(() => ({
    histograms: {
      h_ms: Object.defineProperty({ count: 1, sum: 1 }, 'buckets', {
        get() {
          throw new Error('buckets');
        },
      }) as never,
    },
  }));
  t.notThrows(() => registry.snapshot());
  t.notThrows(() => registry.toPrometheus());
  t.is(
    dropped(registry, 'collector_error'),
    9,
    'three collectors skipped on each of three exports',
  );
});

test('an async collector answering with hostile getters is skipped too', async (t) => {
  const { registry, logs } = newRegistry();
  registry.addCollector(async function hostile() {
    return Object.defineProperty({}, 'gauges', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    });
  });
  registry.addCollector(async () => ({ gauges: { 'fine.g': 1 } }));
  const snap = await registry.snapshotAsync();
  t.is(snap.gauges['fine.g'], 1);
  t.is(logsAbout(logs, 'hostile').length, 1);
});

test('async collectors are merged by the async exports and left out of the synchronous ones', async (t) => {
  const { registry, logs } = newRegistry();
  registry.addCollector(() => ({ gauges: { 'sync.g': 1 } }));
  let calls = 0;
  const remove = registry.addCollector(async function queueDepth() {
    calls++;
    return { gauges: { 'async.g': 2 } };
  });
  const snap = await registry.snapshotAsync();
  t.is(snap.gauges['sync.g'], 1);
  t.is(snap.gauges['async.g'], 2);
  t.regex(await registry.toPrometheusAsync(), /^async_g 2$/m);
  t.regex(await registry.toOpenMetricsAsync(), /^async_g 2\n[^]*# EOF\n$/m);
  t.is(calls, 3);

  // Synchronous exports are plain values, as typed: the async collector is left out, not called
  // again once it has shown itself async, and that is said once.
  const now = registry.snapshot();
  t.is(now.gauges['sync.g'], 1);
  t.false('async.g' in now.gauges);
  t.is(typeof registry.toPrometheus(), 'string');
  t.false(registry.toOpenMetrics().includes('async_g'));
  t.is(calls, 3);
  t.is(logsAbout(logs, 'queueDepth').length, 1);
  t.regex(logsAbout(logs, 'queueDepth')[0], /snapshotAsync\(\)/);

  remove();
  t.false('async.g' in (await registry.snapshotAsync()).gauges);
});

test('a collector first met by a synchronous export is left out of it, its rejection swallowed', async (t) => {
  const { registry, logs } = newRegistry();
  registry.addCollector(async function flakyFirst() {
    throw new Error('not yet');
  });
  t.is(registry.snapshot().counters['obsweave.dropped_total|reason=collector_error'], 0);
  t.is(logsAbout(logs, 'flakyFirst').length, 1);
  await new Promise((resolve) => setImmediate(resolve));
  const snap = await registry.snapshotAsync();
  t.is(snap.counters['obsweave.dropped_total|reason=collector_error'], 1);
});

test('a rejecting async collector is skipped, logged once and counted', async (t) => {
  const { registry, logs } = newRegistry();
  registry.addCollector(async function flaky() {
    throw new Error('redis gone');
  });
  registry.addCollector(() => Promise.resolve({ counters: { ok_total: 1 } }));
  const snap = await registry.snapshotAsync();
  const again = await registry.snapshotAsync();
  t.is(snap.counters['ok_total'], 1);
  t.is(logsAbout(logs, 'flaky').length, 1);
  t.regex(logsAbout(logs, 'flaky')[0], /redis gone/);
  t.is(again.counters['obsweave.dropped_total|reason=collector_error'], 2);
});

test('the function addCollector returns removes the collector', (t) => {
  const { registry } = newRegistry();
  const remove = registry.addCollector(() => ({ gauges: { 'x.g': 1 } }));
  t.is(registry.snapshot().gauges['x.g'], 1);
  remove();
  remove();
  t.false('x.g' in registry.snapshot().gauges);
});

test('addCollector rejects what is not a function', (t) => {
  const { registry } = newRegistry();
  t.throws(() => registry.addCollector(42 as never), { message: /addCollector takes a function/ });
});

test('parseSeriesKey() splits name and labels, keeping commas inside values', (t) => {
  t.deepEqual(parseSeriesKey('jobs.created_total'), { name: 'jobs.created_total', labels: [] });
  t.deepEqual(parseSeriesKey('a|x=1,y=2'), {
    name: 'a',
    labels: [
      ['x', '1'],
      ['y', '2'],
    ],
  });
  t.deepEqual(parseSeriesKey('a|x=1,2,y=b=c'), {
    name: 'a',
    labels: [
      ['x', '1,2'],
      ['y', 'b=c'],
    ],
  });
  t.deepEqual(parseSeriesKey('a|x='), { name: 'a', labels: [['x', '']] });
});

testWithTools('promtool')(
  'collected families with invalid or clashing names are rejected, so the text stays valid',
  (t) => {
    const { registry } = newRegistry();
    registry.counter('jobs.done_total').inc();
    registry.addCollector(() => ({
      counters: { jobs_done_total: 2, 'x|bad-label=1': 1, '9lives': 1, fine_total: 4 },
      gauges: { 'x y': 1 },
      histograms: { 'h|le=1': { count: 0, sum: 0, buckets: { '1': 0, '+Inf': 0 } } },
    }));
    const text = registry.toPrometheus();
    t.is(text.match(/^# TYPE jobs_done_total counter$/gm)?.length, 1);
    t.regex(text, /^jobs_done_total 1$/m);
    t.regex(text, /^fine_total 4$/m);
    t.notRegex(text, /bad-label|9lives|x y|^h_bucket/m);
    t.is(dropped(registry, 'conflict'), 2 * 5);
    assertPromtoolClean(t, registry.toPrometheus());
  },
);
