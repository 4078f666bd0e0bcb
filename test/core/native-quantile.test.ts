import test from 'ava';
import { MetricsRegistry, type NativeHistogramSnapshot } from '../../src';

/** The dashboard's window math (a plain ES module, as the browser gets it). */
interface NativeWindowModule {
  nativeDelta(cur: NativeHistogramSnapshot, base: undefined, scale?: number): unknown;
  nativeQuantile(q: number, d: unknown): number | null;
}
const nw = require('../../src/ui/assets/native-window.js') as NativeWindowModule;

test('JSON quantiles as Prometheus 3: exponential inside a bucket, counted from the top past the median', (t) => {
  const registry = new MetricsRegistry();
  const h = registry.histogram('worked', { native: { schema: 0 }, buckets: false });
  h.observe(1.5); // (1, 2]
  for (let i = 0; i < 3; i++) h.observe(3); // (2, 4]
  const q = registry.snapshot().histograms['worked'].quantiles!;
  // p50: rank 4 × 0.5 = 2 from the top, in (2, 4] holding 3: 1/3 of the way up on a log scale.
  t.true(Math.abs(q.p50 - 2 ** (4 / 3)) < 1e-12, `${q.p50}`);
  t.true(Math.abs(q.p90 - 2 ** (1 + 2.6 / 3)) < 1e-12, `${q.p90}`);
  t.true(Math.abs(q.p99 - 2 ** (1 + 2.96 / 3)) < 1e-12, `${q.p99}`);
});

test('JSON quantiles agree with the dashboard on negatives, the zero bucket and units', (t) => {
  const registry = new MetricsRegistry();
  const cases = {
    mixed_ms: [-40, -3, -3, 0, 0, 0, 2, 5, 5, 9, 120, 121, 4000],
    tail_ms: [...Array.from({ length: 200 }, (_, i) => 10 + i * 0.7), 5000],
    zeros: [0, 0, 0, 0, 1, 1, 2],
    negative: [-8, -4, -2, -1, 0],
    plain: [0.001, 0.25, 0.5, 0.75, 1, 1.5, 2.25, 7],
  };
  for (const [name, values] of Object.entries(cases)) {
    const h = registry.histogram(name, { native: { schema: 2 }, buckets: false });
    for (const v of values) h.observe(v);
  }
  const snap = registry.snapshot().histograms;
  for (const name of Object.keys(cases)) {
    const s = snap[name];
    const scale = name.endsWith('_ms') ? 1000 : 1;
    const d = nw.nativeDelta(s.native!, undefined, scale);
    for (const [p, q] of [
      ['p50', 0.5],
      ['p90', 0.9],
      ['p99', 0.99],
    ] as const) {
      const page = nw.nativeQuantile(q, d)!;
      const json = s.quantiles![p];
      t.true(
        Math.abs(page - json) <= 1e-9 * Math.max(1, Math.abs(json)),
        `${name} ${p}: ${json} vs ${page}`,
      );
    }
  }
});
