import test, { type ExecutionContext } from 'ava';
import type { Browser, Response } from 'playwright-core';
// The registry the example records into: the package as it resolves its own name (the build).
import { DASHBOARD_CSP, metrics, type HistogramSnapshot, type Snapshot } from 'obsweave';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetricsHandler, MetricsRegistry } from '../../src';
import { quantile } from '../../src/core/buckets';
import { Traffic } from '../../examples/demo/traffic';
import { startMediaWorker, type MediaWorkerApp } from '../../examples/media-worker';
import { launchChromium, watchedPage, type WatchedPage } from '../support/chromium';
import { serialTestWithTools } from '../support/tools';
import { listen } from '../support/http';

/**
 * The dashboard in a real browser against the media-worker example. All tests of this file
 * share the process-wide registry the example records into, so they compare against the
 * snapshots the page itself received, or against differences.
 */

// The page's globals, seen from code that runs in the browser.
declare const document: any;
declare const window: any;
declare const sessionStorage: any;

const withChromium = serialTestWithTools('chromium');

let browser: Browser | undefined;
async function chromium(): Promise<Browser> {
  return (browser ??= await launchChromium());
}
test.after.always(async () => {
  await browser?.close();
});

async function worker(t: ExecutionContext, opts: { token?: string } = {}): Promise<MediaWorkerApp> {
  const app = await startMediaWorker({
    concurrency: 4,
    sampleIntervalMs: 500,
    seed: 11,
    metricsToken: opts.token,
  });
  t.teardown(() => app.close());
  return app;
}

async function page(t: ExecutionContext): Promise<WatchedPage> {
  const w = await watchedPage(await chromium());
  t.teardown(() => w.context.close());
  return w;
}

/** Keeps every snapshot the page receives, by its timestamp. */
function recordSnapshots(w: WatchedPage, endpoint: string): Map<string, Snapshot> {
  const seen = new Map<string, Snapshot>();
  w.page.on('response', (res: Response) => {
    if (res.url() !== endpoint || res.status() !== 200) return;
    void res.json().then(
      (snap: Snapshot) => seen.set(snap.timestamp, snap),
      () => undefined,
    );
  });
  return seen;
}

interface Cell {
  value: number | null;
  text: string;
}
interface PageState {
  timestamp?: string;
  base?: string;
  windowSeconds: number;
  status: string;
  tables: Record<string, { key: string; cells: Record<string, Cell> }[]>;
  tiles: Record<string, Cell & { sub: string }>;
}

/** Everything the page shows, read in one turn of its event loop (so from one refresh). */
function readPage(w: WatchedPage): Promise<PageState> {
  return w.page.evaluate(() => {
    const root = document.getElementById('dashboard');
    const num = (el: any) => (el.dataset.value === undefined ? null : Number(el.dataset.value));
    const tables: Record<string, unknown[]> = {};
    for (const id of ['routes', 'stages', 'external', 'slos']) {
      tables[id] = [...document.querySelectorAll(`#${id} tbody tr`)].map((tr: any) => ({
        key: tr.dataset.key,
        cells: Object.fromEntries(
          [...tr.children].map((td: any) => [
            td.dataset.col,
            { value: num(td), text: td.textContent },
          ]),
        ),
      }));
    }
    const tiles: Record<string, unknown> = {};
    for (const el of document.querySelectorAll('[data-figure]')) {
      const value = el.querySelector('.tile-value');
      tiles[el.dataset.figure] = {
        value: num(value),
        text: value.textContent,
        sub: el.querySelector('.tile-sub').textContent,
      };
    }
    return {
      timestamp: root.dataset.timestamp,
      base: root.dataset.baseTimestamp,
      windowSeconds: Number(root.dataset.windowSeconds ?? 0),
      status: document.getElementById('status').textContent,
      tables,
      tiles,
    } as any;
  });
}

function holds(check: (s: PageState) => boolean, s: PageState): boolean {
  try {
    return check(s);
  } catch {
    return false;
  }
}

