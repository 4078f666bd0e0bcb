import test from 'ava';
import http from 'node:http';
import { httpMetrics, MetricsRegistry, Route } from '../../src';
import { listen, watchServer } from '../support/http';
import { counter, dropped, logsAbout, newRegistry, total } from '../support/registry';
import { assertPromtoolClean, testWithTools } from '../support/tools';
import { eventually } from '../support/wait';

const REQS = 'http.requests_total|';
const withPromtool = testWithTools('promtool');

type Mw = ReturnType<typeof httpMetrics>;

/** A plain node:http server measured by `mw`: `/status/<n>` answers n, anything else 200. */
async function serve(t: import('ava').ExecutionContext, mw: Mw) {
  const server = http.createServer((req, res) =>
    mw(req, res, () => {
      const m = /^\/status\/(\d+)/.exec(req.url ?? '');
      res.statusCode = m ? Number(m[1]) : 200;
      res.setHeader('x-tenant-echo', String(req.headers['x-tenant'] ?? ''));
      res.end('ok');
    }),
  );
  const watch = watchServer(server);
  const base = await listen(t, server);
  const get = async (path: string, headers: Record<string, string> = {}) =>
    (await fetch(base + path, { headers })).text();
  return { base, get, watch };
}

test('buckets: http.request_latency_ms gets them, in ms (seconds in the text formats)', async (t) => {
  const { registry } = newRegistry();
  const { get } = await serve(t, httpMetrics({ registry, buckets: [5, 50, 500] }));
  await get('/a');
  await eventually(() => total(registry, REQS) === 1, 'the request');
  t.deepEqual(registry.definition('http.request_latency_ms')?.buckets, [5, 50, 500]);
  t.deepEqual(
    Object.keys(registry.snapshot().histograms['http.request_latency_ms|route=/a'].buckets),
    ['5', '50', '500', '+Inf'],
  );
  t.regex(
    registry.toPrometheus(),
    /^http_request_latency_seconds_bucket\{route="\/a",le="0\.05"\} /m,
  );
});

