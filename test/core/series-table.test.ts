import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OVERFLOW_VALUE } from '../../src';
import { dropped, logsAbout, newRegistry } from '../support/registry';
import { TS_REGISTER, uncoveredEnv } from '../support/typescript';

const run = promisify(execFile);

// Cardinality: folding into __overflow__

test('past maxSeriesPerMetric, new label sets fold into one __overflow__ series, totals preserved', (t) => {
  const { registry, logs } = newRegistry({ maxSeriesPerMetric: 3 });
  const c = registry.counter('c_total', { labelNames: ['a', 'b'] });
  for (let i = 0; i < 10; i++) c.inc(i + 1, { a: `v${i}`, b: 'x' });
  c.inc(100, { a: 'v0', b: 'x' }); // an existing set keeps its own series
  const counters = Object.entries(registry.snapshot().counters).filter(([k]) =>
    k.startsWith('c_total'),
  );
  t.deepEqual(counters, [
    ['c_total|a=v0,b=x', 101],
    ['c_total|a=v1,b=x', 2],
    ['c_total|a=v2,b=x', 3],
    [`c_total|a=${OVERFLOW_VALUE},b=${OVERFLOW_VALUE}`, 4 + 5 + 6 + 7 + 8 + 9 + 10],
  ]);
  t.is(
    counters.reduce((sum, [, v]) => sum + v, 0),
    55 + 100,
  );
  t.is(dropped(registry, 'overflow'), 7, 'every folded call is counted');
  t.is(logsAbout(logs, 'c_total').length, 1, 'logged once');
  t.regex(logs[0], /more than 3 label sets/);
});

test('overflow folds gauges and histograms too, per metric', (t) => {
  const { registry } = newRegistry({ maxSeriesPerMetric: 1 });
  const g = registry.gauge('g', { labelNames: ['k'] });
  const h = registry.histogram('h_ms', { labelNames: ['k'], buckets: [10] });
  g.set(1, { k: 'a' });
  g.set(2, { k: 'b' });
  g.inc(3, { k: 'c' });
  h.observe(1, { k: 'a' });
  h.observe(20, { k: 'b' });
  h.bind({ k: 'c' }).observe(5);
  const snap = registry.snapshot();
  t.is(snap.gauges['g|k=a'], 1);
  t.is(snap.gauges['g|k=__overflow__'], 5);
  t.is(snap.histograms['h_ms|k=__overflow__'].count, 2);
  t.deepEqual(snap.histograms['h_ms|k=__overflow__'].buckets, { '10': 1, '+Inf': 2 });
  t.is(dropped(registry, 'overflow'), 4);
});

test('a bound child made past the limit records into __overflow__', (t) => {
  const { registry } = newRegistry({ maxSeriesPerMetric: 1 });
  const c = registry.counter('c_total', { labelNames: ['k'] });
  c.inc(1, { k: 'a' });
  const child = c.bind({ k: 'b' });
  child.inc();
  child.inc();
  t.is(registry.snapshot().counters['c_total|k=__overflow__'], 2);
});

test('a label bomb keeps the internal table bounded', (t) => {
  const { registry } = newRegistry({ maxSeriesPerMetric: 50 });
  const c = registry.counter('c_total', { labelNames: ['user', 'token'] });
  for (let i = 0; i < 20000; i++) c.inc(1, { user: `u${i}`, token: `t?x=${i}` });
  // Count every entry of every Map the table holds, whatever its layout: the canonical trie,
  // aliases of raw values. Remembering the bomb would put about 40000 leaves here.
  const table = (c as unknown as { table: Record<string, unknown> }).table;
  let leaves = 0;
  const walk = (m: Map<unknown, unknown>) => {
    for (const v of m.values()) {
      if (v instanceof Map) walk(v);
      else leaves++;
    }
  };
  for (const v of Object.values(table)) if (v instanceof Map) walk(v);
  t.true(leaves > 0);
  t.true(leaves <= 2 * 51, `${leaves} leaves`);
  t.is(
    Object.keys(registry.snapshot().counters).filter((k) => k.startsWith('c_total|')).length,
    51,
  );
  t.is(registry.snapshot().counters['c_total|user=__overflow__,token=__overflow__'], 20000 - 50);
});

