import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bucketIndex } from '../../src/core/buckets';
import { scaled } from '../../src/core/native-bounds';
import {
  COUNTED,
  SPLIT_PAIR,
  TOLD,
  classicOf,
  nativeLookup,
  pairClassic,
  pairKey,
} from '../../src/core/native-classic';
import { cellEnds, nativeKey } from '../../src/core/native-index';
import { nextDown, nextUp } from '../support/doubles';
import { newRegistry } from '../support/registry';
import { TS_REGISTER, uncoveredEnv } from '../support/typescript';

/** Every bound, the doubles either side of it, and values spread over the whole range. */
function probes(bounds: readonly number[]): number[] {
  const out: number[] = [];
  for (const b of bounds) out.push(nextDown(b), b, nextUp(b));
  let a = 17;
  for (let i = 0; i < 4000; i++) {
    a = (a * 48271) % 2147483647;
    out.push(bounds[bounds.length - 1] * 4 * (a / 2147483647) ** 4);
  }
  out.push(0, 1e-300, 1e300, -1, -bounds[0]);
  return out;
}

for (const [name, buckets] of [
  ['latency_ms', [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000, 600000]],
  ['size_mb', [0.001, 0.5, 1, 3, 7.25, 64, 1024]],
  ['load_pct', [0.1, 1, 33.3, 50, 99.9, 100]],
  ['plain', [0.005, 0.01, 0.1, 1 / 3, 1, Math.SQRT2, 2, 10]],
] as const) {
  test(`the classic bucket found from the native key is the search's at every schema: ${name}`, (t) => {
    for (let schema = -4; schema <= 8; schema++) {
      const { registry } = newRegistry();
      const h = registry.histogram(name, { native: { schema }, buckets: [...buckets] });
      const counts = new Array<number>(buckets.length + 1).fill(0);
      for (const v of probes(buckets)) {
        h.observe(v);
        counts[bucketIndex(buckets, v)]++;
      }
      const got = registry.snapshot().histograms[name].buckets;
      let cum = 0;
      const want: Record<string, number> = {};
      buckets.forEach((b, i) => (want[String(b)] = cum += counts[i]));
      want['+Inf'] = cum + counts[buckets.length];
      t.deepEqual(got, want, `schema ${schema}`);
    }
  });
}

test('after the resolution is halved the classic buckets stay right', (t) => {
  const { registry } = newRegistry();
  const buckets = [1, 2, 5, 10, 25, 50, 100];
  const h = registry.histogram('halved_ms', { native: { schema: 8, maxBuckets: 20 }, buckets });
  const counts = new Array<number>(buckets.length + 1).fill(0);
  for (const v of probes(buckets)) {
    h.observe(v);
    counts[bucketIndex(buckets, v)]++;
  }
  const s = registry.snapshot().histograms['halved_ms'];
  t.true(s.native!.schema < 8);
  t.is(
    s.buckets['+Inf'],
    counts.reduce((a, b) => a + b, 0),
  );
  let cum = 0;
  buckets.forEach((b, i) => t.is(s.buckets[String(b)], (cum += counts[i]), `bound ${b}`));
});

test('classic buckets stay right through repeated halvings, on both sides of zero', (t) => {
  const buckets = [0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000];
  for (let schema = 8; schema >= 0; schema--) {
    const { registry } = newRegistry();
    const h = registry.histogram('wide_ms', { native: { schema, maxBuckets: 6 }, buckets });
    const counts = new Array<number>(buckets.length + 1).fill(0);
    let a = schema + 5;
    for (let i = 0; i < 3000; i++) {
      a = (a * 48271) % 2147483647;
      const r = a / 2147483647;
      // Mostly values a few classic buckets wide, then ever wider: the series halves in steps,
      // with counts already kept on either side of every bound.
      const v = i % 97 === 0 ? -r : i % 89 === 0 ? 0 : 2 ** (r * (4 + i / 200)) * 0.4;
      h.observe(v);
      counts[bucketIndex(buckets, v)]++;
    }
    const s = registry.snapshot().histograms['wide_ms'];
    t.true(s.native!.schema < schema || schema === 0, `schema ${schema} halved`);
    let cum = 0;
    const want: Record<string, number> = {};
    buckets.forEach((b, i) => (want[String(b)] = cum += counts[i]));
    want['+Inf'] = cum + counts[buckets.length];
    t.deepEqual(s.buckets, want, `from schema ${schema}`);
  }
});