test('bad options throw obsweave: errors when the middleware is created', (t) => {
  const registry = new MetricsRegistry();
  const bad: [object, RegExp][] = [
    [{ buckets: [] }, /buckets must be a non-empty array/],
    [{ buckets: [10, 5] }, /strictly increasing/],
    [{ buckets: [1, NaN] }, /not a finite number/],
    [{ bypass: 'yes' }, /bypass must be a function/],
    [{ labels: 1 }, /labels must be a function/],
    [{ labels: () => ({}) }, /labels needs labelNames/],
    [{ labelNames: ['ok', 'bad-name'] }, /invalid label name "bad-name"/],
    [{ labelNames: ['route'] }, /"route" is one of the catalog's own HTTP labels/],
    [{ labelNames: ['code'] }, /"code" is one of the catalog's own HTTP labels/],
    [{ labelNames: ['a', 'a'] }, /declared twice/],
  ];
  for (const [opts, message] of bad) {
    t.throws(() => httpMetrics({ registry, ...opts } as never), { message });
    t.throws(() => httpMetrics({ registry, ...opts } as never), { message: /^obsweave: / });
  }
  t.is(registry.definition('http.requests_total'), undefined, 'a refused set-up defines nothing');
});

test('bypass skips a request entirely; a throwing bypass skips measurement, never the request', async (t) => {
  const { registry, logs } = newRegistry();
  const mw = httpMetrics({
    registry,
    bypass: (req) => {
      if (req.headers['x-boom'] !== undefined) throw new Error('bypass broke token=abc123');
      return req.url === '/health';
    },
  });
  const { get, watch } = await serve(t, mw);
  t.is(await get('/health'), 'ok');
  t.is(await get('/boom', { 'x-boom': '1' }), 'ok', 'the request still got its answer');
  t.is(await get('/boom', { 'x-boom': '1' }), 'ok');
  t.is(await get('/work'), 'ok');
  await eventually(() => total(registry, REQS) === 1, 'the measured request');
  await watch.responsesClosed();
  t.is(total(registry, REQS), 1);
  t.is(counter(registry, `${REQS}method=GET,route=/work,code_class=2xx`), 1);
  t.is(dropped(registry, 'invalid_value'), 2, 'each throw counted');
  const lines = logsAbout(logs, 'bypass()');
  t.is(lines.length, 1, 'logged once');
  t.regex(lines[0], /threw Error: bypass broke token=\[redacted\]; the request is not measured/);
});

test('labels: declared names from the request, on all three metrics, values redacted', async (t) => {
  const { registry, logs } = newRegistry();
  const mw = httpMetrics({
    registry,
    labelNames: ['tenant', 'plan'],
    labels: (req, res) => ({
      tenant: req.headers['x-tenant'],
      plan: res.getHeader('x-tenant-echo') === 'acme' ? 'gold' : 'free',
    }),
  });
  const { get, watch } = await serve(t, mw);
  await get('/jobs', { 'x-tenant': 'acme' });
  await get('/jobs', { 'x-tenant': 'acme' });
  await get('/status/503', { 'x-tenant': 'globex' });
  await get('/jobs', { 'x-tenant': 'https://u:pw@x.example/?sig=s3cret' });
  await get('/jobs'); // no header: ""
  await watch.responsesClosed();
  await eventually(() => total(registry, REQS) === 5, 'all requests');
  const s = registry.snapshot();
  t.is(s.counters[`${REQS}method=GET,route=/jobs,code_class=2xx,tenant=acme,plan=gold`], 2);
  t.is(s.counters[`${REQS}method=GET,route=/status/:id,code_class=5xx,tenant=globex,plan=free`], 1);
  t.is(
    s.counters[`${REQS}method=GET,route=/jobs,code_class=2xx,tenant=https://x.example/,plan=free`],
    1,
  );
  t.is(s.counters[`${REQS}method=GET,route=/jobs,code_class=2xx,tenant=,plan=free`], 1);
  t.is(s.counters['http.errors_total|route=/status/:id,code=503,tenant=globex,plan=free'], 1);
  t.is(s.histograms['http.request_latency_ms|route=/jobs,tenant=acme,plan=gold'].count, 2);
  t.false(JSON.stringify(s).includes('s3cret'));
  t.false(JSON.stringify(s).includes('pw@'));
  t.deepEqual(logs, []);
});

test('labels: undeclared keys are dropped and counted; a throwing labels records "" and logs once', async (t) => {
  const { registry, logs } = newRegistry();
  const mw = httpMetrics({
    registry,
    labelNames: ['tenant'],
    labels: (req) => {
      if (req.url === '/throw') throw new Error('no tenant');
      // `route` must not override the resolved route either.
      return { tenant: 't1', route: '/forged', extra: 'x' };
    },
  });
  const { get, watch } = await serve(t, mw);
  await get('/a');
  await get('/a');
  await get('/throw');
  await get('/throw');
  await watch.responsesClosed();
  await eventually(() => total(registry, REQS) === 4, 'all requests');
  t.is(counter(registry, `${REQS}method=GET,route=/a,code_class=2xx,tenant=t1`), 2);
  t.is(counter(registry, `${REQS}method=GET,route=/throw,code_class=2xx,tenant=`), 2);
  t.is(
    total(registry, REQS, (k) => k.includes('forged')),
    0,
  );
  t.is(dropped(registry, 'undeclared_label'), 2);
  t.is(dropped(registry, 'invalid_value'), 2);
  t.is(logsAbout(logs, 'labels()').length, 2, 'one line per kind of problem');
  t.is(logsAbout(logs, '"route", "extra", not in labelNames [tenant]').length, 1);
  t.is(logsAbout(logs, 'threw Error: no tenant; the request is recorded with "" values').length, 1);
});

test('labels are capped by the series limit like any label', async (t) => {
  const { registry } = newRegistry({ maxSeriesPerMetric: 5 });
  let n = 0;
  const mw = httpMetrics({ registry, labelNames: ['user'], labels: () => ({ user: `u${n++}` }) });
  const { get, watch } = await serve(t, mw);
  for (let i = 0; i < 12; i++) await get('/a');
  await watch.responsesClosed();
  await eventually(() => total(registry, REQS) === 12, 'all requests');
  const keys = Object.keys(registry.snapshot().counters).filter((k) => k.startsWith(REQS));
  t.is(keys.length, 6, 'five series, then one overflow series');
  t.is(
    counter(
      registry,
      `${REQS}method=__overflow__,route=__overflow__,code_class=__overflow__,user=__overflow__`,
    ),
    7,
  );
  t.true(dropped(registry, 'overflow') >= 7);
});

test('catalog interplay: registerCatalog() after the middleware keeps its labels and buckets; @Route records "" for them', async (t) => {
  const { registry, logs } = newRegistry();
  const mw = httpMetrics({
    registry,
    buckets: [10, 100],
    labelNames: ['tenant'],
    labels: () => ({ tenant: 'acme' }),
  });
  registry.registerCatalog();
  class Api {
    @Route('/api/legacy', { registry })
    legacy() {
      return 'ok';
    }
  }
  new Api().legacy();
  const { get, watch } = await serve(t, mw);
  await get('/x');
  await watch.responsesClosed();
  await eventually(() => total(registry, REQS) === 2, 'both');
  t.is(counter(registry, `${REQS}method=GET,route=/api/legacy,code_class=2xx,tenant=`), 1);
  t.is(counter(registry, `${REQS}method=GET,route=/x,code_class=2xx,tenant=acme`), 1);
  t.deepEqual(registry.definition('http.request_latency_ms'), {
    name: 'http.request_latency_ms',
    type: 'histogram',
    labelNames: ['route', 'tenant'],
    buckets: [10, 100],
  });
  t.is(dropped(registry, 'conflict'), 0);
  t.deepEqual(logs, []);
  // A second middleware with the same options, or none, shares the families.
  t.notThrows(() => httpMetrics({ registry, buckets: [10, 100], labelNames: ['tenant'] }));
  t.notThrows(() => httpMetrics({ registry }));
});

test('catalog interplay: an earlier conflicting definition is reported at configuration time', (t) => {
  const catalog = new MetricsRegistry();
  catalog.registerCatalog();
  t.throws(() => httpMetrics({ registry: catalog, labelNames: ['tenant'] }), {
    message:
      /^obsweave: HTTP metrics: "http.requests_total" is already defined with labels \[method, route, code_class\], these options need labels \[method, route, code_class, tenant\]\. Set up the HTTP middleware .* before registerCatalog\(\)/,
  });
  t.throws(() => httpMetrics({ registry: catalog, buckets: [10, 100] }), {
    message:
      /"http.request_latency_ms" is already defined with labels \[route\] and buckets \[1, 2, 5,.*\], these options need labels \[route\] and buckets \[10, 100\]/,
  });
  // The catalog's own buckets are no conflict.
  t.notThrows(() =>
    httpMetrics({
      registry: catalog,
      buckets: [...catalog.definition('http.request_latency_ms')!.buckets!],
    }),
  );

  const routed = new MetricsRegistry();
  class Api {
    @Route('/r', { registry: routed })
    r() {}
  }
  new Api().r();
  t.throws(() => httpMetrics({ registry: routed, labelNames: ['tenant'] }), {
    message: /before any @Route handler runs/,
  });

  const other = new MetricsRegistry();
  httpMetrics({ registry: other, labelNames: ['tenant'] });
  t.throws(() => httpMetrics({ registry: other, labelNames: ['region'] }), {
    message: /already defined with labels \[method, route, code_class, tenant\]/,
  });
});

withPromtool(
  'promtool: extra HTTP labels, custom buckets and default labels together are clean',
  async (t) => {
    const { registry } = newRegistry({ defaultLabels: { service: 'api', version: '1.4.2' } });
    const mw = httpMetrics({
      registry,
      buckets: [5, 50, 500],
      labelNames: ['tenant'],
      labels: (req) => ({ tenant: req.headers['x-tenant'] }),
    });
    registry.registerCatalog();
    const { get, watch } = await serve(t, mw);
    await get('/a', { 'x-tenant': 'say "hi"' });
    await get('/status/404', { 'x-tenant': 'b' });
    await get('/c');
    await watch.responsesClosed();
    await eventually(() => total(registry, REQS) === 3, 'all requests');
    const text = registry.toPrometheus();
    t.regex(
      text,
      /^http_request_latency_seconds_bucket\{route="\/a",tenant="say \\"hi\\"",service="api",version="1\.4\.2",le="0\.005"\} /m,
    );
    assertPromtoolClean(t, text);
  },
);
