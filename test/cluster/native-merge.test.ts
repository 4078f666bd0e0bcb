import test from 'ava';
import type { FamilyView } from '../../src/core/family-view';
import { mergeWithPrimary } from '../../src/cluster/merge';
import { decode } from '../../src/cluster/decode';
import { encode } from '../../src/cluster/wire';
import { toJson } from '../../src/export/json';
import { newRegistry } from '../support/registry';
import type { MetricsRegistry } from '../../src';

function families(r: MetricsRegistry): FamilyView[] {
  return r.exportWith('test', (f) => [...f]) as FamilyView[];
}

function registryAt(schema: number, values: number[]): MetricsRegistry {
  const { registry } = newRegistry();
  const h = registry.histogram('op_ms', { native: { schema }, buckets: [100] });
  for (const v of values) h.observe(v);
  return registry;
}

function merged(primary: MetricsRegistry, workers: MetricsRegistry[], drops: string[] = []) {
  const sources = workers.map((w, i) => {
    const fams = decode({ obsweave: 'metrics', id: 1, f: encode(families(w)) });
    if (typeof fams === 'string') throw new Error(fams);
    return { worker: String(i + 1), families: fams };
  });
  const out = mergeWithPrimary(families(primary), sources, {
    aggregation: () => 'sum',
    maxSeriesPerMetric: 100,
    drop: (reason, subject, why) => drops.push(`${reason} ${subject}: ${why}`),
  });
  return toJson(out).histograms['op_ms'];
}

const A = [1, 3, 7, 12, 40, 41, 250];
const B = [2, 5, 9, 90, 300, 1000, -4];

test('native series merge to the coarser schema, as if every value had been observed there', (t) => {
  const got = merged(registryAt(3, A), [registryAt(2, B)]);
  const want = toJson(families(registryAt(2, [...A, ...B]))).histograms['op_ms'];
  t.is(got.native?.schema, 2);
  t.deepEqual(got.native, want.native);
  t.is(got.count, A.length + B.length);
  t.deepEqual(got.quantiles, want.quantiles);
});

test('a worker without native buckets leaves the merged series classic', (t) => {
  const { registry: classic } = newRegistry();
  const h = classic.histogram('op_ms', { buckets: [100] });
  h.observe(5);
  const got = merged(registryAt(3, A), [classic]);
  t.is(got.native, undefined);
  t.is(got.count, A.length + 1);
});

test('a native-only histogram (buckets: false) crosses the wire', (t) => {
  const make = (values: number[]) => {
    const { registry } = newRegistry();
    const h = registry.histogram('op_ms', { native: true, buckets: false });
    for (const v of values) h.observe(v);
    return registry;
  };
  const got = merged(make(A), [make(B)]);
  t.is(got.count, A.length + B.length);
  t.deepEqual(got.native, toJson(families(make([...A, ...B]))).histograms['op_ms'].native);
});

test('garbage native buckets from a worker refuse its answer', (t) => {
  const fams = encode(families(registryAt(3, A)));
  const h = fams.find((f) => f.n === 'op_ms') as { z?: unknown[] };
  for (const bad of [
    { s: 9, t: 0, z: 0, p: 0, pc: [], n: 0, nc: [] },
    { s: 3, t: -1, z: 0, p: 0, pc: [], n: 0, nc: [] },
    { s: 3, t: 0, z: 0, p: 0.5, pc: [], n: 0, nc: [] },
    { s: 3, t: 0, z: 0, p: 0, pc: [NaN], n: 0, nc: [] },
    { s: 3, t: 0, z: 0, p: 0, pc: new Array(5000).fill(1), n: 0, nc: [] },
  ]) {
    h.z = [bad];
    t.regex(String(decode({ obsweave: 'metrics', id: 1, f: fams })), /^answered garbage/);
  }
});