test('classic buckets read after a reset show the counts since, as many as before it', (t) => {
  const { registry } = newRegistry();
  const h = registry.histogram('again_ms', { native: true, buckets: [10, 100] });
  for (let i = 0; i < 3; i++) h.observe(5);
  t.deepEqual(registry.snapshot().histograms['again_ms'].buckets, {
    '10': 3,
    '100': 3,
    '+Inf': 3,
  });
  registry.reset();
  for (let i = 0; i < 3; i++) h.observe(50);
  t.deepEqual(registry.snapshot().histograms['again_ms'].buckets, {
    '10': 0,
    '100': 3,
    '+Inf': 3,
  });
});

test('each direct cell holds the key and the classic bucket of every value in it, as the search finds them', (t) => {
  const bounds = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 10000, 600000];
  const seen = { told: 0, counted: 0, search: 0, split: 0 };
  for (const [mul, div] of [
    [1, 1000],
    [1048576, 1],
    [3, 7],
  ]) {
    for (let schema = 1; schema <= 8; schema++) {
      const lookup = nativeLookup(bounds, schema, mul, div);
      t.true(lookup.direct.length > 0, `schema ${schema}, ${mul}/${div}`);
      let wrong = 0;
      for (let c = 0; c < lookup.direct.length; c++) {
        const p = lookup.direct[c];
        const [first, last] = cellEnds(lookup.directShift, lookup.directBase, c);
        const key = (v: number) => nativeKey(scaled(v, mul, div), schema);
        if (p === SPLIT_PAIR) {
          seen.split++;
          if (key(first) === key(last)) wrong++;
          continue;
        }
        const low = pairClassic(p);
        for (const v of [first, last]) {
          const i = bucketIndex(bounds, v);
          if (key(v) !== pairKey(p)) wrong++;
          else if (low >= COUNTED) {
            seen.counted++;
            if (i !== low - COUNTED || classicOf(lookup, pairKey(p)) !== -1) wrong++;
          } else if (low >= TOLD) {
            seen.told++;
            if (i !== low - TOLD || classicOf(lookup, pairKey(p)) !== i) wrong++;
          } else {
            seen.search++;
            if (bucketIndex(bounds, first) === bucketIndex(bounds, last)) wrong++;
          }
        }
      }
      t.is(wrong, 0, `schema ${schema}, ${mul}/${div}`);
    }
  }
  t.true(
    Object.values(seen).every((n) => n > 0),
    JSON.stringify(seen),
  );
});

test('keys too far from 0 for a cell to hold leave a lookup without cells: every value takes the search', (t) => {
  const bounds = [1, 2, 5];
  t.true(nativeLookup(bounds, 8, 1, 1).direct.length > 0);
  t.is(nativeLookup(bounds, 8, 2 ** 120, 1).direct.length, 0);
});

test('the lookups of histograms that are gone are let go with them (child process)', async (t) => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      '--expose-gc',
      '-r',
      TS_REGISTER,
      join(__dirname, '..', 'support', 'native-lookups-heap.ts'),
      '100',
    ],
    { cwd: join(__dirname, '..', '..'), env: uncoveredEnv() },
  );
  const { growth } = JSON.parse(stdout) as { growth: number };
  t.log(
    `heap growth after 100 histograms with bucket lists of their own, all gone: ${(growth / 1048576).toFixed(1)} MB`,
  );
  // 100 lookups kept would take about 9.6 MB
  t.true(growth < 3 * 1048576, `heap grew by ${growth} bytes`);
});
