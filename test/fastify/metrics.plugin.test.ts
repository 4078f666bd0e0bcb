import test from 'ava';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { MetricsRegistry } from '../../src';
import { createMetricsHandler } from '../../src/controller/metrics-handler';
import { correlationId, type CorrelationMode } from '../../src';
import { fastifyMetrics } from '../../src/fastify';
import { abortedRequest, gate, latencyCount, watchServer } from '../support/http';
import { counter, logsAbout, newRegistry, total } from '../support/registry';
import { eventually } from '../support/wait';
import { noteContextOff } from '../../src/context/correlation';

// Tests below call correlationId() where the async context is off, on purpose: its one-time
// hint goes to this logger rather than to the console of whichever registry came first.
const hints = newRegistry();
noteContextOff(hints.registry);

const REQS = 'http.requests_total|';

/** The events that carry each started app's records, by its base URL. */
const watches = new Map<string, ReturnType<typeof watchServer>>();

async function start(
  t: import('ava').ExecutionContext,
  registry: MetricsRegistry,
  slow = gate(),
  correlation: CorrelationMode = 'auto',
) {
  const app = Fastify();
  const watch = watchServer(app.server);
  t.teardown(() => app.close());
  await app.register(fastifyMetrics, { registry, correlation });
  const scrape = createMetricsHandler({ registry });
  app.get('/metrics', (req, reply) => {
    reply.hijack();
    scrape(req.raw, reply.raw);
  });
  app.get('/jobs/:id', async (req) => ({ id: (req.params as { id: string }).id }));
  app.post('/jobs', async (req, reply) => {
    await new Promise((r) => setTimeout(r, 2));
    reply.code(201);
    return { body: req.body, correlation: correlationId(), ofRequest: correlationId(req) };
  });
  app.get('/boom/:id', async () => {
    throw Object.assign(new Error('nope'), { statusCode: 409 });
  });
  app.get('/slow', async () => {
    slow.enter();
    await slow.released;
    return 'late';
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  watches.set(base, watch);
  return base;
}

test('Fastify: routes from routeOptions.url, exact counts, errors, 404s', async (t) => {
  const registry = new MetricsRegistry();
  const base = await start(t, registry);
  const N = 40;
  await Promise.all(
    Array.from({ length: N }, (_, i) => fetch(`${base}/jobs/${i}?q=${i}`).then((r) => r.text())),
  );
  await (await fetch(`${base}/boom/1`)).text();
  await (await fetch(`${base}/missing/42`)).text();
  await (await fetch(`${base}/metrics`)).text();
  await eventually(() => total(registry, REQS) === N + 2, 'all requests');
  t.is(counter(registry, `${REQS}method=GET,route=/jobs/:id,code_class=2xx`), N);
  t.is(counter(registry, `${REQS}method=GET,route=/boom/:id,code_class=4xx`), 1);
  t.is(counter(registry, 'http.errors_total|route=/boom/:id,code=409'), 1);
  t.is(counter(registry, `${REQS}method=GET,route=/missing/:id,code_class=4xx`), 1);
  t.is(latencyCount(registry, '/jobs/:id'), N);
});

for (const mode of ['context', 'request'] as const) {
  test(`Fastify, correlation '${mode}': ids through the body parser and awaits, echoed`, async (t) => {
    const registry = new MetricsRegistry({ logger: () => {} });
    const base = await start(t, registry, gate(), mode);
    const got = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fetch(`${base}/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-correlation-id': `c-${i}` },
          body: JSON.stringify({ i }),
        }).then(async (r) => ({
          header: r.headers.get('x-correlation-id'),
          ...((await r.json()) as { correlation?: string; ofRequest: string }),
        })),
      ),
    );
    got.forEach(({ header, correlation, ofRequest }, i) => {
      t.is(header, `c-${i}`);
      t.is(ofRequest, `c-${i}`, "correlationId(req) takes Fastify's request");
      t.is(correlation, mode === 'context' ? `c-${i}` : undefined);
    });
    // The one-time hint, where the test asked for it.
    if (mode === 'request') t.is(logsAbout(hints.logs, 'found no request context').length, 1);
    await eventually(
      () => counter(registry, `${REQS}method=POST,route=/jobs,code_class=2xx`) === 10,
      'posts',
    );
  });
}

test('Fastify: an aborted request counts once as aborted', async (t) => {
  const registry = new MetricsRegistry();
  const slow = gate();
  const base = await start(t, registry, slow);
  await abortedRequest(base, '/slow', slow.entered);
  await eventually(() => total(registry, REQS) === 1, 'the abort');
  slow.release();
  await watches.get(base)!.responsesClosed();
  t.is(counter(registry, `${REQS}method=GET,route=/slow,code_class=aborted`), 1);
  t.is(total(registry, REQS), 1);
});

test("Fastify: 'on-demand' echo by default, 'always' on request", async (t) => {
  for (const correlationEcho of [undefined, 'always'] as const) {
    const app = Fastify();
    t.teardown(() => app.close());
    await app.register(fastifyMetrics, { registry: new MetricsRegistry(), correlationEcho });
    app.get('/quiet', async () => 'quiet');
    app.get('/asks', async (req) => correlationId(req));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const quiet = await fetch(`${base}/quiet`);
    const asks = await fetch(`${base}/asks`);
    const made = asks.headers.get('x-correlation-id');
    t.regex(made ?? '', /^[0-9a-f-]{36}$/);
    t.is(await asks.text(), String(made), 'the id read is the one echoed');
    if (correlationEcho === 'always')
      t.regex(quiet.headers.get('x-correlation-id') ?? '', /^[0-9a-f-]{36}$/);
    else t.is(quiet.headers.get('x-correlation-id'), null, 'nothing asked for it');
    const brought = await fetch(`${base}/quiet`, { headers: { 'x-correlation-id': 'f-1' } });
    t.is(brought.headers.get('x-correlation-id'), 'f-1');
  }
});
