import test from 'ava';
import { CATALOG, type MetricsRegistry } from '../../src';
import { newRegistry } from '../support/registry';
import { assertPromtoolClean, testWithTools } from '../support/tools';

/** The catalog with one series in each metric, recorded the same way into any registry. */
function record(registry: MetricsRegistry): void {
  registry.registerCatalog();
  for (const e of CATALOG) {
    const labels = Object.fromEntries(e.labelNames.map((n) => [n, 'v']));
    if (e.type === 'counter') registry.counter(e.name, { labelNames: e.labelNames }).inc(2, labels);
    else if (e.type === 'gauge')
      registry.gauge(e.name, { labelNames: e.labelNames }).set(3, labels);
    else {
      const h = registry.histogram(e.name, { labelNames: e.labelNames });
      for (const v of [0, 0.5, 12, 340, 9000]) h.observe(v, labels);
    }
  }
}

/** The text without the reductions counter, and without export times (which differ run to run). */
function withoutReductions(text: string): string {
  return text
    .split('\n')
    .filter(
      (l) =>
        !l.includes('obsweave_native_reductions') && !/export_latency_seconds_(bucket|sum)/.test(l),
    )
    .join('\n');
}

test('the text formats of a native registry are those of a classic one, plus the reductions counter', (t) => {
  const classic = newRegistry().registry;
  const native = newRegistry({ nativeHistograms: true }).registry;
  record(classic);
  record(native);
  t.is(withoutReductions(native.toPrometheus()), withoutReductions(classic.toPrometheus()));
  t.is(withoutReductions(native.toOpenMetrics()), withoutReductions(classic.toOpenMetrics()));
  t.regex(native.toPrometheus(), /^# TYPE obsweave_native_reductions_total counter$/m);
});

testWithTools('promtool')('a native registry passes promtool check metrics', (t) => {
  const { registry } = newRegistry({ nativeHistograms: true });
  record(registry);
  assertPromtoolClean(t, registry.toPrometheus());
});
