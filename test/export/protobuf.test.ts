import test from 'ava';
import { MetricsController } from '../../src';
import { nativeBound } from '../../src/core/native-index';
import { toProtobuf } from '../../src/export/protobuf';
import { setTraceRefSource } from '../../src/core/exemplars';
import {
  delimited,
  labels,
  msgs,
  num,
  packedSint,
  str,
  zigzag,
  type Fields,
} from '../support/protobuf-decode';
import { newRegistry } from '../support/registry';

function families(body: Buffer): Map<string, Fields> {
  return new Map(delimited(body).map((f) => [str(f, 1)!, f]));
}

/** Native buckets back from spans and deltas: `{ key: count }`. */
function nativeBuckets(h: Fields, spanField: number, deltaField: number): Record<string, number> {
  const deltas = packedSint(h, deltaField);
  const out: Record<string, number> = {};
  let key = 0;
  let count = 0;
  let d = 0;
  for (const span of msgs(h, spanField)) {
    key += zigzag(BigInt(num(span, 1) ?? 0) as bigint);
    for (let i = 0; i < (num(span, 2) ?? 0); i++) {
      count += deltas[d++];
      if (count !== 0) out[String(key)] = count;
      key++;
    }
  }
  return out;
}

test('every family is a delimited MetricFamily: names, units and types as in the text formats', (t) => {
  const { registry } = newRegistry({ defaultLabels: { service: 'api' } });
  registry.counter('jobs.created_total', { help: 'Jobs' }).inc(3);
  registry.gauge('proc.memory_rss_mb', { labelNames: ['kind'] }).set(2, { kind: 'ä €' });
  registry.histogram('op_ms', { buckets: [10, 100] }).observe(50);
  const fams = families(toProtobuf(registryFamilies(registry), registry.defaultLabels));
  const c = fams.get('jobs_created_total')!;
  t.is(str(c, 2), 'Jobs');
  t.is(num(c, 3), 0);
  const cm = msgs(c, 4)[0];
  t.deepEqual(labels(cm), { service: 'api' });
  t.is(num(msgs(cm, 3)[0], 1), 3);
  const created = msgs(msgs(cm, 3)[0], 3)[0];
  t.true(Math.abs(num(created, 1)! - Date.now() / 1000) < 600, 'a counter’s created timestamp');

  const g = fams.get('proc_memory_rss_bytes')!;
  t.is(num(g, 3), 1);
  const gm = msgs(g, 4)[0];
  t.deepEqual(labels(gm), { kind: 'ä €', service: 'api' });
  t.is(num(msgs(gm, 2)[0], 1), 2 * 1048576);

  const h = fams.get('op_seconds')!;
  t.is(num(h, 3), 4);
  const hm = msgs(msgs(h, 4)[0], 7)[0];
  t.is(num(hm, 1), 1);
  t.is(num(hm, 2), 0.05);
  t.deepEqual(
    msgs(hm, 3).map((b) => [num(b, 2), num(b, 1)]),
    [
      [0.01, 0],
      [0.1, 1],
    ],
  );
  t.is(hm.get(5), undefined, 'a classic histogram has no schema');
  t.true(num(msgs(hm, 15)[0], 1)! > 1.7e9, 'created timestamp in seconds');
});

test('native buckets round-trip through spans and deltas, gaps of two filled, wider ones split', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('lat', { native: { schema: 0 }, buckets: false });
  // schema 0 keys: 1 → 0, 2 → 1, 16 → 4 (gap 2: filled), 1024 → 10 (gap 5: new span), -3 → 2
  for (const v of [1, 1, 2, 16, 1024, -3, 0]) h.observe(v);
  const fams = families(toProtobuf(registryFamilies(registry)));
  const hm = msgs(msgs(fams.get('lat')!, 4)[0], 7)[0];
  t.is(zigzag(BigInt(num(hm, 5)!)), 0);
  t.is(num(hm, 6), 2 ** -128);
  t.is(num(hm, 7), 1);
  t.is(msgs(hm, 3).length, 0, 'no classic buckets');
  t.deepEqual(nativeBuckets(hm, 12, 13), { '0': 2, '1': 1, '4': 1, '10': 1 });
  t.is(msgs(hm, 12).length, 2);
  t.deepEqual(nativeBuckets(hm, 9, 10), { '2': 1 });
  t.is(num(hm, 1), 7);
});

