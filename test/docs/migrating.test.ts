import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireTool, testWithTools } from '../support/tools';
import { has, ROOT, sample, testPage } from './snippets';

// Every obsweave snippet of docs/migrating.md, compiled as CommonJS and run against the built
// package (see ./snippets.ts), and its recording rules run through `promtool test rules`.

testPage('docs/migrating.md', {
  'express-basic': {
    check(t, out) {
      has(
        t,
        out,
        'http_requests_total',
        { method: 'GET', route: '/jobs/:id', code_class: '2xx' },
        '1',
      );
      has(t, out, 'http_requests_total', { route: '__unmatched__', code_class: '4xx' }, '1');
      t.false(out.includes('no/such'), 'never the raw path');
      t.false(out.includes('route="/metrics"'), 'the scrape is not counted');
    },
  },
  'express-options': {
    check(t, out) {
      has(t, out, 'http_requests_total', { route: '/jobs/:id', tenant: 'acme' }, '1');
      t.false(out.includes('healthz'), 'bypassed');
      has(t, out, 'http_request_latency_seconds_bucket', { route: '/jobs/:id', le: '0.25' });
      t.falsy(
        sample(out, 'http_request_latency_seconds_bucket', { le: '0.001' }),
        'the given buckets only',
      );
    },
  },
  'express-latency-labels': {
    check(t, out) {
      has(
        t,
        out,
        'http_request_latency_seconds_count',
        { route: '/jobs/:id', method: 'GET', code_class: '2xx' },
        '1',
      );
      has(
        t,
        out,
        'http_requests_total',
        { method: 'GET', route: '/jobs/:id', code_class: '2xx' },
        '1',
      );
    },
  },
  'prom-client-metrics': {
    check(t, out) {
      t.regex(out, /^# HELP uploads_created_total Uploads created$/m);
      has(t, out, 'uploads_created_total', { kind: 'video' }, '1');
      has(t, out, 'jobs_queued', {}, '3');
      has(t, out, 'jobs_size_bytes_bucket', { le: '1000000' }, '1');
      has(t, out, 'jobs_size_bytes_bucket', { le: '1000' }, '0');
    },
  },
  'prom-client-defaults': {
    check(t, out) {
      const labels = { service: 'api', version: '1.2.3' };
      for (const name of [
        'process_cpu_user_seconds_total',
        'process_resident_memory_bytes',
        'process_start_time_seconds',
        'nodejs_heap_size_used_bytes',
      ]) {
        has(t, out, name, labels);
      }
      // Its own `version` label (Node's) wins over the default one, as in prom-client.
      has(t, out, 'nodejs_version_info', { service: 'api', version: process.version });
    },
  },
  'prom-client-set-default-labels': {
    check(t, out) {
      has(t, out, 'uploads_created_total', { service: 'api', version: '1.2.3' }, '1');
    },
  },
  'nestjs-prometheus': {
    check(t, out) {
      t.regex(out, /^# HELP uploads_created_total Uploads created$/m);
      has(t, out, 'uploads_created_total', { kind: 'video' }, '1');
      has(
        t,
        out,
        'http_requests_total',
        { method: 'POST', route: '/jobs/:kind', code_class: '2xx' },
        '1',
      );
      t.regex(out, /^process_cpu_seconds_total \d/m, 'the process metrics, on by default');
    },
  },
  'nestjs-otel': {
    check(t, out) {
      has(t, out, 'jobs_reads_total', { outcome: 'success' }, '1');
      has(
        t,
        out,
        'http_requests_total',
        { method: 'GET', route: '/jobs/:id', code_class: '2xx' },
        '1',
      );
      t.regex(out, /^proc_memory_rss\w* \d/m, 'the sampler’s figures');
      t.regex(out, /^nodejs_heap_size_used_bytes \d/m);
    },
  },
});

const run = promisify(execFile);

/** The page's ```yaml block after `<!-- test: name -->`. */
function yamlBlock(name: string): string {
  const page = readFileSync(join(ROOT, 'docs', 'migrating.md'), 'utf8');
  const m = new RegExp(`<!-- test: ${name} -->\\s*\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(page);
  if (m === null) throw new Error(`docs/migrating.md: no yaml block ${name}`);
  return m[1];
}

// The series obsweave writes, one minute apart, and what the page promises the rules make of
// them: express-prom-bundle's names and labels, with the code class in `status_code`.
const RULE_TEST = `
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'http_request_latency_seconds_bucket{route="/jobs/:id",method="GET",code_class="2xx",le="0.1"}'
        values: '0+3x5'
      - series: 'http_request_latency_seconds_bucket{route="/jobs/:id",method="GET",code_class="2xx",le="+Inf"}'
        values: '0+4x5'
      - series: 'http_request_latency_seconds_sum{route="/jobs/:id",method="GET",code_class="2xx"}'
        values: '0+0.5x5'
      - series: 'http_request_latency_seconds_count{route="/jobs/:id",method="GET",code_class="2xx"}'
        values: '0+4x5'
      - series: 'http_request_latency_seconds_count{route="/jobs",method="POST",code_class="5xx"}'
        values: '0+1x5'
      - series: 'nodejs_active_handles{type="Socket"}'
        values: '3x5'
      - series: 'nodejs_active_handles{type="Timeout"}'
        values: '2x5'
    promql_expr_test:
      - expr: http_request_duration_seconds_bucket
        eval_time: 5m
        exp_samples:
          - labels: 'http_request_duration_seconds_bucket{path="/jobs/:id",method="GET",status_code="2xx",le="0.1"}'
            value: 15
          - labels: 'http_request_duration_seconds_bucket{path="/jobs/:id",method="GET",status_code="2xx",le="+Inf"}'
            value: 20
      - expr: http_request_duration_seconds_sum
        eval_time: 5m
        exp_samples:
          - labels: 'http_request_duration_seconds_sum{path="/jobs/:id",method="GET",status_code="2xx"}'
            value: 2.5
      - expr: http_request_duration_seconds_count{status_code=~"5.."}
        eval_time: 5m
        exp_samples:
          - labels: 'http_request_duration_seconds_count{path="/jobs",method="POST",status_code="5xx"}'
            value: 5
      - expr: nodejs_active_handles_total
        eval_time: 5m
        exp_samples:
          - labels: 'nodejs_active_handles_total'
            value: 5
`;

testWithTools('promtool')(
  'docs/migrating.md: the recording rules rebuild express-prom-bundle’s series (promtool test rules)',
  async (t) => {
    const promtool = requireTool(t, 'promtool');
    if (promtool === undefined) return;
    const dir = mkdtempSync(join(tmpdir(), 'obsweave-migrating-rules-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'rules.yml'), yamlBlock('express-prom-bundle-rules'));
    writeFileSync(join(dir, 'test.yml'), RULE_TEST);
    const { stdout } = await run(promtool, ['test', 'rules', 'test.yml'], { cwd: dir }).catch(
      (e: { stdout?: string; stderr?: string }) => ({ stdout: `${e.stdout}\n${e.stderr}` }),
    );
    t.regex(stdout, /SUCCESS/, stdout);
  },
);
