import test from 'ava';
import http from 'node:http';
import {
  MetricsRegistry,
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  type Snapshot,
} from '../../src';
import { MetricsController } from '../../src/controller/metrics-controller';
import { createMetricsHandler } from '../../src/controller/metrics-handler';
import { listen } from '../support/http';

function registryWithData(): MetricsRegistry {
  const r = new MetricsRegistry();
  r.counter('jobs.created_total').inc(3);
  r.histogram('worker.stage_latency_ms', { labelNames: ['stage'] }).observe(12, { stage: 'parse' });
  return r;
}

const negotiation: [string, { url?: string; accept?: string }, string][] = [
  ['no Accept', {}, 'application/json'],
  ['*/*', { accept: '*/*' }, 'application/json'],
  ['a browser', { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' }, 'application/json'],
  ['text/plain', { accept: 'text/plain' }, PROMETHEUS_CONTENT_TYPE],
  ['?format=prometheus', { url: '/metrics?format=prometheus' }, PROMETHEUS_CONTENT_TYPE],
  [
    '?format=prometheus over Accept',
    { url: '/metrics?format=prometheus', accept: 'application/json' },
    PROMETHEUS_CONTENT_TYPE,
  ],
  [
    "Prometheus' scraper",
    {
      accept:
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
    },
    OPENMETRICS_CONTENT_TYPE,
  ],
  [
    'q-values',
    { accept: 'application/openmetrics-text;q=0.3, text/plain;q=0.9' },
    PROMETHEUS_CONTENT_TYPE,
  ],
  [
    'q=0 excludes',
    { accept: 'application/openmetrics-text;q=0, application/json' },
    'application/json',
  ],
];

for (const [name, req, type] of negotiation) {
  test(`negotiation: ${name}`, (t) => {
    const c = new MetricsController(registryWithData());
    const res = c.handle({
      url: req.url ?? '/metrics',
      headers: req.accept ? { accept: req.accept } : {},
    });
    // Without async collectors a registry's export is plain: so is the answer.
    if (res instanceof Promise) return t.fail('a synchronous registry answers synchronously');
    t.is(res.status, 200);
    t.true(res.headers['content-type'].startsWith(type));
    if (type === OPENMETRICS_CONTENT_TYPE) t.true(String(res.body).endsWith('# EOF\n'));
    if (type === PROMETHEUS_CONTENT_TYPE) t.regex(String(res.body), /^jobs_created_total 3$/m);
    if (type === 'application/json')
      t.is(JSON.parse(String(res.body)).counters['jobs.created_total'], 3);
  });
}

test('token: 401 with WWW-Authenticate unless the bearer token matches', async (t) => {
  const c = new MetricsController(registryWithData(), { token: 's3cret-token' });
  for (const authorization of [
    undefined,
    'Bearer nope',
    'Bearer s3cret-toke',
    'Basic czNjcmV0',
    's3cret-token',
    '',
  ]) {
    const res = c.handle({ url: '/metrics', headers: { authorization } }) as {
      status: number;
      headers: Record<string, string>;
      body: string;
    };
    t.is(res.status, 401, String(authorization));
    t.regex(res.headers['www-authenticate'], /^Bearer/);
    t.false(res.body.includes('jobs'));
  }
  const ok = await c.handle({ url: '/metrics', headers: { authorization: 'bearer s3cret-token' } });
  t.is(ok.status, 200);
});

test('the endpoint merges async collectors; a failing source never throws', async (t) => {
  const r = registryWithData();
  r.addCollector(async () => ({ gauges: { 'queue.depth': 4 } }));
  const c = new MetricsController(r);
  const res = c.handle({ url: '/metrics?format=prometheus', headers: {} });
  t.regex(String((await res).body), /^queue_depth 4$/m);
  const broken = {
    exportWith: () => {
      throw new Error('x');
    },
  } as unknown as MetricsRegistry;
  t.is((await new MetricsController(broken).handle({ url: '/', headers: {} })).status, 500);
  t.is((await new MetricsController(r).handle(undefined as never)).status, 200);
});

test('createMetricsHandler serves node:http: GET, HEAD, 405, token', async (t) => {
  const registry = registryWithData();
  const open = createMetricsHandler({ registry });
  const guarded = createMetricsHandler({ registry, token: 'tkn' });
  const base = await listen(
    t,
    http.createServer((req, res) => (req.url!.startsWith('/guarded') ? guarded : open)(req, res)),
  );
  const json = await fetch(`${base}/metrics`);
  t.is(json.status, 200);
  t.is(((await json.json()) as Snapshot).counters['jobs.created_total'], 3);
  const prom = await fetch(`${base}/metrics`, { headers: { accept: 'text/plain' } });
  t.is(prom.headers.get('content-type'), PROMETHEUS_CONTENT_TYPE);
  t.regex(await prom.text(), /# TYPE worker_stage_latency_seconds histogram/);
  const head = await fetch(`${base}/metrics`, { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(await head.text(), '');
  t.is((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
  const denied = await fetch(`${base}/guarded`);
  t.is(denied.status, 401);
  t.regex(denied.headers.get('www-authenticate')!, /^Bearer/);
  t.is((await fetch(`${base}/guarded`, { headers: { authorization: 'Bearer tkn' } })).status, 200);
});
