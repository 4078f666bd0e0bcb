import test from 'ava';
import { CATALOG } from '../../src';
import { newRegistry } from '../support/registry';
import {
  assertPromtoolClean,
  promtoolCheck,
  REQUIRE_TOOLS_ENV,
  requireTool,
} from '../support/tools';

/** Awkward values every exporter must escape: quotes, backslashes, newlines, unicode. */
const AWKWARD = ['plain', 'say "hi"', 'back\\slash', 'two\nlines', 'ünïcødé ✓', '', ' {a=b} '];

test('the whole catalog, with series in every metric, passes promtool check metrics', (t) => {
  const { registry } = newRegistry();
  registry.registerCatalog();
  for (const e of CATALOG) {
    AWKWARD.forEach((awkward, i) => {
      const labels = Object.fromEntries(
        e.labelNames.map((n, j) => [n, j === 0 ? awkward : `v${i}`]),
      );
      if (e.type === 'counter')
        registry.counter(e.name, { labelNames: e.labelNames }).inc(i + 1, labels);
      else if (e.type === 'gauge')
        registry.gauge(e.name, { labelNames: e.labelNames }).set(i * 1.5, labels);
      else registry.histogram(e.name, { labelNames: e.labelNames }).observe(i * 37.5, labels);
    });
  }
  registry.counter('c_total').inc(NaN); // self-observation has something to show
  registry.snapshot(); // and export latency too
  registry.addCollector(() => ({
    counters: { 'queue.jobs_total|queue=a"b': 3 },
    gauges: { 'queue.depth_pct|queue=x\\y': 50 },
    histograms: {
      'queue.wait_ms': { count: 2, sum: 30, buckets: { '10': 1, '100': 2, '+Inf': 2 } },
    },
  }));
  const text = registry.toPrometheus();
  // every catalog metric has samples
  t.is(text.match(/^# TYPE /gm)?.length, CATALOG.length + 2 + 1 + 3); // own two, c_total, collected three
  assertPromtoolClean(t, text);
});

test('an empty registry passes promtool check metrics', (t) => {
  assertPromtoolClean(t, newRegistry().registry.toPrometheus());
});

test('promtoolCheck() does report a broken exposition', (t) => {
  if (requireTool(t, 'promtool') === undefined) return;
  const r = promtoolCheck('# TYPE x counter\nx{a="b} 1\n');
  t.not(`${r.stdout}${r.stderr}`, '');
  t.not(r.status, 0);
});

// The tool check itself: a missing tool fails under OBSWEAVE_REQUIRE_TOOLS=1, else skips.
function withEnv(value: string | undefined, fn: () => void): void {
  const before = process.env[REQUIRE_TOOLS_ENV];
  if (value === undefined) delete process.env[REQUIRE_TOOLS_ENV];
  else process.env[REQUIRE_TOOLS_ENV] = value;
  try {
    fn();
  } finally {
    if (before === undefined) delete process.env[REQUIRE_TOOLS_ENV];
    else process.env[REQUIRE_TOOLS_ENV] = before;
  }
}

test.serial.failing('with OBSWEAVE_REQUIRE_TOOLS=1 a missing tool fails the test', (t) => {
  withEnv('1', () => {
    t.is(requireTool(t, 'obsweave-no-such-tool'), undefined);
  });
});

test.serial('without OBSWEAVE_REQUIRE_TOOLS a missing tool is skipped with a message', (t) => {
  withEnv(undefined, () => {
    t.is(requireTool(t, 'obsweave-no-such-tool'), undefined);
  });
});
