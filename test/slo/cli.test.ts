import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { parse } from 'yaml';
import { MetricsRegistry } from '../../src';
import { DEFAULT_SLOS, sloRulesYaml, sloTests } from '../../src/slo';
import { everyKind } from './every-kind';

// The built CLI, as `npx obsweave` runs it (npm run build first: `npm test` does).
const CLI = resolve(__dirname, '../../dist/cli/obsweave.js');

function run(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As `run`, without blocking this process (which serves the app the CLI reads). */
function runAsync(
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({
        status: err === null ? 0 : ((err as { code?: number }).code ?? null),
        stdout,
        stderr,
      }),
    );
  });
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

test('slo-rules without a config prints the rules of DEFAULT_SLOS, and says which buckets it assumed', (t) => {
  const r = run(['slo-rules']);
  t.is(r.status, 0, r.stderr);
  t.is(r.stdout, sloRulesYaml(DEFAULT_SLOS, { registry: new MetricsRegistry() }));
  t.is(
    r.stderr,
    'obsweave slo-rules: "http.request_latency_ms" is assumed to have the default buckets; --from <metrics URL> checks the app\'s own\n',
  );
});

test('slo-tests writes the promtool tests of the same SLOs, loading --rules', (t) => {
  const d = dir(t);
  const r = run(['slo-tests', '--rules', 'rules.yml', '--out', join(d, 'tests.yml')]);
  t.is(r.status, 0, r.stderr);
  t.is(
    readFileSync(join(d, 'tests.yml'), 'utf8'),
    sloTests(DEFAULT_SLOS, { registry: new MetricsRegistry(), rulesFile: 'rules.yml' }),
  );
  t.regex(run(['slo-tests', '--help']).stdout, /^Usage: obsweave slo-tests/);
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
    ['obsweave-slo-external-calls', 'obsweave-slo-external-calls-period'],
  );
});

