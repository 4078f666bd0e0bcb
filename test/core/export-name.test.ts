import test from 'ava';
import { exportName } from '../../src/core/export-name';

const cases: [string, 'counter' | 'gauge' | 'histogram', string, string, string, number, number][] =
  [
    // name, type, family, sample, unit, mul, div
    ['http.requests_total', 'counter', 'http_requests', 'http_requests_total', '', 1, 1],
    ['jobs.created', 'counter', 'jobs_created', 'jobs_created_total', '', 1, 1],
    [
      'http.request_latency_ms',
      'histogram',
      'http_request_latency_seconds',
      'http_request_latency_seconds',
      'seconds',
      1,
      1000,
    ],
    [
      'proc.memory_rss_mb',
      'gauge',
      'proc_memory_rss_bytes',
      'proc_memory_rss_bytes',
      'bytes',
      1048576,
      1,
    ],
    [
      'scratch.disk_used_pct',
      'gauge',
      'scratch_disk_used_ratio',
      'scratch_disk_used_ratio',
      'ratio',
      1,
      100,
    ],
    [
      'cpu.time_ms_total',
      'counter',
      'cpu_time_seconds',
      'cpu_time_seconds_total',
      'seconds',
      1,
      1000,
    ],
    ['download.size_bytes', 'gauge', 'download_size_bytes', 'download_size_bytes', 'bytes', 1, 1],
    ['worker.inflight_jobs', 'gauge', 'worker_inflight_jobs', 'worker_inflight_jobs', '', 1, 1],
    ['a:b.c', 'gauge', 'a:b_c', 'a:b_c', '', 1, 1],
    ['items_msg', 'gauge', 'items_msg', 'items_msg', '', 1, 1],
  ];

for (const [name, type, family, sample, unit, mul, div] of cases) {
  test(`exportName(${name}, ${type}) is ${sample}`, (t) => {
    t.deepEqual(exportName(name, type), { family, sample, unit, mul, div });
  });
}
