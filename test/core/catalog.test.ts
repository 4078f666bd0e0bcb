import test from 'ava';
import { CATALOG } from '../../src';
import { catalogEntry } from '../../src/core/catalog';
import { newRegistry } from '../support/registry';

// The seed design's Phase 1 catalog, verbatim: name, type, labels.
const SEED: [string, string, string[]][] = [
  ['http.requests_total', 'counter', ['method', 'route', 'code_class']],
  ['http.errors_total', 'counter', ['route', 'code']],
  ['http.request_latency_ms', 'histogram', ['route']],
  ['jobs.created_total', 'counter', []],
  ['jobs.status_transition_total', 'counter', ['from', 'to']],
  ['jobs.total_latency_ms', 'histogram', []],
  ['worker.stage_latency_ms', 'histogram', ['stage']],
  ['worker.stage_failures_total', 'counter', ['stage', 'code']],
  ['external.calls_total', 'counter', ['service', 'op', 'outcome']],
  ['external.call_latency_ms', 'histogram', ['service', 'op']],
  ['worker.inflight_jobs', 'gauge', []],
  ['proc.memory_rss_mb', 'gauge', []],
  ['proc.open_fds', 'gauge', []],
  ['scratch.disk_used_pct', 'gauge', []],
  ['event_loop.lag_ms', 'histogram', []],
  ['events.persist_failures_total', 'counter', []],
  ['worker.recovered_jobs_total', 'counter', ['reason']],
];

test('CATALOG holds the 17 metrics of the seed design with their types and labels', (t) => {
  t.is(CATALOG.length, 17);
  t.deepEqual(
    CATALOG.map((e) => [e.name, e.type, [...e.labelNames]]),
    SEED,
  );
});

test('every catalog entry has a help text', (t) => {
  for (const e of CATALOG) t.true(typeof e.help === 'string' && e.help.length > 0, e.name);
  t.is(catalogEntry('http.requests_total')?.help, 'Count of HTTP responses');
  t.is(catalogEntry('nope'), undefined);
});

test('CATALOG cannot be changed by its users', (t) => {
  t.true(Object.isFrozen(CATALOG));
  t.throws(() => (CATALOG as unknown as unknown[]).push({}));
});

test('registerCatalog() exports every catalog metric with HELP and TYPE', (t) => {
  const { registry } = newRegistry();
  registry.registerCatalog();
  const text = registry.toPrometheus();
  const families = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
  t.deepEqual(
    families.filter(([n]) => !n.startsWith('obsweave_')),
    [
      ['http_requests_total', 'counter'],
      ['http_errors_total', 'counter'],
      ['http_request_latency_seconds', 'histogram'],
      ['jobs_created_total', 'counter'],
      ['jobs_status_transition_total', 'counter'],
      ['jobs_total_latency_seconds', 'histogram'],
      ['worker_stage_latency_seconds', 'histogram'],
      ['worker_stage_failures_total', 'counter'],
      ['external_calls_total', 'counter'],
      ['external_call_latency_seconds', 'histogram'],
      ['worker_inflight_jobs', 'gauge'],
      ['proc_memory_rss_bytes', 'gauge'],
      ['proc_open_fds', 'gauge'],
      ['scratch_disk_used_ratio', 'gauge'],
      ['event_loop_lag_seconds', 'histogram'],
      ['events_persist_failures_total', 'counter'],
      ['worker_recovered_jobs_total', 'counter'],
    ],
  );
  for (const [n] of families) t.regex(text, new RegExp(`^# HELP ${n} \\S`, 'm'));
});
