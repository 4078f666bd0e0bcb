import test from 'ava';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { Route } from '../../src';
import { fastifyMetrics } from '../../src/fastify';
import { watchServer } from '../support/http';
import { counter, dropped, logsAbout, newRegistry, total } from '../support/registry';
import { assertPromtoolClean, testWithTools } from '../support/tools';
import { eventually } from '../support/wait';

const REQS = 'http.requests_total|';
const withPromtool = testWithTools('promtool');

async function listen(app: ReturnType<typeof Fastify>): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

test('Fastify 5: bypass and labels get Fastify request and reply; buckets; serve keeps working', async (t) => {
  const { registry, logs } = newRegistry({ defaultLabels: { service: 'api', version: '2' } });
  const app = Fastify();
  const watch = watchServer(app.server);
  t.teardown(() => app.close());
  await app.register(fastifyMetrics, {
    registry,
    serve: true,
    buckets: [25, 250],
    bypass: (request: FastifyRequest) => request.routeOptions.url === '/health',
    labelNames: ['tenant', 'status_text'],
    labels: (request: FastifyRequest, reply: FastifyReply) => ({
      tenant: (request.params as { tenant?: string }).tenant,
      status_text: reply.statusCode >= 400 ? 'bad' : 'good',
    }),
  });
  app.get('/health', async () => 'up');
  app.get('/t/:tenant/jobs', async () => ({ ok: true }));
  app.get('/t/:tenant/fail', async (_req, reply) => reply.code(422).send({ ok: false }));
  const base = await listen(app);
  for (const p of ['/health', '/t/acme/jobs', '/t/acme/jobs', '/t/globex/fail', '/metrics'])
    await (await fetch(base + p)).text();
  await watch.responsesClosed();
  await eventually(() => total(registry, REQS) === 3, 'the measured requests');
  t.is(
    counter(
      registry,
      `${REQS}method=GET,route=/t/:tenant/jobs,code_class=2xx,tenant=acme,status_text=good`,
    ),
    2,
  );
  t.is(
    counter(
      registry,
      'http.errors_total|route=/t/:tenant/fail,code=422,tenant=globex,status_text=bad',
    ),
    1,
  );
  t.is(
    total(registry, REQS, (k) => k.includes('/health') || k.includes('/metrics')),
    0,
  );
  t.deepEqual(registry.definition('http.request_latency_ms')?.buckets, [25, 250]);
  // The served endpoint answers every format with the default labels on.
  const text = await (await fetch(`${base}/metrics`, { headers: { accept: 'text/plain' } })).text();
  t.regex(
    text,
    /^http_requests_total\{method="GET",route="\/t\/:tenant\/jobs",code_class="2xx",tenant="acme",status_text="good",service="api",version="2"\} 2$/m,
  );
  const json = (await (await fetch(`${base}/metrics`)).json()) as { labels?: object };
  t.deepEqual(json.labels, { service: 'api', version: '2' });
  t.is((await fetch(`${base}/metrics/ui`)).status, 200);
  t.deepEqual(logs, []);
});

test('Fastify: a throwing bypass or labels never fails the request; each is logged once', async (t) => {
  const { registry, logs } = newRegistry();
  const app = Fastify();
  const watch = watchServer(app.server);
  t.teardown(() => app.close());
  await app.register(fastifyMetrics, {
    registry,
    bypass: (request: FastifyRequest) => {
      if (request.headers['x-boom'] === 'bypass') throw new Error('bypass');
      return false;
    },
    labelNames: ['tenant'],
    labels: (request: FastifyRequest) => {
      if (request.headers['x-boom'] === 'labels') throw new Error('labels');
      return { tenant: 'a', stray: 1 };
    },
  });
  app.get('/x', async () => 'ok');
  const base = await listen(app);
  for (const boom of ['bypass', 'bypass', 'labels', 'labels', 'none']) {
    const r = await fetch(`${base}/x`, { headers: { 'x-boom': boom } });
    t.is(await r.text(), 'ok');
  }
  await watch.responsesClosed();
  await eventually(() => total(registry, REQS) === 3, 'the measured requests');
  t.is(counter(registry, `${REQS}method=GET,route=/x,code_class=2xx,tenant=`), 2);
  t.is(counter(registry, `${REQS}method=GET,route=/x,code_class=2xx,tenant=a`), 1);
  t.is(dropped(registry, 'invalid_value'), 4);
  t.is(dropped(registry, 'undeclared_label'), 1);
  t.is(logsAbout(logs, 'bypass()').length, 1);
  t.is(logsAbout(logs, 'threw Error: labels').length, 1);
  t.is(logsAbout(logs, '"stray"').length, 1);
});

test('Fastify: options that conflict with the catalog fail the registration with an obsweave: error', async (t) => {
  const { registry } = newRegistry();
  registry.registerCatalog();
  const app = Fastify();
  t.teardown(() => app.close());
  await t.throwsAsync(
    async () => {
      await app.register(fastifyMetrics, { registry, labelNames: ['tenant'] });
      await app.ready();
    },
    { message: /^obsweave: HTTP metrics: "http.requests_total" is already defined/ },
  );
});

withPromtool(
  'Fastify: @Route and the plugin share the families; the output is promtool clean',
  async (t) => {
    const { registry } = newRegistry({ defaultLabels: { service: 'api' } });
    const app = Fastify();
    t.teardown(() => app.close());
    await app.register(fastifyMetrics, {
      registry,
      serve: true,
      labelNames: ['tenant'],
      labels: () => ({ tenant: 't"1' }),
    });
    registry.registerCatalog();
    class Jobs {
      @Route('/internal/jobs', { registry })
      list() {
        return [];
      }
    }
    new Jobs().list();
    app.get('/x', async () => 'ok');
    const base = await listen(app);
    await (await fetch(`${base}/x`)).text();
    await eventually(() => total(registry, REQS) === 2, 'both');
    t.is(counter(registry, `${REQS}method=GET,route=/internal/jobs,code_class=2xx,tenant=`), 1);
    const text = await (await fetch(`${base}/metrics?format=prometheus`)).text();
    t.regex(
      text,
      /^http_requests_total\{method="GET",route="\/x",code_class="2xx",tenant="t\\"1",service="api"\} 1$/m,
    );
    assertPromtoolClean(t, text);
  },
);