const badConfigs: [string, string | undefined, RegExp][] = [
  ['a missing file', undefined, /^obsweave slo-rules: cannot read config .*missing\.json: ENOENT/],
  ['bad JSON', '{"slos": [', /^obsweave slo-rules: config .*slos\.json is not valid JSON/],
  ['no slos', '{"slo": []}', /must be an array of SLOs or an object with "slos"/],
  [
    'an unknown metric',
    '[{"name":"x","objective":0.99,"sli":{"errors":"orders_failed","total":"http.requests_total"}}]',
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
  ...(
    [
      ['a period of 300y', { period: '300y' }],
      ['a period of 1e21 days', { period: '1000000000000000000000d' }],
      ['{{ in labels', { labels: { team: '{{' } }],
      ['{{ in the description', { description: 'a {{ b' }],
      ['{{ in the runbook', { runbookUrl: 'https://x/{{' }],
      [
        'a raw newline in a selector',
        {
          sli: { errors: 'http.requests_total{code_class="5\nxx"}', total: 'http.requests_total' },
        },
      ],
      [
        'a \\q escape',
        { sli: { errors: 'http.requests_total{code_class="\\q"}', total: 'http.requests_total' } },
      ],
      [
        '=~"("',
        { sli: { errors: 'http.requests_total{code_class=~"("}', total: 'http.requests_total' } },
      ],
      ['{{ in a severity label', { severityLabels: { page: { pager: '{{ $labels.x' } } }],
    ] as [string, object][]
  ).map(([what, change]): [string, string, RegExp] => [
    what,
    JSON.stringify([{ ...DEFAULT_SLOS[0], ...change }]),
    /^obsweave slo-rules: SLO "http-availability": /,
  ]),
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
    t.is(r.stderr.trim().split('\n').length, 1, `one line, no stack trace: ${r.stderr}`);
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

test('slo-rules reports every problem, one line each, and writes nothing', (t) => {
  const d = dir(t);
  const config = join(d, 'slos.json');
  writeFileSync(
    config,
    JSON.stringify([
      { ...DEFAULT_SLOS[0], period: '300y', description: '{{' },
      {
        ...DEFAULT_SLOS[2],
        name: 'other',
        sli: { errors: 'external.call_total', total: 'external.calls_total' },
      },
    ]),
  );
  const r = run(['slo-rules', '--config', config, '--out', join(d, 'rules.yml')]);
  t.is(r.status, 1);
  t.deepEqual(r.stderr.trim().split('\n'), [
    'obsweave slo-rules: SLO "http-availability": period must be a duration such as "30d" or "4w", at most 292y, got "300y"',
    'obsweave slo-rules: SLO "http-availability": description: not a template Prometheus reads: "{{" at 0 is never closed by "}}"',
    'obsweave slo-rules: SLO "other": metric "external.call_total" is not in the registry or the catalog (did you mean "external.calls_total"?)',
  ]);
  t.false(existsSync(join(d, 'rules.yml')));
});

/** A running app's metrics endpoint, its latency histogram with buckets 50 ms to 5 s. */
async function app(t: ExecutionContext): Promise<string> {
  const registry = new MetricsRegistry();
  registry
    .histogram('http.request_latency_ms', {
      labelNames: ['method', 'route', 'code_class', 'tenant'],
      buckets: [50, 200, 5000],
    })
    .observe(70, { method: 'GET', route: '/', code_class: '2xx', tenant: 'a' });
  registry.counter('http.requests_total', { labelNames: ['method', 'route', 'code_class'] });
  const server = createServer((_, res) => res.end(registry.toPrometheus()));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.teardown(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

test('slo-rules --from checks the SLIs against the bounds and labels the running app exports', async (t) => {
  const url = await app(t);
  const bad = await runAsync(['slo-rules', '--from', url]);
  t.is(bad.status, 1);
  t.regex(
    bad.stderr,
    /SLO "http-latency": sli.latency.thresholdMs 1000 is not a bucket bound of "http.request_latency_ms" \(bounds in ms: 50, 200, 5000\)/,
  );
  const d = dir(t);
  const config = join(d, 'slos.json');
  writeFileSync(
    config,
    JSON.stringify([
      {
        name: 'lat',
        objective: 0.99,
        sli: {
          latency: { metric: 'http.request_latency_ms', thresholdMs: 200, match: 'tenant="a"' },
        },
      },
      {
        name: 'jobs',
        objective: 0.99,
        sli: {
          errors: 'jobs.status_transition_total{to="failed"}',
          total: 'jobs.status_transition_total',
        },
      },
    ]),
  );
  const ok = await runAsync(['slo-rules', '--config', config, '--from', url]);
  t.is(ok.status, 0, ok.stderr);
  t.regex(ok.stdout, /http_request_latency_seconds_bucket\{tenant="a",le="0\.2"\}/);
  t.regex(
    ok.stderr,
    /"jobs.status_transition_total" is not exported by http:\/\/127.*: its definition comes from the config or the catalog/,
  );
  t.notRegex(ok.stderr, /default buckets/);
  const down = await runAsync(['slo-rules', '--from', 'http://127.0.0.1:1/metrics']);
  t.is(down.status, 1);
  t.regex(down.stderr, /^obsweave slo-rules: cannot read --from http:\/\/127\.0\.0\.1:1\/metrics/);
});

test('--from shows its URL redacted, in every line it writes', async (t) => {
  for (const url of [
    'http://scraper:hunter2@127.0.0.1:1/metrics',
    'http://127.0.0.1:1/metrics?token=s3cr3tvalue123',
  ]) {
    const r = await runAsync(['slo-rules', '--from', url]);
    t.is(r.status, 1);
    t.regex(r.stderr, /^obsweave slo-rules: cannot read --from http:\/\/127\.0\.0\.1:1\/metrics/);
    t.false(r.stderr.includes('hunter2'), r.stderr);
    t.false(r.stderr.includes('s3cr3tvalue123'), r.stderr);
  }
});

test('--scope names the labels alerts are per, for the SLOs that name none', (t) => {
  const r = run(['slo-rules', '--scope', 'namespace, job']);
  t.is(r.status, 0, r.stderr);
  t.regex(r.stdout, /sum by \(namespace, job\) \(rate\(http_requests_total/);
  const none = run(['slo-rules', '--scope', '']);
  t.regex(none.stdout, /\(sum\(rate\(http_requests_total\{code_class="5xx"\}\[5m\]\)\) or/);
  const bad = run(['slo-rules', '--scope', 'le']);
  t.is(bad.status, 1);
  t.regex(bad.stderr, /scope: "le" cannot be a label to group by/);
});
