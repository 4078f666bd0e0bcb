import test from 'ava';
import type { MessagePort } from 'node:worker_threads';
import { dropped, fakeWorker, primary, worker, type Primary } from './helpers';

/** A worker that answers every scrape with the same families, given as wire families. */
function answering(t: Parameters<typeof fakeWorker>[0], p: Primary, name: string, f: unknown[]) {
  return fakeWorker(t, p, name, (id: number, port: MessagePort) =>
    port.postMessage({ obsweave: 'metrics', id, f }),
  );
}

const counter = (n: string, x: number, l: string[] = [], v: string[] = []) => ({
  n,
  h: 'h',
  t: 'counter',
  l,
  v,
  x: [x],
});

test("a family that contradicts the others' is left out for that worker alone", async (t) => {
  const p = primary(t);
  p.own.counter('shared_total', { labelNames: ['op'] }).inc(1, { op: 'get' });
  const a = await worker(t, p, 'a');
  a.counter('shared_total', { labelNames: ['op'] }).inc(2, { op: 'get' });
  a.counter('other_total').inc(5);
  await answering(t, p, 'gauge', [{ ...counter('shared_total', 7), t: 'gauge' }]);
  await answering(t, p, 'labels', [counter('shared_total', 9, ['route'], ['/'])]);
  await answering(t, p, 'fine', [counter('other_total', 1)]);
  const s = await p.cluster.snapshot();
  t.is(s.counters['shared_total|op=get'], 3, "the primary's and the healthy worker's");
  t.false('shared_total' in s.gauges);
  t.false('shared_total|route=/' in s.counters);
  t.is(s.counters.other_total, 6, 'the contradicting workers are left out of this family alone');
  t.is(dropped(s, 'worker_error'), 2);
  t.is(dropped(s, 'conflict'), 0);
  t.true(p.logs.some((l) => l.startsWith('shared_total from worker gauge: is a gauge')));
});

test('a worker whose buckets contradict the merged ones loses that series alone', async (t) => {
  const p = primary(t);
  const a = await worker(t, p, 'a');
  const b = await worker(t, p, 'b');
  a.histogram('h.size_ms', { buckets: [1, 10] }).observe(5);
  b.histogram('h.size_ms', { buckets: [1, 100] }).observe(5);
  const s = await p.cluster.snapshot();
  t.deepEqual(s.histograms['h.size_ms'].buckets, { '1': 0, '10': 1, '+Inf': 1 });
  t.is(dropped(s, 'worker_error'), 1);
  t.is(dropped(s, 'conflict'), 0);
});

test("obsweave.* names are the primary's: a worker's are not merged", async (t) => {
  const p = primary(t);
  p.own.drop('invalid_value', 'x', 'one');
  await answering(t, p, 'evil', [
    { ...counter('obsweave.dropped_total', 5), t: 'gauge' },
    counter('obsweave.dropped_total', 1e9, ['reason'], ['worker_timeout']),
    counter('obsweave.made_up_total', 1),
    counter('obsweave_made_up_too_total', 1),
  ]);
  const s = await p.cluster.snapshot();
  t.is(dropped(s, 'invalid_value'), 1, "the primary's own drops are kept");
  t.is(dropped(s, 'worker_timeout'), 0);
  t.false('obsweave.dropped_total' in s.gauges);
  t.false('obsweave.made_up_total' in s.counters);
  t.false('obsweave_made_up_too_total' in s.counters);
});

test("a worker's label values are redacted and cut like local ones", async (t) => {
  const p = primary(t);
  const url = 'https://admin:hunter2@db.internal/x?token=abc';
  await answering(t, p, 'leaky', [
    counter('leak_total', 1, ['url'], [url]),
    counter('long_total', 1, ['v'], ['v'.repeat(500)]),
  ]);
  const s = await p.cluster.snapshot();
  const local = p.own.counter('reference_total', { labelNames: ['url', 'v'] });
  local.inc(1, { url, v: 'v'.repeat(500) });
  const ref = p.own.snapshot().counters;
  const [refKey] = Object.keys(ref).filter((k) => k.startsWith('reference_total|'));
  const [urlValue, longValue] = refKey
    .slice('reference_total|'.length)
    .split(',')
    .map((kv) => kv.slice(kv.indexOf('=') + 1));
  t.is(s.counters[`leak_total|url=${urlValue}`], 1);
  t.is(s.counters[`long_total|v=${longValue}`], 1);
  t.is(longValue.length, 128);
  const text = await p.cluster.toPrometheus();
  t.false(text.includes('hunter2'));
  t.false(text.includes('token=abc'));
});

