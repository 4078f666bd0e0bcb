import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_BUCKETS_MS } from '../../src';
import { dropped, newRegistry } from '../support/registry';

test('observations land in cumulative buckets keyed by upper bound, with count and sum', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('h_ms', { buckets: [1, 5, 10] });
  for (const v of [0, 1, 1.0001, 5, 7, 10, 11, 1e9, -2]) h.observe(v);
  t.deepEqual(registry.snapshot().histograms['h_ms'].buckets, {
    '1': 3, // -2, 0 and 1: bounds are inclusive
    '5': 5,
    '10': 7,
    '+Inf': 9,
  });
  const s = registry.snapshot().histograms['h_ms'];
  t.is(s.count, 9);
  t.is(s.sum, 0 + 1 + 1.0001 + 5 + 7 + 10 + 11 + 1e9 - 2);
});

test('a histogram without buckets uses DEFAULT_BUCKETS_MS', (t) => {
  const { registry } = newRegistry();
  registry.histogram('worker.stage_latency_ms').observe(3);
  const buckets = registry.snapshot().histograms['worker.stage_latency_ms'].buckets;
  t.deepEqual(
    Object.keys(buckets)
      .filter((b) => b !== '+Inf')
      .map(Number),
    [...DEFAULT_BUCKETS_MS],
  );
  t.is(buckets['2'], 0);
  t.is(buckets['5'], 1);
  t.is(buckets['+Inf'], 1);
});

test('Infinity as the last bucket is accepted and implied', (t) => {
  const { registry } = newRegistry();
  registry.histogram('h_ms', { buckets: [1, 2, Infinity] }).observe(3);
  t.deepEqual(registry.snapshot().histograms['h_ms'].buckets, { '1': 0, '2': 0, '+Inf': 1 });
});

for (const [buckets, why] of [
  [[], /non-empty array/],
  ['1,2' as never, /non-empty array/],
  [[2, 1], /strictly increasing/],
  [[1, 1], /strictly increasing/],
  [[1, NaN], /not a finite number/],
  [[-Infinity, 1], /not a finite number/],
  [[1, '2' as never], /not a finite number/],
  [[Infinity], /a finite bound besides \+Inf/],
] as const) {
  const shown = Array.isArray(buckets) ? `[${buckets.map(String).join(', ')}]` : String(buckets);
  test(`buckets ${shown} throw at definition: ${why.source}`, (t) => {
    const { registry } = newRegistry();
    const e = t.throws(() =>
      registry.histogram('h_ms', { buckets: buckets as unknown as number[] }),
    );
    t.regex(e!.message, why);
    t.regex(e!.message, /^obsweave: histogram "h_ms"/);
  });
}

test('the aggregated buckets of a labelled histogram stay per series', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('http.request_latency_ms', {
    labelNames: ['route'],
    buckets: [10, 100],
  });
  h.observe(5, { route: '/a' });
  h.observe(50, { route: '/a' });
  h.observe(500, { route: '/b' });
  const hs = registry.snapshot().histograms;
  t.deepEqual(hs['http.request_latency_ms|route=/a'].buckets, { '10': 1, '100': 2, '+Inf': 2 });
  t.deepEqual(hs['http.request_latency_ms|route=/b'].buckets, { '10': 0, '100': 0, '+Inf': 1 });
});

test('bind() returns a child with observe and startTimer on one series', async (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('external.call_latency_ms', {
    labelNames: ['service', 'op'],
    buckets: [1, 1000000],
  });
  const child = h.bind({ service: 'asr', op: 'transcribe' });
  child.observe(0.5);
  const stop = child.startTimer();
  await sleep(5);
  const ms = stop();
  t.true(ms > 0);
  const s = registry.snapshot().histograms['external.call_latency_ms|service=asr,op=transcribe'];
  t.is(s.count, 2);
  t.is(s.sum, 0.5 + ms);
});

test('startTimer(labels) returns a function that records and returns the elapsed ms', async (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('worker.stage_latency_ms', { labelNames: ['stage'] });
  const stop = h.startTimer({ stage: 'probe' });
  await sleep(5);
  const ms = stop();
  t.is(typeof ms, 'number');
  t.true(ms > 0);
  const s = registry.snapshot().histograms['worker.stage_latency_ms|stage=probe'];
  t.is(s.count, 1);
  t.is(s.sum, ms);
});

test('startTimer() on an unlabelled histogram', (t) => {
  const { registry } = newRegistry();
  const stop = registry.histogram('jobs.total_latency_ms').startTimer();
  const ms = stop();
  t.true(ms >= 0);
  t.is(registry.snapshot().histograms['jobs.total_latency_ms'].count, 1);
});

for (const bad of [NaN, Infinity, -Infinity, '3', undefined, null, {}, [], Symbol('s'), 1n]) {
  test(`observe(${String(bad)}) is dropped and counted, the histogram unchanged`, (t) => {
    const { registry } = newRegistry();
    const h = registry.histogram('h_ms', { buckets: [1] });
    const child = h.bind();
    t.notThrows(() => h.observe(bad as number));
    t.notThrows(() => child.observe(bad as number));
    const s = registry.snapshot().histograms['h_ms'];
    t.is(s.count, 0);
    t.is(s.sum, 0);
    t.is(dropped(registry, 'invalid_value'), 2);
  });
}

test('negative observations are valid and fall into the first bucket', (t) => {
  const { registry } = newRegistry();
  registry.histogram('temp.delta', { buckets: [-10, 0, 10] }).observe(-20);
  registry.histogram('temp.delta', { buckets: [-10, 0, 10] }).observe(-5);
  t.deepEqual(registry.snapshot().histograms['temp.delta'].buckets, {
    '-10': 1,
    '0': 2,
    '10': 2,
    '+Inf': 2,
  });
});
