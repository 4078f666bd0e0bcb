import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { CATALOG } from '../../src';
import { newRegistry } from '../support/registry';
import {
  assertPromtoolClean,
  findTool,
  promtoolCheck,
  REQUIRE_TOOLS_ENV,
  requireTool,
  testWithTools,
} from '../support/tools';

const withPromtool = testWithTools('promtool');

/** Awkward values every exporter must escape: quotes, backslashes, newlines, unicode. */
const AWKWARD = ['plain', 'say "hi"', 'back\\slash', 'two\nlines', 'ünïcødé ✓', '', ' {a=b} '];

withPromtool(
  'the whole catalog, with series in every metric, passes promtool check metrics',
  (t) => {
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
  },
);

withPromtool('an empty registry passes promtool check metrics', (t) => {
  assertPromtoolClean(t, newRegistry().registry.toPrometheus());
});

withPromtool('promtoolCheck() does report a broken exposition', (t) => {
  const r = promtoolCheck('# TYPE x counter\nx{a="b} 1\n', findTool('promtool')!);
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

// In a child ava, since a failing test is what is checked: the fixture declares a test that
// needs a tool no machine has.
const MISSING_TOOL_FIXTURE = join(__dirname, '..', 'fixtures', 'tools', 'missing-tool.ts');

function runMissingToolFixture(env: Record<string, string | undefined>): Promise<ChildResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        join(__dirname, '..', '..', 'node_modules', 'ava', 'entrypoints', 'cli.mjs'),
        '--config',
        'test/fixtures/tools/ava.config.mjs',
        MISSING_TOOL_FIXTURE,
      ],
      {
        cwd: join(__dirname, '..', '..'),
        env: { ...process.env, ...env, CI: '1' },
        timeout: 60_000,
      },
      (err, stdout, stderr) =>
        resolve({
          code: err === null ? 0 : ((err as { code?: number }).code ?? 1),
          out: `${stdout}${stderr}`,
        }),
    );
  });
}

interface ChildResult {
  code: number;
  out: string;
}

test('with OBSWEAVE_REQUIRE_TOOLS=1 a test whose tool is missing fails, naming the tool', async (t) => {
  const r = await runMissingToolFixture({ [REQUIRE_TOOLS_ENV]: '1' });
  t.is(r.code, 1, r.out);
  t.regex(
    r.out,
    /obsweave-no-such-tool is not installed, and OBSWEAVE_REQUIRE_TOOLS=1 requires it/,
  );
  t.regex(r.out, /1 test failed/);
});

test('without OBSWEAVE_REQUIRE_TOOLS a test whose tool is missing is counted as skipped', async (t) => {
  const r = await runMissingToolFixture({ [REQUIRE_TOOLS_ENV]: undefined });
  t.is(r.code, 0, r.out);
  t.regex(r.out, /1 test skipped/);
  t.notRegex(r.out, /failed|known failure/);
});

test.serial('without OBSWEAVE_REQUIRE_TOOLS a missing tool is skipped with a message', (t) => {
  // The message a developer sees on the console, kept here: in this run no tool is missing.
  const printed: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => printed.push(args.join(' '));
  try {
    withEnv(undefined, () => {
      t.is(requireTool(t, 'obsweave-no-such-tool'), undefined);
    });
  } finally {
    console.warn = warn;
  }
  t.is(printed.length, 1);
  t.regex(
    printed[0],
    /SKIPPED: obsweave-no-such-tool is not installed \(set OBSWEAVE_REQUIRE_TOOLS=1/,
  );
});