test('maxSeriesPerMetric applies per worker: the rest fold into __overflow__, totals kept', async (t) => {
  const p = primary(t, { maxSeriesPerMetric: 3 });
  const a = await worker(t, p, 'a');
  const c = a.counter('calls_total', { labelNames: ['id'] });
  for (let i = 0; i < 3; i++) c.inc(1, { id: `a${i}` });
  const N = 10;
  await answering(t, p, 'many', [
    {
      n: 'calls_total',
      h: 'h',
      t: 'counter',
      l: ['id'],
      v: Array.from({ length: N }, (_, i) => `m${i}`),
      x: Array.from({ length: N }, () => 2),
    },
  ]);
  const s = await p.cluster.snapshot();
  const calls = Object.entries(s.counters).filter(([k]) => k.startsWith('calls_total|'));
  t.is(calls.length, 3 + 3 + 1, "a's three, three of the other's, and its overflow");
  t.is(s.counters['calls_total|id=__overflow__'], (N - 3) * 2);
  t.is(
    calls.reduce((n, [, v]) => n + v, 0),
    3 + N * 2,
  );
  t.is(dropped(s, 'overflow'), 1);
});

test('a worker sending a million series makes a merge and a scrape of bounded size', async (t) => {
  const p = primary(t, { timeoutMs: 60_000 });
  const N = 1_000_000;
  const v = Array.from({ length: N }, (_, i) => `s${i}`);
  const x = new Array<number>(N).fill(1);
  await answering(t, p, 'flood', [{ n: 'flood_total', h: 'h', t: 'counter', l: ['id'], v, x }]);
  const text = await p.cluster.toPrometheus();
  const lines = text.split('\n').filter((l) => l.startsWith('flood_total{'));
  t.is(lines.length, 2000 + 1, 'maxSeriesPerMetric (2000 by default), then __overflow__');
  t.true(text.length < 200_000, `${text.length} characters`);
  t.regex(text, new RegExp(`^flood_total\\{id="__overflow__"\\} ${N - 2000}$`, 'm'));
});

test("a worker's error message is redacted before it is cut", async (t) => {
  const p = primary(t);
  const key = 'AKIAIOSFODNN7EXAMPLE';
  const error = `Error: ${'x'.repeat(180)} ${key}`;
  await fakeWorker(t, p, 'failing', (id, port) =>
    port.postMessage({ obsweave: 'metrics', id, error }),
  );
  const s = await p.cluster.snapshot();
  t.is(dropped(s, 'worker_error'), 1);
  const log = p.logs.find((l) => l.startsWith('worker failing:'));
  t.truthy(log);
  t.false(log!.includes('AKIAIOSF'), log);
});

test("a worker's exemplar ids are checked as local ones: trace ids a tracer writes, a correlation id a header could carry", async (t) => {
  const p = primary(t);
  const histogram = (n: string, trace: string, id: string) => ({
    n,
    h: 'h',
    t: 'histogram',
    l: [],
    v: [],
    b: [1],
    c: [1, 0],
    s: [0.5],
    k: [1],
    e: [0, 0, trace, 'b7ad6b7169203331', 0.5, 1, id],
  });
  const trace = '0af7651916cd43dd8448eb211c80319c';
  await answering(t, p, 'secret', [
    histogram('a_ms', trace, 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig'),
  ]);
  await answering(t, p, 'markup', [histogram('b_ms', 'x"} 1 # {a="', '')]);
  await answering(t, p, 'fine', [histogram('c_ms', trace, 'req-42')]);
  t.is(dropped(await p.cluster.snapshot(), 'worker_error'), 2, 'one for each bad worker');
  const text = await p.cluster.toOpenMetrics();
  t.false(text.includes('eyJhbGciOiJIUzI1NiJ9'), 'no credential reaches an exemplar');
  t.false(text.includes('x"}'), 'no trace id but one a tracer could write reaches an exemplar');
  t.regex(
    text,
    /^c_seconds_bucket\{le="0\.001"\} 1 # \{trace_id="0af7651916cd43dd8448eb211c80319c",span_id="b7ad6b7169203331",correlation_id="req-42"\}/m,
  );
});
