import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getHeapSpaceStatistics } from 'node:v8';
import * as prom from 'prom-client';
import { MetricsRegistry } from '../../src/core/metrics-registry';
import { ResourceSampler } from '../../src/runtime/resource-sampler';
import { assertPromtoolClean, testWithTools } from '../support/tools';
import { dropped } from '../support/registry';
import { TS_REGISTER } from '../support/typescript';

const ROOT = join(__dirname, '..', '..');

/**
 * The documented differences from prom-client 15's `collectDefaultMetrics()` (README, "Process
 * metrics"). Anything else that differs in name, type, help or label names fails the test.
 */
const ONLY_IN_PROM_CLIENT: Record<string, string> = {
  nodejs_active_handles_total:
    'a gauge named *_total, which promtool rejects; sum without (type) (nodejs_active_handles)',
  nodejs_active_requests_total:
    'a gauge named *_total, which promtool rejects; sum without (type) (nodejs_active_requests)',
  nodejs_active_resources_total:
    'a gauge named *_total, which promtool rejects; sum without (type) (nodejs_active_resources)',
};
const ONLY_IN_OBSWEAVE: Record<string, string> = {
  nodejs_eventloop_utilization_ratio:
    'event-loop utilisation (SPEC section 10), not in prom-client',
};

interface Family {
  type: string;
  help: string;
  /** Label names seen on samples, `le` left out. */
  labels: Set<string>;
}

