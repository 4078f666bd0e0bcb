import * as prom from 'prom-client';
import { DEFAULT_BUCKETS_MS, MetricsRegistry } from '../src';
import { DEFAULT_GAUGE_AGGREGATION } from '../src/cluster';
import { rememberedLabelValues } from '../src/cluster/label-values';
import { mergeWithPrimary, type Source } from '../src/cluster/merge';
import { decode } from '../src/cluster/decode';
import { encode, type Answer, type WireFamily } from '../src/cluster/wire';
import type { FamilyView } from '../src/core/family-view';
import { toPrometheusText } from '../src/export/prometheus';
import { bench, benchAsync, report } from './harness';

/**
 * A merged scrape of four workers, each holding the catalog's series with realistic label
 * values (about 200 series), against prom-client's AggregatorRegistry on the same series.
 * Both sides do the whole work of one scrape in one process: each worker exports, its
 * answer goes through JSON as node:cluster's IPC sends it (stringify, parse), and the
 * primary merges and writes the text. Only the waiting for processes is left out, alike.
 */
const WORKERS = 4;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];
const ROUTES = [
  '/',
  '/api/jobs',
  '/api/jobs/:id',
  '/api/jobs/:id/events',
  '/api/files',
  '/api/files/:id',
  '/health',
  '__unmatched__',
];
const CLASSES = ['2xx', '4xx', '5xx'];
const CODES = ['400', '404', '500', '503'];
const STAGES = ['download', 'probe', 'transcribe', 'upload', 'cleanup'];
const FAILS = ['ECONNRESET', 'TimeoutError', 'unknown'];
const CALLS = [
  ['yt-dlp', 'download'],
  ['ffprobe', 'probe'],
  ['asr', 'transcribe'],
  ['asr', 'poll'],
  ['storage', 'put'],
  ['storage', 'get'],
  ['storage', 'delete'],
  ['storage', 'head'],
];
const OUTCOMES = ['success', 'error', 'timeout'];
const STATUSES = [
  ['queued', 'running'],
  ['running', 'completed'],
  ['running', 'failed'],
  ['queued', 'cancelled'],
  ['running', 'queued'],
  ['failed', 'queued'],
];

/** What every worker records, as calls on a neutral recorder, so both libraries get the same. */
interface Recorder {
  inc(name: string, labels: Record<string, string>, v: number): void;
  observe(name: string, labels: Record<string, string>, ms: number): void;
  set(name: string, v: number): void;
}

function fill(r: Recorder, seed: number): void {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const method of METHODS)
    for (const route of ROUTES)
      for (const code_class of CLASSES)
        r.inc('http.requests_total', { method, route, code_class }, 1 + Math.floor(next() * 500));
  for (const route of ROUTES) {
    for (const code of CODES)
      r.inc('http.errors_total', { route, code }, 1 + Math.floor(next() * 20));
    for (let i = 0; i < 20; i++) r.observe('http.request_latency_ms', { route }, next() * 2000);
  }
  r.inc('jobs.created_total', {}, 300);
  for (const [from, to] of STATUSES) r.inc('jobs.status_transition_total', { from, to }, 50);
  for (let i = 0; i < 20; i++) r.observe('jobs.total_latency_ms', {}, next() * 600_000);
  for (const stage of STAGES) {
    for (let i = 0; i < 20; i++) r.observe('worker.stage_latency_ms', { stage }, next() * 60_000);
    for (const code of FAILS) r.inc('worker.stage_failures_total', { stage, code }, 3);
  }
  for (const [service, op] of CALLS) {
    for (const outcome of OUTCOMES) r.inc('external.calls_total', { service, op, outcome }, 40);
    for (let i = 0; i < 20; i++)
      r.observe('external.call_latency_ms', { service, op }, next() * 30_000);
  }
  r.set('worker.inflight_jobs', 4);
  r.set('proc.memory_rss_mb', 180);
  r.set('proc.open_fds', 40);
  r.set('scratch.disk_used_pct', 37);
  for (let i = 0; i < 20; i++) r.observe('event_loop.lag_ms', {}, next() * 50);
  r.inc('events.persist_failures_total', {}, 2);
  r.inc('worker.recovered_jobs_total', { reason: 'lease_expired' }, 1);
  r.inc('worker.recovered_jobs_total', { reason: 'startup' }, 1);
}

function ours(seed: number): MetricsRegistry {
  const reg = new MetricsRegistry();
  reg.registerCatalog();
  fill(
    {
      inc: (name, labels, v) =>
        reg.counter(name, { labelNames: Object.keys(labels) }).inc(v, labels),
      observe: (name, labels, ms) =>
        reg.histogram(name, { labelNames: Object.keys(labels) }).observe(ms, labels),
      set: (name, v) => reg.gauge(name).set(v),
    },
    seed,
  );
  return reg;
}

