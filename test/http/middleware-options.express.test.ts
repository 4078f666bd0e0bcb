import test from 'ava';
import express, { type Request, type Response } from 'express';
import http from 'node:http';
import { httpMetrics } from '../../src';
import { listen, watchServer } from '../support/http';
import { counter, newRegistry, total } from '../support/registry';
import { eventually } from '../support/wait';

const REQS = 'http.requests_total|';

test('Express 5: bypass, buckets and labels typed with Express request and response', async (t) => {
  const { registry, logs } = newRegistry({ defaultLabels: { service: 'api' } });
  const app = express();
  app.use(
    httpMetrics({
      registry,
      buckets: [20, 200],
      bypass: (req: Request) => req.method === 'OPTIONS' || req.path === '/health',
      labelNames: ['tenant', 'cache'],
      // Read at the end: the router has filled params (none on a 404), the handler res.locals.
      labels: (req: Request, res: Response) => ({
        tenant: req.params?.tenant ?? req.get('x-tenant'),
        cache: res.locals.cache,
      }),
    }),
  );
  app.get('/health', (_req, res) => void res.send('up'));
  app.get('/t/:tenant/jobs/:id', (req, res) => {
    res.locals.cache = req.params.id === '1' ? 'hit' : 'miss';
    res.json({ id: req.params.id });
  });
  app.options('/t/:tenant/jobs/:id', (_req, res) => void res.sendStatus(204));
  const server = http.createServer(app);
  const watch = watchServer(server);
  const base = await listen(t, server);
  for (const p of ['/health', '/t/acme/jobs/1', '/t/acme/jobs/2', '/t/globex/jobs/1'])
    await (await fetch(base + p)).text();
  await (await fetch(`${base}/t/acme/jobs/1`, { method: 'OPTIONS' })).text();
  await (await fetch(`${base}/nope`, { headers: { 'x-tenant': 'h' } })).text();
  await watch.responsesClosed();
  await eventually(() => total(registry, REQS) === 4, 'the measured requests');
  const route = '/t/:tenant/jobs/:id';
  t.is(
    counter(registry, `${REQS}method=GET,route=${route},code_class=2xx,tenant=acme,cache=hit`),
    1,
  );
  t.is(
    counter(registry, `${REQS}method=GET,route=${route},code_class=2xx,tenant=acme,cache=miss`),
    1,
  );
  t.is(
    counter(registry, `${REQS}method=GET,route=${route},code_class=2xx,tenant=globex,cache=hit`),
    1,
  );
  t.is(counter(registry, `${REQS}method=GET,route=/nope,code_class=4xx,tenant=h,cache=`), 1);
  t.is(
    total(registry, REQS, (k) => k.includes('health') || k.includes('OPTIONS')),
    0,
  );
  t.regex(
    registry.toPrometheus(),
    /^http_request_latency_seconds_bucket\{route="\/t\/:tenant\/jobs\/:id",tenant="acme",cache="hit",service="api",le="0\.02"\} /m,
  );
  t.deepEqual(logs, []);
});