test('a label bomb of 10^6 distinct values does not grow the heap (child process)', async (t) => {
  const script = join(__dirname, '..', 'support', 'label-bomb.ts');
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', '-r', TS_REGISTER, script, '1000000'],
    { cwd: join(__dirname, '..', '..'), env: uncoveredEnv(), maxBuffer: 1 << 20 },
  );
  const r = JSON.parse(stdout) as Record<string, number>;
  t.log(`heap growth after 10^6 distinct values: ${(r.growth / 1048576).toFixed(1)} MB`);
  // 10^6 values of ~110 characters would take well over 100 MB if they were remembered
  t.true(r.growth < 16 * 1048576, `heap grew by ${r.growth} bytes`);
  t.is(r.series, 2001);
  t.is(r.total, 1000001);
  t.is(r.overflow, 1000000 - 1999);
  t.is(r.dropped, r.overflow);
});

// Redaction and the 128-character cut, once per series

test('label values are redacted before they are stored', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('external.calls_total', { labelNames: ['service', 'op', 'outcome'] });
  c.inc(1, {
    service: 'https://user:pw@bucket.s3.amazonaws.com/a.mp4?X-Amz-Signature=deadbeef',
    op: 'Bearer abcdefghijklmnop',
    outcome: 'success',
  });
  const text = registry.toPrometheus();
  t.regex(
    text,
    /^external_calls_total\{service="https:\/\/bucket\.s3\.amazonaws\.com\/a\.mp4",op="\[redacted\]",outcome="success"\} 1$/m,
  );
  t.notRegex(text, /user:pw|deadbeef|abcdefghijklmnop/);
});

test('two raw label sets that redact to the same values share one series', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('http.requests_total', { labelNames: ['method', 'route'] });
  c.inc(1, { method: 'GET', route: '/api/jobs?token=one' });
  c.inc(1, { method: 'GET', route: '/api/jobs?token=two' });
  c.inc(1, { method: 'GET', route: '/api/jobs#frag' });
  c.inc(1, { method: 'GET', route: '/api/jobs' });
  c.bind({ method: 'GET', route: '/api/jobs?page=3' }).inc();
  // again, now that the raw sets are known
  c.inc(1, { method: 'GET', route: '/api/jobs?token=one' });
  const keys = Object.keys(registry.snapshot().counters).filter((k) => k.startsWith('http.'));
  t.deepEqual(keys, ['http.requests_total|method=GET,route=/api/jobs']);
  t.is(registry.snapshot().counters[keys[0]], 6);
  const lines = registry.toPrometheus().split('\n');
  t.is(lines.filter((l) => l.startsWith('http_requests_total{')).length, 1);
});

test('a number and its string share one series', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('c_total', { labelNames: ['code'] });
  c.inc(1, { code: 500 });
  c.inc(1, { code: '500' });
  c.inc(1, { code: 500 });
  t.is(registry.snapshot().counters['c_total|code=500'], 3);
});

test('label values are cut to 128 characters, and values equal once cut share a series', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('c_total', { labelNames: ['stage'] });
  const long = 'stage_'.repeat(50);
  c.inc(1, { stage: long });
  c.inc(1, { stage: `${long}more` });
  c.inc(1, { stage: long.slice(0, 128) });
  const counters = registry.snapshot().counters;
  t.is(counters[`c_total|stage=${long.slice(0, 128)}`], 3);
  t.is(long.slice(0, 128).length, 128);
});

test('the 128-character cut applies after redaction', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('c_total', { labelNames: ['url'] });
  const path = `/files/${'p'.repeat(115)}`; // 122 characters
  c.inc(1, { url: `${path}?sig=${'x'.repeat(200)}` });
  t.is(registry.snapshot().counters[`c_total|url=${path}`], 1);
});

test('an overflowing metric still redacts: no raw value reaches the output', (t) => {
  const { registry } = newRegistry({ maxSeriesPerMetric: 1 });
  const c = registry.counter('c_total', { labelNames: ['url'] });
  c.inc(1, { url: '/a?token=secret1' });
  c.inc(1, { url: '/b?token=secret2' });
  c.inc(1, { url: '/a?token=secret3' });
  const text = registry.toPrometheus();
  t.notRegex(text, /secret/);
  t.regex(text, /^c_total\{url="\/a"\} 2$/m);
  t.regex(text, /^c_total\{url="__overflow__"\} 1$/m);
});