test('an empty native histogram is still marked native', (t) => {
  const { registry } = newRegistry();
  registry.histogram('empty', { native: { zeroThreshold: 0 } });
  const hm = msgs(msgs(families(toProtobuf(registryFamilies(registry))).get('empty')!, 4)[0], 7)[0];
  t.is(msgs(hm, 12).length, 1);
  t.is(num(msgs(hm, 12)[0], 2), 0);
});

test('native buckets of a _ms histogram are over seconds', (t) => {
  const { registry } = newRegistry();
  registry.histogram('op_ms', { native: true }).observe(250);
  const hm = msgs(
    msgs(families(toProtobuf(registryFamilies(registry))).get('op_seconds')!, 4)[0],
    7,
  )[0];
  const [key] = Object.keys(nativeBuckets(hm, 12, 13)).map(Number);
  t.true(nativeBound(key - 1, 3) < 0.25 && 0.25 <= nativeBound(key, 3));
});

test('exemplars ride on the classic buckets with trace and span ids, in base units', (t) => {
  setTraceRefSource(() => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }));
  t.teardown(() => setTraceRefSource(undefined));
  const { registry } = newRegistry();
  registry.histogram('op_ms', { native: true, buckets: [100] }).observe(42);
  const hm = msgs(
    msgs(families(toProtobuf(registryFamilies(registry))).get('op_seconds')!, 4)[0],
    7,
  )[0];
  const e = msgs(msgs(hm, 3)[0], 3)[0];
  t.deepEqual(labels(e), { trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16) });
  t.is(num(e, 2), 0.042);
});

test('the controller answers Prometheus’ protobuf Accept header and ?format=protobuf', async (t) => {
  const { registry } = newRegistry();
  registry.counter('c_total').inc();
  const controller = new MetricsController(registry);
  const accept =
    'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,' +
    'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';
  for (const req of [
    { url: '/metrics', headers: { accept } },
    { url: '/metrics?format=protobuf' },
  ]) {
    const res = await controller.handle(req);
    t.is(res.status, 200);
    t.is(
      res.headers['content-type'],
      'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited',
    );
    t.true(families(res.body as Buffer).has('c_total'));
  }
  // Another protobuf message, or not delimited, is not what this endpoint writes.
  const other = await controller.handle({
    url: '/metrics',
    headers: { accept: 'application/vnd.google.protobuf;proto=foo.Bar;encoding=delimited' },
  });
  t.regex(other.headers['content-type'], /json/);
});

function registryFamilies(registry: ReturnType<typeof newRegistry>['registry']) {
  return registry.exportWith(
    'test',
    (f) => f,
  ) as readonly import('../../src/core/family-view').FamilyView[];
}

test('long and non-ASCII values, and messages past 128 bytes, decode to what was recorded', (t) => {
  const { registry } = newRegistry();
  const g = registry.gauge('g', { labelNames: ['v'] });
  const values = ['x'.repeat(127), 'y'.repeat(128), 'é'.repeat(100), '€'.repeat(50), ''];
  values.forEach((v, i) => g.set(i + 0.5, { v }));
  for (let i = 0; i < 200; i++) g.set(i, { v: `s${i}` });
  const fam = families(toProtobuf(registryFamilies(registry))).get('g')!;
  const got = new Map(msgs(fam, 4).map((m) => [labels(m).v, num(msgs(m, 2)[0], 1)]));
  t.is(got.size, 205);
  values.forEach((v, i) => t.is(got.get(v), i + 0.5, v.slice(0, 10)));
  t.is(got.get('s199'), 199);
});
