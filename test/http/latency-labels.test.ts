import test from 'ava';
import http from 'node:http';
import { httpMetrics, MetricsRegistry, Route } from '../../src';
import { listen } from '../support/http';
import { dropped, newRegistry, total } from '../support/registry';
import { eventually } from '../support/wait';

const REQS = 'http.requests_total|';

/** A node:http server measured by `mw`: `/status/<n>` answers n, anything else 200. */
async function serve(t: import('ava').ExecutionContext, mw: ReturnType<typeof httpMetrics>) {
  const server = http.createServer((req, res) =>
    mw(req, res, () => {
      const m = /^\/status\/(\d+)/.exec(req.url ?? '');
      res.statusCode = m ? Number(m[1]) : 200;
      res.end('ok');
    }),
  );
  const base = await listen(t, server);
  return async (path: string, method = 'GET') => (await fetch(base + path, { method })).text();
}

const latencyKeys = (registry: MetricsRegistry) =>
  Object.keys(registry.snapshot().histograms)
    .filter((k) => k.startsWith('http.request_latency_ms|'))
    .sort();

test('latencyLabels splits http.request_latency_ms by method and code class, after route', async (t) => {
  const { registry, logs } = newRegistry();
  const get = await serve(
    t,
    httpMetrics({ registry, routes: ['/status/:n'], latencyLabels: ['code_class', 'method'] }),
  );
  await get('/status/200');
  await get('/status/200');
  await get('/status/503', 'POST');
  await eventually(() => total(registry, REQS) === 3, 'the requests');
  t.deepEqual(registry.definition('http.request_latency_ms')?.labelNames, [
    'route',
    'method',
    'code_class',
  ]);
  t.deepEqual(latencyKeys(registry), [
    'http.request_latency_ms|route=/status/:n,method=GET,code_class=2xx',
    'http.request_latency_ms|route=/status/:n,method=POST,code_class=5xx',
  ]);
  t.is(
    registry.snapshot().histograms[
      'http.request_latency_ms|route=/status/:n,method=GET,code_class=2xx'
    ].count,
    2,
  );
  t.regex(
    registry.toPrometheus(),
    /^http_request_latency_seconds_count\{route="\/status\/:n",method="POST",code_class="5xx"\} 1$/m,
  );
  t.is(dropped(registry, 'undeclared_label'), 0, 'no label dropped');
  t.deepEqual(logs, []);
});

test('latencyLabels with extra labels, with one of the two, and with @Route on the same registry', async (t) => {
  const { registry } = newRegistry();
  const get = await serve(
    t,
    httpMetrics({
      registry,
      latencyLabels: ['method'],
      labelNames: ['tenant'],
      labels: () => ({ tenant: 'acme' }),
    }),
  );
  await get('/a', 'DELETE');
  await eventually(() => total(registry, REQS) === 1, 'the request');
  class Api {
    @Route('/b', { registry })
    b() {
      return 1;
    }
  }
  new Api().b();
  t.deepEqual(latencyKeys(registry), [
    'http.request_latency_ms|route=/a,method=DELETE,tenant=acme',
    'http.request_latency_ms|route=/b,method=GET,tenant=',
  ]);
  registry.registerCatalog(); // keeps the split definition rather than conflicting
  t.deepEqual(registry.definition('http.request_latency_ms')?.labelNames, [
    'route',
    'method',
    'tenant',
  ]);
  t.is(dropped(registry, 'undeclared_label'), 0);
});

test('latencyLabels allows only method and code_class, and conflicts with an unsplit definition', (t) => {
  const registry = new MetricsRegistry();
  const bad: [unknown, RegExp][] = [
    ['method', /must be an array of method, code_class/],
    [['path'], /"path" is not one of method, code_class/],
    [['status_code'], /"status_code" is not one of method, code_class/],
    [['method', 'method'], /"method" is named twice/],
  ];
  for (const [latencyLabels, message] of bad) {
    t.throws(() => httpMetrics({ registry, latencyLabels } as never), { message });
    t.throws(() => httpMetrics({ registry, latencyLabels } as never), { message: /^obsweave: / });
  }
  t.is(
    registry.definition('http.request_latency_ms'),
    undefined,
    'a refused set-up defines nothing',
  );
  registry.registerCatalog();
  t.throws(() => httpMetrics({ registry, latencyLabels: ['method'] }), {
    message: /"http\.request_latency_ms" is already defined with labels \[route\]/,
  });
  const other = new MetricsRegistry();
  httpMetrics({ registry: other, latencyLabels: ['code_class', 'method'] });
  t.notThrows(() => httpMetrics({ registry: other, latencyLabels: ['method', 'code_class'] }));
});

test('a configuration error shows the value it refuses redacted', (t) => {
  const registry = new MetricsRegistry();
  const e = t.throws(
    () =>
      httpMetrics({ registry, latencyLabels: ['https://ci:hunter2secret@db.internal'] } as never),
    { message: /is not one of method, code_class/ },
  );
  t.false(e.message.includes('hunter2secret'), e.message);
});
