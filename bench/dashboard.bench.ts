/**
 * What the dashboard costs the service it watches. The page asks for one JSON snapshot per
 * refresh (every 2 s) and nothing else once its files are cached (a 304 each, when reloaded);
 * a service without the page open pays only the check of the URL on each scrape.
 */
import { MetricsController, MetricsRegistry } from '../src';
import { bench, fmtNs, report } from './harness';

/** A registry the size of the media-worker's after some traffic: a few hundred series. */
function serviceRegistry(): MetricsRegistry {
  const r = new MetricsRegistry();
  r.registerCatalog();
  const reqs = r.counter('http.requests_total', { labelNames: ['method', 'route', 'code_class'] });
  const errs = r.counter('http.errors_total', { labelNames: ['route', 'code'] });
  const lat = r.histogram('http.request_latency_ms', { labelNames: ['route'] });
  const routes = ['/api/jobs', '/api/jobs/:id', '/api/jobs/:id/events', '/', '/health'];
  for (const route of routes) {
    for (const method of ['GET', 'POST']) {
      for (const cls of ['2xx', '4xx', '5xx']) reqs.inc(17, { method, route, code_class: cls });
    }
    for (const code of ['400', '404', '500']) errs.inc(3, { route, code });
    for (let i = 0; i < 200; i++) lat.observe((i * 7) % 900, { route });
  }
  const stage = r.histogram('worker.stage_latency_ms', { labelNames: ['stage'] });
  const fail = r.counter('worker.stage_failures_total', { labelNames: ['stage', 'code'] });
  const calls = r.counter('external.calls_total', { labelNames: ['service', 'op', 'outcome'] });
  const callLat = r.histogram('external.call_latency_ms', { labelNames: ['service', 'op'] });
  for (const s of ['download', 'probe', 'transcribe', 'upload']) {
    for (let i = 0; i < 100; i++) stage.observe(i * 13, { stage: s });
    for (const code of ['ECONNRESET', 'TimeoutError', 'EUPSTREAM']) fail.inc(2, { stage: s, code });
  }
  for (const service of ['yt-dlp', 'ffprobe', 'asr', 'storage']) {
    for (const outcome of ['success', 'error', 'timeout'])
      calls.inc(9, { service, op: 'go', outcome });
    for (let i = 0; i < 100; i++) callLat.observe(i * 11, { service, op: 'go' });
  }
  r.counter('jobs.created_total').inc(120);
  r.gauge('proc.memory_rss_mb').set(250);
  return r;
}

/** The registry bench's large case: 10,000 counter series and 1,000 histogram series. */
function largeRegistry(): MetricsRegistry {
  const r = new MetricsRegistry({ maxSeriesPerMetric: 20000 });
  const c = r.counter('scrape.requests_total', { labelNames: ['route', 'code'] });
  const h = r.histogram('scrape.latency_ms', { labelNames: ['route'] });
  for (let i = 0; i < 10000; i++) c.inc(i, { route: `/api/r${i % 100}`, code: String(i) });
  for (let i = 0; i < 1000; i++)
    for (let k = 0; k < 5; k++) h.observe(k * 37 + i, { route: `/r${i}` });
  return r;
}

const PAGE = { url: '/metrics', headers: { accept: 'application/json' } };
const SCRAPE = { url: '/metrics', headers: { accept: 'text/plain;version=0.0.4' } };

function bodyOf(c: MetricsController, req: typeof PAGE): string {
  const res = c.handle(req);
  if (res instanceof Promise) throw new Error('synchronous registry expected');
  return String(res.body);
}

export async function runDashboardBench() {
  const results = [];
  for (const [label, registry, ops] of [
    ['a service registry', serviceRegistry(), 200],
    ['10,000 counter + 1,000 histogram series', largeRegistry(), 2],
  ] as const) {
    const withUi = new MetricsController(registry);
    const withoutUi = new MetricsController(registry, { ui: false });
    const page = bodyOf(withUi, PAGE).length;
    const scrape = bodyOf(withUi, SCRAPE).length;
    let sink = 0;
    const cases = bench(
      [
        {
          name: 'page refresh: JSON snapshot',
          run: (n) => {
            for (let i = 0; i < n; i++) sink += bodyOf(withUi, PAGE).length;
          },
        },
        {
          name: 'Prometheus scrape',
          run: (n) => {
            for (let i = 0; i < n; i++) sink += bodyOf(withUi, SCRAPE).length;
          },
        },
        {
          name: 'Prometheus scrape, ui: false',
          run: (n) => {
            for (let i = 0; i < n; i++) sink += bodyOf(withoutUi, SCRAPE).length;
          },
        },
        {
          name: 'Prometheus scrape (A/A)',
          run: (n) => {
            for (let i = 0; i < n; i++) sink += bodyOf(withUi, SCRAPE).length;
          },
        },
      ],
      { ops, rounds: 15, warmupRounds: 2 },
    );
    const r = report(
      `dashboard cost, ${label} (page refresh every 2 s: ${(page / 1024).toFixed(1)} KiB JSON; scrape ${(scrape / 1024).toFixed(1)} KiB)`,
      cases,
      // Without the page open, the service must pay nothing: a scrape costs what it did.
      [{ of: 'Prometheus scrape', to: 'Prometheus scrape, ui: false', max: 1.1 }],
    );
    const refresh = cases[0].ns;
    console.log(`  page refresh / Prometheus scrape: ${(refresh / cases[1].ns).toFixed(2)}x`);
    console.log(
      `  one page open: ${fmtNs(refresh)} per 2 s refresh = ${((refresh / 2e9) * 100).toFixed(3)} % of one core`,
    );
    if (sink === 42) console.log('');
    results.push(...r);
  }
  // A cached file of the page: what a reload costs once the browser holds the files.
  const c = new MetricsController(new MetricsRegistry());
  const js = c.handle({ url: '/metrics/ui/app.js', headers: {} }) as {
    headers: Record<string, string>;
  };
  const revalidate = { url: '/metrics/ui/app.js', headers: { 'if-none-match': js.headers.etag } };
  const [file] = bench(
    [
      {
        name: 'a page file, revalidated (304)',
        run: (n) => {
          for (let i = 0; i < n; i++) c.handle(revalidate);
        },
      },
    ],
    { ops: 20000 },
  );
  console.log(`  ${file.name.padEnd(44)} ${fmtNs(file.ns).padStart(12)}/op`);
  return results;
}

if (require.main === module) void runDashboardBench();
