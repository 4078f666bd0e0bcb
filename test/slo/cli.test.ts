import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parse } from 'yaml';
import { MetricsRegistry } from '../../src';
import { DEFAULT_SLOS, sloRulesYaml } from '../../src/slo';
import { everyKind } from './every-kind';

// The built CLI, as `npx obsweave` runs it (npm run build first: `npm test` does).
const CLI = resolve(__dirname, '../../dist/cli/obsweave.js');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function dir(t: ExecutionContext): string {
  const d = mkdtempSync(join(tmpdir(), 'obsweave-cli-'));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('the bin entry is the built CLI, and it starts with a node shebang', (t) => {
  const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8'));
  t.is(pkg.bin.obsweave, 'dist/cli/obsweave.js');
  t.regex(readFileSync(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  t.truthy(pkg.dependencies.yaml, 'yaml is a runtime dependency');
});

test('slo-rules without a config prints the rules of DEFAULT_SLOS', (t) => {
  const r = run(['slo-rules']);
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout, sloRulesYaml(DEFAULT_SLOS, { registry: new MetricsRegistry() }));
});

test('slo-rules --config --out writes the rules of the config, metrics declared in it included', (t) => {
  const d = dir(t);
  const { slos } = everyKind();
  const config = {
    slos,
    metrics: [
      { name: 'orders.placed_total', type: 'counter', labelNames: ['region'] },
      { name: 'orders.failed_total', type: 'counter', labelNames: ['region', 'reason'] },
      {
        name: 'search.duration_seconds',
        type: 'histogram',
        labelNames: ['index'],
        buckets: [0.05, 0.1, 0.25, 1],
      },
    ],
  };
  writeFileSync(join(d, 'slos.json'), JSON.stringify(config));
  const r = run([
    'slo-rules',
    '--config',
    join(d, 'slos.json'),
    '--out',
    join(d, 'rules.yml'),
    '--window-scale',
    '0.5',
  ]);
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout, '');
  const { registry } = everyKind();
  t.is(
    readFileSync(join(d, 'rules.yml'), 'utf8'),
    sloRulesYaml(slos, { registry, windowScale: 0.5 }),
  );
});

test('a config that is a plain array of SLOs works too', (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'slos.json'), JSON.stringify([DEFAULT_SLOS[2]]));
  const r = run(['slo-rules', '-c', join(d, 'slos.json')]);
  t.is(r.status, 0, r.stderr);
  t.deepEqual(
    parse(r.stdout).groups.map((g: { name: string }) => g.name),
    ['obsweave-slo-external-calls'],
  );
});

const badConfigs: [string, string | undefined, RegExp][] = [
  ['a missing file', undefined, /^obsweave slo-rules: cannot read config .*missing\.json: ENOENT/],
  ['bad JSON', '{"slos": [', /^obsweave slo-rules: config .*slos\.json is not valid JSON/],
  ['no slos', '{"slo": []}', /must be an array of SLOs or an object with "slos"/],
  [
    'an unknown metric',
    '[{"name":"x","objective":0.99,"sli":{"errors":"orders_failed","total":"orders_total"}}]',
    /^obsweave slo-rules: SLO "x": metric "orders_failed" is not in the registry or the catalog\n$/,
  ],
  [
    'a threshold that is not a bucket bound',
    '[{"name":"x","objective":0.99,"sli":{"latency":{"metric":"http.request_latency_ms","thresholdMs":750}}}]',
    /thresholdMs 750 is not a bucket bound/,
  ],
  [
    'an objective outside (0, 1)',
    '[{"name":"x","objective":99.9,"sli":{"errors":"http.requests_total","total":"http.requests_total"}}]',
    /objective must be a number between 0 and 1/,
  ],
  [
    'a metric without a type',
    '{"slos":[],"metrics":[{"name":"a_total"}]}',
    /metric "a_total" needs a type/,
  ],
];

for (const [what, content, message] of badConfigs) {
  test(`slo-rules with ${what} prints one clear error, exits 1 and writes nothing`, (t) => {
    const d = dir(t);
    const config = join(d, content === undefined ? 'missing.json' : 'slos.json');
    if (content !== undefined) writeFileSync(config, content);
    const out = join(d, 'rules.yml');
    const r = run(['slo-rules', '--config', config, '--out', out]);
    t.is(r.status, 1);
    t.regex(r.stderr, message);
    t.is(r.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
    t.is(r.stdout, '');
    t.false(existsSync(out), 'no rule file');
  });
}

test('a bad window scale or flag is an error; an existing rule file survives a failed run', (t) => {
  const d = dir(t);
  const out = join(d, 'rules.yml');
  writeFileSync(out, 'groups: []\n');
  const r = run(['slo-rules', '--out', out, '--window-scale', 'fast']);
  t.is(r.status, 1);
  t.regex(r.stderr, /^obsweave slo-rules: --window-scale must be a number, got "fast"\n$/);
  t.is(readFileSync(out, 'utf8'), 'groups: []\n');
  t.regex(
    run(['slo-rules', '--window-scale', '2']).stderr,
    /windowScale must be a number in \(0, 1\], got 2/,
  );
  const flag = run(['slo-rules', '--confg', 'x.json']);
  t.is(flag.status, 2);
  t.regex(flag.stderr, /Unknown option '--confg'[\s\S]*Usage: obsweave slo-rules/);
  t.is(run(['nope']).status, 2);
  t.regex(run(['slo-rules', '--help']).stdout, /^Usage: obsweave slo-rules/);
});