async function until(w: WatchedPage, check: (s: PageState) => boolean, what: string, ms = 30_000) {
  const end = Date.now() + ms;
  let last: PageState | undefined;
  while (Date.now() < end) {
    last = await readPage(w);
    // A page caught between two renders may lack a figure the check reads: not there yet.
    if (holds(check, last)) return last;
    await w.page.waitForTimeout(250);
  }
  throw new Error(`timed out waiting for ${what}; the page shows ${JSON.stringify(last)}`);
}

// What the figures must be, computed here from the raw snapshots (not by the page's code).

function labels(key: string): Record<string, string> {
  const bar = key.indexOf('|');
  if (bar < 0) return {};
  return Object.fromEntries(
    key
      .slice(bar + 1)
      .split(',')
      .map((p) => p.split('=', 2)),
  );
}
function nameOf(key: string): string {
  return key.split('|')[0];
}
function delta(cur: number, base: number | undefined): number {
  return base === undefined || cur < base ? cur : cur - base;
}
function sumDelta(
  cur: Snapshot,
  base: Snapshot,
  name: string,
  where: (l: Record<string, string>) => boolean = () => true,
): number {
  let n = 0;
  for (const [k, v] of Object.entries(cur.counters)) {
    if (nameOf(k) === name && where(labels(k))) n += delta(v, base.counters[k]);
  }
  return n;
}
/** The q-quantile of a histogram's observations between two snapshots, by the server's code. */
function windowQuantile(
  q: number,
  cur: HistogramSnapshot,
  base?: HistogramSnapshot,
): number | null {
  const keys = Object.keys(cur.buckets);
  const bounds = keys.filter((k) => k !== '+Inf').map(Number);
  const cum = keys.map((k) => delta(cur.buckets[k], base?.buckets[k]));
  const counts = cum.map((c, i) => c - (i === 0 ? 0 : cum[i - 1]));
  const total = cum[cum.length - 1];
  return total === 0 ? null : quantile(q, bounds, counts, total);
}
function same(t: ExecutionContext, actual: number | null, expected: number | null, what: string) {
  if (expected === null || actual === null) return t.is(actual, expected, what);
  t.true(
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: page ${actual}, snapshot ${expected}`,
  );
}

/**
 * The picture in the README: the dashboard of the media-worker under the demo's traffic, after
 * half a minute, so every sparkline has a shape. `OBSWEAVE_UPDATE_SCREENSHOT=1` writes it to
 * `docs/dashboard.png`. Otherwise it goes to a temporary file, so a test run leaves the tree
 * clean, after a few refreshes: the shape of the sparklines matters to the picture only.
 * First in the file, before other tests leave their own series in the process-wide registry.
 */
const UPDATE_SCREENSHOT = process.env.OBSWEAVE_UPDATE_SCREENSHOT === '1';
const SCREENSHOT = UPDATE_SCREENSHOT
  ? join(__dirname, '../../docs/dashboard.png')
  : join(tmpdir(), `obsweave-dashboard-${process.pid}.png`);
const REFRESHES = UPDATE_SCREENSHOT ? 15 : 4;

withChromium('a screenshot of the dashboard under traffic', async (t) => {
  const app = await startMediaWorker({ concurrency: 6, sampleIntervalMs: 1000, seed: 7 });
  t.teardown(() => app.close());
  const traffic = new Traffic(app.url, { users: 6, thinkMs: 100 }).start();
  t.teardown(() => traffic.stop({ drain: false }));
  const w = await watchedPage(await chromium(), { width: 1440, height: 900 });
  t.teardown(() => w.context.close());

  await w.page.goto(`${app.url}/metrics/ui`);
  const snapshots = () => w.requests.filter((r) => r.url === `${app.url}/metrics`).length;
  while (snapshots() < REFRESHES) await w.page.waitForTimeout(500);
  await w.page.waitForTimeout(300); // the last refresh's rendering
  // Sorted by route name, so the rows keep their order from run to run.
  await w.page.click('#routes th:first-child button');

  mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
  const png = await w.page.screenshot({ fullPage: true, animations: 'disabled' });
  writeFileSync(SCREENSHOT, png);
  t.log(`screenshot: ${SCREENSHOT}`);

  if (!UPDATE_SCREENSHOT) t.teardown(() => rmSync(SCREENSHOT, { force: true }));
  const file = readFileSync(SCREENSHOT);
  t.is(file.subarray(1, 4).toString('latin1'), 'PNG');
  t.is(file.readUInt32BE(16), 1440, 'width');
  t.true(file.readUInt32BE(20) > 900, 'the whole page');
  t.true(file.length > 50_000, 'a picture with content');
  t.deepEqual(w.errors, []);
});

withChromium('the figures agree with the JSON snapshots the page received', async (t) => {
  const app = await worker(t);
  const traffic = new Traffic(app.url, { users: 4, thinkMs: 50 }).start();
  t.teardown(() => traffic.stop({ drain: false }));
  const w = await page(t);
  const snapshots = recordSnapshots(w, `${app.url}/metrics`);
  const response = await w.page.goto(`${app.url}/metrics/ui`);
  t.is(response!.headers()['content-security-policy'], DASHBOARD_CSP);

  const state = await until(
    w,
    (s) =>
      s.windowSeconds >= 6 &&
      s.tables.routes.length >= 2 &&
      s.tables.stages.length >= 4 &&
      s.tables.external.length >= 4 &&
      snapshots.has(s.timestamp!) &&
      snapshots.has(s.base!),
    'a full window of traffic',
  );
  const cur = snapshots.get(state.timestamp!)!;
  const base = snapshots.get(state.base!)!;
  const seconds = (Date.parse(cur.timestamp) - Date.parse(base.timestamp)) / 1000;
  t.is(state.windowSeconds, seconds);

  for (const row of state.tables.routes) {
    const route = row.key;
    const of = (l: Record<string, string>) => l.route === route;
    const requests = sumDelta(cur, base, 'http.requests_total', of);
    const errors = sumDelta(
      cur,
      base,
      'http.requests_total',
      (l) => of(l) && /^[45]xx$/.test(l.code_class),
    );
    same(t, row.cells.rate.value, requests / seconds, `${route} rate`);
    same(t, row.cells.errorShare.value, requests ? errors / requests : null, `${route} errors`);
    const h = `http.request_latency_ms|route=${route}`;
    for (const [col, q] of [
      ['p50', 0.5],
      ['p90', 0.9],
      ['p99', 0.99],
    ] as const) {
      same(
        t,
        row.cells[col].value,
        windowQuantile(q, cur.histograms[h], base.histograms[h]),
        `${route} ${col}`,
      );
    }
    const total = Object.entries(cur.counters)
      .filter(([k]) => nameOf(k) === 'http.requests_total' && of(labels(k)))
      .reduce((n, [, v]) => n + v, 0);
    same(t, row.cells.total.value, total, `${route} since start`);
  }

  for (const row of state.tables.stages) {
    const h = `worker.stage_latency_ms|stage=${row.key}`;
    const calls = delta(cur.histograms[h].count, base.histograms[h]?.count);
    const failures = sumDelta(cur, base, 'worker.stage_failures_total', (l) => l.stage === row.key);
    same(t, row.cells.rate.value, calls / seconds, `${row.key} calls`);
    same(t, row.cells.failureShare.value, calls ? failures / calls : null, `${row.key} failed`);
    same(
      t,
      row.cells.p99.value,
      windowQuantile(0.99, cur.histograms[h], base.histograms[h]),
      `${row.key} p99`,
    );
  }

  for (const row of state.tables.external) {
    const [service, op] = JSON.parse(row.key) as [string, string];
    const of = (l: Record<string, string>) => l.service === service && l.op === op;
    const calls = sumDelta(cur, base, 'external.calls_total', of);
    const timeouts = sumDelta(
      cur,
      base,
      'external.calls_total',
      (l) => of(l) && l.outcome === 'timeout',
    );
    same(t, row.cells.rate.value, calls / seconds, `${service} calls`);
    same(t, row.cells.timeoutShare.value, calls ? timeouts / calls : null, `${service} timeouts`);
    const h = `external.call_latency_ms|service=${service},op=${op}`;
    same(
      t,
      row.cells.p50.value,
      windowQuantile(0.5, cur.histograms[h], base.histograms[h]),
      `${service} p50`,
    );
  }

  // SLOs the example declares: HTTP availability, and external calls by service.
  const slo = (key: string) => state.tables.slos.find((r) => r.key === key)!.cells.burn.value;
  const requests = sumDelta(cur, base, 'http.requests_total');
  const fives = sumDelta(cur, base, 'http.requests_total', (l) => l.code_class === '5xx');
  same(
    t,
    slo(JSON.stringify(['http-availability', 'all'])),
    requests ? fives / requests / 0.01 : null,
    'http burn',
  );
  for (const service of ['asr', 'storage', 'ffprobe', 'yt-dlp']) {
    const all = sumDelta(cur, base, 'external.calls_total', (l) => l.service === service);
    const bad = sumDelta(
      cur,
      base,
      'external.calls_total',
      (l) => l.service === service && l.outcome !== 'success',
    );
    same(
      t,
      slo(JSON.stringify(['external-calls', `service=${service}`])),
      all ? bad / all / 0.05 : null,
      `${service} burn`,
    );
  }

  // Headline figures and gauges, as the snapshot has them.
  same(t, state.tiles.requestRate.value, requests / seconds, 'requests tile');
  same(t, state.tiles.jobsInflight.value, cur.gauges['worker.inflight_jobs'], 'in flight');
  t.is(state.tiles.jobsInflight.text, String(cur.gauges['worker.inflight_jobs']));
  same(t, state.tiles.rss.value, cur.gauges['proc.memory_rss_mb'], 'rss');
  same(t, state.tiles.fds.value, cur.gauges['proc.open_fds'] ?? null, 'fds');
  same(t, state.tiles.disk.value, cur.gauges['scratch.disk_used_pct'] ?? null, 'disk');
  t.true(
    state.tiles.jobsCreated.sub.startsWith(
      `${cur.counters['jobs.created_total'].toLocaleString('en-US')} since start`,
    ),
  );
  same(
    t,
    state.tiles.jobsCreated.value,
    (delta(cur.counters['jobs.created_total'], base.counters['jobs.created_total']) / seconds) * 60,
    'created/min',
  );

  // One snapshot per refresh, no request beyond the service, no error in the page.
  const origin = new URL(app.url).origin;
  t.deepEqual(
    w.requests.filter((r) => new URL(r.url).origin !== origin),
    [],
  );
  const snapshotRequests = w.requests.filter((r) => r.url === `${app.url}/metrics`);
  t.true(snapshotRequests.every((r) => r.headers.accept === 'application/json'));
  t.deepEqual(w.errors, []);
});

withChromium('the page follows the traffic: a burst shows, then its rate falls back', async (t) => {
  const app = await worker(t);
  const w = await page(t);
  await w.page.goto(`${app.url}/metrics/ui`);
  const route = '/api/jobs';
  const row = (s: PageState) => s.tables.routes.find((r) => r.key === route);
  const before = await until(w, (s) => s.windowSeconds > 0, 'a first window');
  const totalBefore = row(before)?.cells.total.value ?? 0;

  const N = 40;
  for (let i = 0; i < N; i++) await (await fetch(`${app.url}/api/jobs`)).text();
  const during = await until(
    w,
    (s) =>
      (row(s)?.cells.total.value ?? 0) >= totalBefore + N && (row(s)?.cells.rate.value ?? 0) > 0,
    'the burst on the page',
  );
  t.true(row(during)!.cells.rate.value! > 0);
  t.regex(row(during)!.cells.rate.text, /^\d/);

  // Quiet again: once the window has passed over the burst, the rate is zero.
  const after = await until(
    w,
    (s) => row(s)?.cells.rate.value === 0,
    'the rate to fall back',
    40_000,
  );
  t.is(row(after)!.cells.total.value, row(during)!.cells.total.value);
  t.is(row(after)!.cells.p50.text, '—');
});

withChromium(
  'with a token: nothing without it, data after entering it, never in a URL',
  async (t) => {
    const token = 'dashboard-token-0123456789';
    const app = await worker(t, { token });
    const w = await page(t);
    const snapshots = recordSnapshots(w, `${app.url}/metrics`);
    await w.page.goto(`${app.url}/metrics/ui`);

    await w.page.waitForSelector('#token-panel:not([hidden])');
    const locked = await w.page.evaluate(() => ({
      content: document.getElementById('content').hidden,
      rows: document.querySelectorAll('tbody tr').length,
      text: document.body.innerText,
    }));
    t.true(locked.content);
    t.is(locked.rows, 0);
    t.false(locked.text.includes('/api/jobs'), 'no data on the page');
    t.is(snapshots.size, 0);

    // A wrong token is refused and asked again.
    await w.page.fill('#token', 'wrong');
    await w.page.press('#token', 'Enter');
    await w.page.waitForSelector('#token-error:not([hidden])');
    t.regex((await w.page.textContent('#token-error')) ?? '', /not accepted/);

    await w.page.fill('#token', token);
    await w.page.click('#token-form button');
    await until(
      w,
      (s) => s.tables.routes.length > 0 || s.tiles.rss.value !== null,
      'data after the token',
    );
    t.true(await w.page.evaluate(() => document.getElementById('token-panel').hidden));
    t.is(await w.page.evaluate(() => sessionStorage.getItem('obsweave.dashboard.token')), token);

    // Kept for the tab: a reload asks nothing.
    await w.page.reload();
    await until(w, (s) => s.timestamp !== undefined, 'data after a reload');
    t.true(await w.page.evaluate(() => document.getElementById('token-panel').hidden));

    // A new tab of another session asks again.
    const other = await page(t);
    await other.page.goto(`${app.url}/metrics/ui`);
    await other.page.waitForSelector('#token-panel:not([hidden])');

    const all = [...w.requests, ...other.requests];
    t.deepEqual(
      all.filter((r) => r.url.includes(token) || r.url.includes('wrong')),
      [],
    );
    const data = w.requests.filter(
      (r) => r.url === `${app.url}/metrics` || r.url.endsWith('/config.json'),
    );
    t.true(data.some((r) => r.headers.authorization === `Bearer ${token}`));
    t.true(data.every((r) => r.method === 'GET'));
    // The page and its files went without the header: they hold no data.
    const files = w.requests.filter(
      (r) => r.url.includes('/metrics/ui') && !r.url.endsWith('/config.json'),
    );
    t.true(files.length > 0);
    t.true(files.every((r) => r.headers.authorization === undefined));
  },
);

withChromium('hostile label values are shown as text and never run', async (t) => {
  const HOSTILE = {
    img: '<img src=x onerror="window.__pwned=1">',
    script: '</script><script>window.__pwned=2</script>',
    svg: '"><svg onload=window.__pwned=3>',
  };
  metrics
    .counter('worker.stage_failures_total', { labelNames: ['stage', 'code'] })
    .inc(1, { stage: HOSTILE.img, code: HOSTILE.script });
  metrics
    .histogram('worker.stage_latency_ms', { labelNames: ['stage'] })
    .observe(5, { stage: HOSTILE.img });
  metrics
    .counter('http.requests_total', { labelNames: ['method', 'route', 'code_class'] })
    .inc(2, { method: 'GET', route: HOSTILE.script, code_class: '5xx' });
  metrics
    .counter('external.calls_total', { labelNames: ['service', 'op', 'outcome'] })
    .inc(1, { service: HOSTILE.svg, op: HOSTILE.img, outcome: 'error' });

  const app = await worker(t);
  const w = await page(t);
  await w.page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e: any) =>
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await w.page.goto(`${app.url}/metrics/ui`);
  const state = await until(
    w,
    (s) =>
      s.tables.stages.some((r) => r.key === HOSTILE.img) &&
      s.tables.routes.some((r) => r.key === HOSTILE.script) &&
      s.tables.external.some((r) => r.cells.service.text === HOSTILE.svg),
    'the hostile series',
  );
  t.is(state.tables.stages.find((r) => r.key === HOSTILE.img)!.cells.stage.text, HOSTILE.img);
  t.is(state.tables.routes.find((r) => r.key === HOSTILE.script)!.cells.route.text, HOSTILE.script);
  t.is(
    state.tables.external.find((r) => r.cells.service.text === HOSTILE.svg)!.cells.op.text,
    HOSTILE.img,
  );

  const dom = await w.page.evaluate(() => ({
    pwned: window.__pwned,
    violations: window.__violations,
    images: [...document.querySelectorAll('img')].map((i: any) => i.getAttribute('src')),
    scripts: [...document.querySelectorAll('script')].map((s: any) => s.getAttribute('src')),
    svgWithHandlers: [...document.querySelectorAll('svg')].filter((s: any) =>
      s.hasAttribute('onload'),
    ).length,
  }));
  t.is(dom.pwned, undefined, 'no injected code ran');
  t.deepEqual(dom.violations, [], 'nothing even tried');
  t.deepEqual(dom.images, ['ui/icon.svg'], 'no <img> was created');
  t.deepEqual(dom.scripts, ['ui/app.js']);
  t.is(dom.svgWithHandlers, 0);
  t.deepEqual(w.errors, []);
});

withChromium('an empty registry shows what to add, not a blank page', async (t) => {
  const registry = new MetricsRegistry();
  registry.registerCatalog();
  const handler = createMetricsHandler({ registry });
  const base = await listen(t, http.createServer(handler));
  const w = await page(t);
  await w.page.goto(`${base}/metrics/ui`);
  await w.page.waitForSelector('#empty-panel:not([hidden])');
  const shown = await w.page.evaluate(() => ({
    content: document.getElementById('content').hidden,
    text: document.getElementById('empty-panel').innerText,
  }));
  t.true(shown.content);
  t.regex(shown.text, /Nothing recorded yet/);
  t.regex(shown.text, /httpMetrics\(\)/);

  // The first value recorded brings the panels.
  registry.counter('jobs.created_total').inc();
  await w.page.waitForSelector('#content:not([hidden])');
  t.true(await w.page.evaluate(() => document.getElementById('empty-panel').hidden));
  t.deepEqual(w.errors, []);
});

withChromium(
  'a native histogram with buckets: false shows its percentiles and their error',
  async (t) => {
    const registry = new MetricsRegistry();
    const requests = registry.counter('http.requests_total', {
      labelNames: ['method', 'route', 'code_class'],
    });
    const latency = registry.histogram('http.request_latency_ms', {
      labelNames: ['route'],
      buckets: false,
      native: true,
    });
    const record = (ms: number) => {
      requests.inc(1, { method: 'GET', route: '/native', code_class: '2xx' });
      latency.observe(ms, { route: '/native' });
    };
    record(5000); // before the window: left out of it
    const base = await listen(t, http.createServer(createMetricsHandler({ registry })));
    const w = await page(t);
    await w.page.goto(`${base}/metrics/ui`);
    await w.page.selectOption('#window', '300');
    await until(w, (s) => s.timestamp !== undefined, 'a first snapshot');

    // 1..1000 ms in the window: its p99 is 990 ms, its p50 500 ms.
    for (let ms = 1; ms <= 1000; ms++) record(ms);
    const row = (s: PageState) => s.tables.routes.find((r) => r.key === '/native');
    const state = await until(
      w,
      (s) => (row(s)?.cells.rate.value ?? 0) > 0,
      'the window on the page',
    );
    const cells = row(state)!.cells;
    const error = 2 ** (2 ** -3) - 1;
    for (const [col, want] of [
      ['p50', 500],
      ['p90', 900],
      ['p99', 990],
    ] as const) {
      const got = cells[col].value;
      t.true(got !== null && Math.abs(got - want) <= error * want, `${col}: ${got} for ${want}`);
    }
    t.true(Math.abs(state.tiles.p99.value! - 990) <= error * 990);
    t.is(state.tiles.p99.sub, 'all routes · ±9.05 %');
    const hints = await w.page.evaluate(() => ({
      cell: document.querySelector('#routes tbody td[data-col="p99"]').title,
      tile: document.querySelector('[data-figure="p99"]').title,
    }));
    t.is(hints.cell, 'From native histogram buckets: within ±9.05 % of the true value');
    t.regex(hints.tile, /native histogram buckets: within ±9\.05 %/);
    t.deepEqual(w.errors, []);
  },
);
