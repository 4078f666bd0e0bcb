import test from 'ava';
import type { MetricsRegistry } from '../../src';
import { newRegistry } from '../support/registry';

/** What Prometheus 0.0.4 and OpenMetrics 1.0 text share; run over both formats. */
type Format = 'prometheus' | 'openmetrics';
const render = (r: MetricsRegistry, f: Format) =>
  f === 'prometheus' ? r.toPrometheus() : r.toOpenMetrics();

const sharedChecklist = test.macro({
  exec(t, format: Format) {
    const { registry } = newRegistry();
    registry
      .counter('http.requests_total', {
        labelNames: ['method', 'route', 'code_class'],
        help: 'Count of "HTTP" responses\\n',
      })
      .inc(3, { method: 'GET', route: 'a"b\\c\nd', code_class: '2xx' });
    registry
      .histogram('http.request_latency_ms', { labelNames: ['route'], buckets: [5, 250] })
      .observe(12, { route: '/api/jobs/:id' });
    registry.histogram('http.request_latency_ms', { labelNames: ['route'] }).observe(1000, {
      route: '/api/jobs/:id',
    });
    registry.gauge('proc.memory_rss_mb').set(1.5);
    registry.gauge('scratch.disk_used_pct').set(42);
    registry.gauge('worker.inflight_jobs').set(-2);
    registry.counter('cpu.busy_ms_total').inc(2500);
    const text = render(registry, format);

    // every family has TYPE and HELP
    for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      t.regex(text, new RegExp(`^# HELP ${m[1]} `, 'm'), m[1]);
    }
    // label values escaped: backslash, double quote, newline
    t.regex(
      text,
      /^http_requests_total\{method="GET",route="a\\"b\\\\c\\nd",code_class="2xx"\} 3$/m,
    );
    // histograms as _bucket{le} / _sum / _count, ms → seconds in values and bounds
    t.regex(text, /^# TYPE http_request_latency_seconds histogram$/m);
    t.regex(
      text,
      /^http_request_latency_seconds_bucket\{route="\/api\/jobs\/:id",le="0\.005"\} 0$/m,
    );
    t.regex(
      text,
      /^http_request_latency_seconds_bucket\{route="\/api\/jobs\/:id",le="0\.25"\} 1$/m,
    );
    t.regex(
      text,
      /^http_request_latency_seconds_bucket\{route="\/api\/jobs\/:id",le="\+Inf"\} 2$/m,
    );
    t.regex(text, /^http_request_latency_seconds_sum\{route="\/api\/jobs\/:id"\} 1\.012$/m);
    t.regex(text, /^http_request_latency_seconds_count\{route="\/api\/jobs\/:id"\} 2$/m);
    // mb → bytes, pct → ratio, dots → underscores
    t.regex(text, /^proc_memory_rss_bytes 1572864$/m);
    t.regex(text, /^scratch_disk_used_ratio 0\.42$/m);
    t.regex(text, /^worker_inflight_jobs -2$/m);
    // a counter in ms: seconds, with _total on the sample
    t.regex(text, /^cpu_busy_seconds_total 2\.5$/m);
    // no raw obsweave names or units survive
    for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
      const name = /^[^{ ]+/.exec(line)![0];
      t.notRegex(name, /\.|_ms(_|$)|_mb$|_pct$/, line);
    }
    // self-observation is exported
    t.regex(text, /^obsweave_dropped_total\{reason="invalid_value"\} 0$/m);
    t.true(text.endsWith('\n'));
  },
  title: (_title, format: Format) => `${format} text: HELP/TYPE, escaping, buckets and base units`,
});

test(sharedChecklist, 'prometheus');
test(sharedChecklist, 'openmetrics');

test('prometheus: counter families are named with _total, HELP escapes backslash and newline', (t) => {
  const { registry } = newRegistry();
  registry.counter('jobs.created_total', { help: 'Jobs "created"\nsince start \\o/' }).inc();
  registry.counter('jobs.failed', { help: 'Failed' }).inc(2);
  const text = registry.toPrometheus();
  t.regex(text, /^# HELP jobs_created_total Jobs "created"\\nsince start \\\\o\/$/m);
  t.regex(text, /^# TYPE jobs_created_total counter$/m);
  t.regex(text, /^jobs_created_total 1$/m);
  t.regex(text, /^# TYPE jobs_failed_total counter$/m);
  t.regex(text, /^jobs_failed_total 2$/m);
  t.notRegex(text, /# EOF|# UNIT/);
});

test('prometheus: the families come in definition order, each HELP then TYPE then samples', (t) => {
  const { registry } = newRegistry();
  registry.gauge('b.gauge').set(1);
  registry.counter('a.count_total').inc();
  const text = registry.toPrometheus();
  const own = text.split('\n').filter((l) => /\b(b_gauge|a_count_total)\b/.test(l));
  t.deepEqual(own, [
    '# HELP b_gauge b.gauge',
    '# TYPE b_gauge gauge',
    'b_gauge 1',
    '# HELP a_count_total a.count_total',
    '# TYPE a_count_total counter',
    'a_count_total 1',
  ]);
});

test('openmetrics: counter family without _total, samples with it, UNIT, and # EOF', (t) => {
  const { registry } = newRegistry();
  registry.counter('jobs.created_total', { help: 'Jobs "created"' }).inc(4);
  registry.histogram('event_loop.lag_ms', { buckets: [10] }).observe(5);
  registry.gauge('proc.memory_rss_mb').set(1);
  const text = registry.toOpenMetrics();
  t.regex(text, /^# TYPE jobs_created counter$/m);
  t.regex(text, /^# HELP jobs_created Jobs \\"created\\"$/m);
  t.regex(text, /^jobs_created_total 4$/m);
  t.regex(text, /^# TYPE event_loop_lag_seconds histogram$/m);
  t.regex(text, /^# UNIT event_loop_lag_seconds seconds$/m);
  t.regex(text, /^# UNIT proc_memory_rss_bytes bytes$/m);
  t.notRegex(text, /^# UNIT jobs_created /m);
  t.true(text.endsWith('\n# EOF\n'));
  t.is(text.match(/# EOF/g)?.length, 1);
});

test('exports never change the registry: twice the same text', (t) => {
  const { registry } = newRegistry();
  registry.histogram('h_ms', { labelNames: ['k'] }).observe(3, { k: 'v' });
  registry.counter('c_total').inc();
  const strip = (s: string) =>
    s
      .split('\n')
      .filter((l) => !l.includes('obsweave_'))
      .join('\n');
  t.is(strip(registry.toPrometheus()), strip(registry.toPrometheus()));
  t.is(strip(registry.toOpenMetrics()), strip(registry.toOpenMetrics()));
  t.is(registry.snapshot().histograms['h_ms|k=v'].sum, 3);
});