/** `# HELP`/`# TYPE` lines and the label names of each family's samples. */
function parseText(text: string): Map<string, Family> {
  const out = new Map<string, Family>();
  const family = (name: string) => {
    let f = out.get(name);
    if (f === undefined) out.set(name, (f = { type: '', help: '', labels: new Set() }));
    return f;
  };
  const names = () => [...out.keys()].sort((a, b) => b.length - a.length);
  for (const line of text.split('\n')) {
    let m: RegExpMatchArray | null;
    if ((m = /^# HELP (\S+) (.*)$/.exec(line))) family(m[1]).help = m[2];
    else if ((m = /^# TYPE (\S+) (\S+)$/.exec(line))) family(m[1]).type = m[2];
    else if ((m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line))) {
      const owner = names().find((n) => m![1] === n || m![1].startsWith(`${n}_`));
      if (owner === undefined || m[2] === undefined) continue;
      for (const [, k] of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g))
        if (k !== 'le') family(owner).labels.add(k);
    }
  }
  return out;
}

const isProcessFamily = (name: string) => /^(process|nodejs)_/.test(name);

async function bothOutputs() {
  const promRegistry = new prom.Registry();
  prom.collectDefaultMetrics({ register: promRegistry });
  const registry = new MetricsRegistry();
  const sampler = new ResourceSampler({ registry });
  await sampler.sampleOnce();
  return {
    promRegistry,
    registry,
    theirs: await promRegistry.metrics(),
    ours: registry.toPrometheus(),
  };
}

test("the process families are prom-client 15's, in name, type, help and labels, but for the documented differences", async (t) => {
  const { promRegistry, registry, theirs, ours } = await bothOutputs();
  const p = parseText(theirs);
  const o = new Map([...parseText(ours)].filter(([n]) => isProcessFamily(n)));

  const onlyTheirs = [...p.keys()].filter((n) => !o.has(n)).sort();
  const onlyOurs = [...o.keys()].filter((n) => !p.has(n)).sort();
  t.deepEqual(
    onlyTheirs,
    Object.keys(ONLY_IN_PROM_CLIENT)
      .filter((n) => p.has(n))
      .sort(),
  );
  t.deepEqual(onlyOurs, Object.keys(ONLY_IN_OBSWEAVE).sort());

  for (const [name, theirsF] of p) {
    const oursF = o.get(name);
    if (oursF === undefined) continue;
    t.is(oursF.type, theirsF.type, `${name} type`);
    t.is(oursF.help, theirsF.help, `${name} help`);
    const single = promRegistry.getSingleMetric(name) as
      { labelNames?: readonly string[] } | undefined;
    const declared = [...(single?.labelNames ?? [])];
    // Every label a sample carries is one prom-client declares…
    for (const l of oursF.labels) t.true(declared.includes(l), `${name}: label ${l}`);
    // …and the family is defined with exactly those: defining it again with them reuses it.
    const again =
      theirsF.type === 'counter'
        ? registry.counter(name, { labelNames: declared })
        : theirsF.type === 'gauge'
          ? registry.gauge(name, { labelNames: declared })
          : registry.histogram(name, { labelNames: declared });
    t.is(again.name, name);
    t.is(dropped(registry, 'conflict'), 0, `${name} labels [${declared.join(', ')}]`);
  }
  t.true(o.size >= 25, `${o.size} families`);
});

test('JSON names are the Prometheus names: the registry renames none of the process families', async (t) => {
  const { ours } = await bothOutputs();
  const registry = new MetricsRegistry();
  await new ResourceSampler({ registry }).sampleOnce();
  const snap = registry.snapshot();
  const json = new Set(
    [...Object.keys(snap.counters), ...Object.keys(snap.gauges), ...Object.keys(snap.histograms)]
      .map((k) => k.split('|')[0])
      .filter(isProcessFamily),
  );
  const text = new Set([...parseText(ours).keys()].filter(isProcessFamily));
  for (const name of json) t.true(text.has(name), name);
  t.true(json.has('process_cpu_seconds_total'));
  t.true(json.has('nodejs_heap_size_used_bytes'));
  const om = registry.toOpenMetrics();
  t.regex(om, /^# TYPE process_cpu_seconds counter\n# UNIT process_cpu_seconds seconds\n/m);
  t.regex(om, /^process_cpu_seconds_total \d/m);
});

test('CPU counters are the OS figures, exactly: microseconds / 1e6, monotonic, total = user + system', async (t) => {
  const registry = new MetricsRegistry();
  const sampler = new ResourceSampler({ registry });
  let last = { user: 0, system: 0, total: 0 };
  for (let i = 0; i < 5; i++) {
    const before = process.cpuUsage();
    await sampler.sampleOnce();
    const after = process.cpuUsage();
    // Burn a little CPU so the next sample differs.
    let x = 0;
    for (let k = 0; k < 2e5; k++) x += Math.sqrt(k);
    t.true(x > 0);
    const c = registry.snapshot().counters;
    const user = c['process_cpu_user_seconds_total'];
    const system = c['process_cpu_system_seconds_total'];
    const total = c['process_cpu_seconds_total'];
    const us = Math.round(user * 1e6);
    const sys = Math.round(system * 1e6);
    t.is(user, us / 1e6);
    t.is(system, sys / 1e6);
    t.is(total, (us + sys) / 1e6);
    t.true(us >= before.user && us <= after.user, `${us} in [${before.user}, ${after.user}]`);
    t.true(sys >= before.system && sys <= after.system);
    t.true(user >= last.user && system >= last.system && total >= last.total);
    last = { user, system, total };
    t.true(registry.toPrometheus().includes(`\nprocess_cpu_seconds_total ${String(total)}\n`));
  }
});

test('heap spaces, version and start time follow this Node line', async (t) => {
  const registry = new MetricsRegistry();
  await new ResourceSampler({ registry }).sampleOnce();
  const g = registry.snapshot().gauges;
  for (const s of getHeapSpaceStatistics()) {
    const space = s.space_name.replace(/_space$/, '');
    t.true(`nodejs_heap_space_size_total_bytes|space=${space}` in g, space);
    t.true(`nodejs_heap_space_size_available_bytes|space=${space}` in g, space);
  }
  const [major, minor, patch] = process.version.slice(1).split('.');
  t.is(
    g[
      `nodejs_version_info|version=${process.version},major=${major},minor=${minor},patch=${patch}`
    ],
    1,
  );
  const start = g['process_start_time_seconds'];
  t.true(Math.abs(start - (Date.now() / 1000 - process.uptime())) <= 1, String(start));
  if (process.platform === 'linux') {
    t.true(g['process_resident_memory_bytes'] > g['nodejs_heap_size_used_bytes']);
    t.true(g['process_virtual_memory_bytes'] >= g['process_resident_memory_bytes']);
    t.true(g['process_max_fds'] >= g['process_open_fds']);
  }
  t.true(
    g['nodejs_eventloop_utilization_ratio'] >= 0 && g['nodejs_eventloop_utilization_ratio'] <= 1,
  );
});

test('processMetrics: false keeps only the catalog gauges; prefix prepends to every process family', async (t) => {
  const off = new MetricsRegistry();
  await new ResourceSampler({ registry: off, processMetrics: false }).sampleOnce();
  t.deepEqual([...parseText(off.toPrometheus()).keys()].filter(isProcessFamily), []);
  t.true(off.snapshot().gauges['proc.memory_rss_mb'] > 0);

  const prefixed = new MetricsRegistry();
  await new ResourceSampler({ registry: prefixed, prefix: 'app_' }).sampleOnce();
  const names = [...parseText(prefixed.toPrometheus()).keys()];
  t.true(names.includes('app_process_cpu_seconds_total'));
  t.true(names.includes('app_nodejs_gc_duration_seconds'));
  t.deepEqual(names.filter(isProcessFamily), []);
});

testWithTools('promtool')(
  'promtool check metrics reports nothing for the whole output, process families included',
  async (t) => {
    const registry = new MetricsRegistry();
    registry.registerCatalog();
    const sampler = new ResourceSampler({ registry, scratchDir: ROOT, intervalMs: 3_600_000 });
    sampler.start();
    t.teardown(() => sampler.stop());
    // Enough garbage for a collection, so the GC histogram has series.
    let keep: unknown[] = [];
    for (let i = 0; i < 200; i++) keep = [new Array(10_000).fill(i)];
    t.true(keep.length > 0);
    await sampler.sampleOnce();
    const text = registry.toPrometheus();
    t.regex(text, /^process_cpu_seconds_total /m);
    t.regex(text, /^nodejs_heap_space_size_used_bytes\{space="old"\} /m);
    assertPromtoolClean(t, text);
  },
);

test('GC durations: a forced collection in a child started with --expose-gc lands in nodejs_gc_duration_seconds{kind}', async (t) => {
  const code = [
    "const { MetricsRegistry } = require('./src');",
    "const { ResourceSampler } = require('./src/runtime/resource-sampler');",
    'const registry = new MetricsRegistry();',
    'const sampler = new ResourceSampler({ registry, intervalMs: 3600000 }).start();',
    'global.gc(); global.gc();',
    // The observer reports entries asynchronously: wait for them, with a deadline.
    "const key = 'nodejs_gc_duration_seconds|kind=major';",
    'const deadline = Date.now() + 30000;',
    '(function poll() {',
    '  const h = registry.snapshot().histograms[key];',
    '  if ((h && h.count >= 2) || Date.now() > deadline) {',
    '    sampler.stop();',
    '    console.log(JSON.stringify(registry.snapshot().histograms));',
    '  } else setImmediate(poll);',
    '})();',
  ].join('\n');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '-r', TS_REGISTER, '-e', code],
    { cwd: ROOT, timeout: 60_000 },
  );
  const h = JSON.parse(stdout)['nodejs_gc_duration_seconds|kind=major'];
  t.truthy(h, stdout);
  t.true(h.count >= 2);
  t.true(h.sum > 0);
  // prom-client's buckets, in seconds (integer-like keys come first in a JS object).
  t.deepEqual(
    Object.keys(h.buckets).sort(),
    ['0.001', '0.01', '0.1', '1', '2', '5', '+Inf'].sort(),
  );
});