/** The same series in prom-client, named and scaled as Prometheus wants (seconds, bytes). */
function theirs(seed: number): prom.Registry {
  const reg = new prom.Registry();
  const made = new Map<string, prom.Counter | prom.Histogram | prom.Gauge>();
  const promName = (n: string) =>
    n
      .replace(/\./g, '_')
      .replace(/_ms$/, '_seconds')
      .replace(/_mb$/, '_bytes')
      .replace(/_pct$/, '_ratio');
  const get = <T>(name: string, make: () => T): T => {
    let m = made.get(name) as T | undefined;
    if (m === undefined) made.set(name, (m = make()) as never);
    return m;
  };
  fill(
    {
      inc: (name, labels, v) =>
        get(
          name,
          () =>
            new prom.Counter({
              name: promName(name),
              help: name,
              labelNames: Object.keys(labels),
              registers: [reg],
            }),
        ).inc(labels, v),
      observe: (name, labels, ms) =>
        get(
          name,
          () =>
            new prom.Histogram({
              name: promName(name),
              help: name,
              labelNames: Object.keys(labels),
              buckets: DEFAULT_BUCKETS_MS.map((b) => b / 1000),
              registers: [reg],
            }),
        ).observe(labels, ms / 1000),
      set: (name, v) =>
        get(name, () => new prom.Gauge({ name: promName(name), help: name, registers: [reg] })).set(
          v,
        ),
    },
    seed,
  );
  return reg;
}

export async function runClusterBench(): Promise<ReturnType<typeof report>> {
  const workers = Array.from({ length: WORKERS }, (_, i) => ours(i + 1));
  const primary = new MetricsRegistry();
  const promWorkers = Array.from({ length: WORKERS }, (_, i) => theirs(i + 1));
  const aggregation = (name: string) => DEFAULT_GAUGE_AGGREGATION[name] ?? 'sum';
  const labelValue = rememberedLabelValues();

  const answer = (reg: MetricsRegistry, id: number): string =>
    JSON.stringify({
      obsweave: 'metrics',
      id,
      f: reg.exportWith('cluster', encode) as WireFamily[],
    });

  const obsweaveScrape = (id: number): string => {
    const sources: Source[] = workers.map((w, i) => {
      const fams = decode(JSON.parse(answer(w, id)) as Answer) as WireFamily[];
      return { worker: String(i + 1), families: fams };
    });
    return primary.exportWith('prometheus', (own: readonly FamilyView[]) =>
      toPrometheusText(
        mergeWithPrimary(own, sources, {
          aggregation,
          maxSeriesPerMetric: 2000,
          drop: () => {},
          labelValue,
        }),
      ),
    ) as string;
  };
  const promScrape = async (id: number): Promise<string> => {
    const answers = await Promise.all(
      promWorkers.map(async (r) =>
        JSON.stringify({
          type: 'prom-client:getMetricsRes',
          requestId: id,
          metrics: [await r.getMetricsAsJSON()],
        }),
      ),
    );
    const parsed = answers.map(
      (a) =>
        (JSON.parse(a) as { metrics: prom.MetricObjectWithValues<prom.MetricValue<string>>[][] })
          .metrics[0],
    );
    return prom.AggregatorRegistry.aggregate(parsed).metrics();
  };

  // Same totals on both sides, or the comparison means nothing.
  const a = obsweaveScrape(0);
  const b = await promScrape(0);
  const total = (text: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith('http_requests_total{'))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
  if (total(a) !== total(b) || total(a) === 0)
    throw new Error(`merged totals differ: ${total(a)} vs ${total(b)}`);
  const series = a.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length;

  let sink = 0;
  const scrapes = await benchAsync(
    [
      {
        name: `obsweave merged scrape, ${WORKERS} workers`,
        run: async (n) => {
          for (let i = 0; i < n; i++) sink += obsweaveScrape(i).length;
        },
      },
      {
        name: `prom-client AggregatorRegistry, ${WORKERS} workers`,
        run: async (n) => {
          for (let i = 0; i < n; i++) sink += (await promScrape(i)).length;
        },
      },
    ],
    { rounds: 9, ops: 20, warmupRounds: 2 },
  );
  const t1 = report(`cluster: one merged scrape (${series} sample lines)`, scrapes, [
    {
      of: `obsweave merged scrape, ${WORKERS} workers`,
      to: `prom-client AggregatorRegistry, ${WORKERS} workers`,
      max: 0.3,
    },
  ]);

  const w = workers[0];
  const answers = bench(
    [
      {
        name: "a worker's answer (encode + JSON)",
        run: (n) => {
          for (let i = 0; i < n; i++) sink += answer(w, i).length;
        },
      },
      {
        name: 'a local toPrometheus()',
        run: (n) => {
          for (let i = 0; i < n; i++) sink += w.toPrometheus().length;
        },
      },
    ],
    { rounds: 9, ops: 200, warmupRounds: 2 },
  );
  const t2 = report('cluster: what one worker does per scrape', answers, [
    { of: "a worker's answer (encode + JSON)", to: 'a local toPrometheus()', max: 1 },
  ]);
  console.log(
    `  bytes: answer ${answer(w, 1).length}, Prometheus text ${w.toPrometheus().length}` +
      (sink === -1 ? '' : ''),
  );
  return [...t1, ...t2];
}

if (require.main === module) void runClusterBench();
