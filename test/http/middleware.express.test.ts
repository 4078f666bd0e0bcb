import test from 'ava';
import express from 'express';
import http from 'node:http';
import { MetricsRegistry, type Snapshot } from '../../src';
import { createMetricsHandler } from '../../src/controller/metrics-handler';
import { correlationId, type CorrelationMode } from '../../src';
import { httpMetrics } from '../../src';
import { abortedRequest, gate, latencyCount, listen, watchServer } from '../support/http';
import { counter, logsAbout, newRegistry, total } from '../support/registry';
import { eventually } from '../support/wait';
import { noteContextOff } from '../../src/context/correlation';

// Tests below call correlationId() where the async context is off, on purpose: its one-time
// hint goes to this logger rather than to the console of whichever registry came first.
const hints = newRegistry();
noteContextOff(hints.registry);

const REQS = 'http.requests_total|';

function app(registry: MetricsRegistry, slow = gate(), correlation: CorrelationMode = 'auto') {
  const a = express();
  a.use(httpMetrics({ registry, correlation }));
  a.use(express.json());
  a.get('/metrics', createMetricsHandler({ registry }));
  const jobs = express.Router();
  jobs.get('/:id', (req, res) => {
    res.json({ id: req.params.id });
  });
  jobs.post('/', async (req, res) => {
    await new Promise((r) => setTimeout(r, 2));
    res
      .status(201)
      .json({ body: req.body, correlation: correlationId(), ofRequest: correlationId(req) });
  });
  jobs.get('/:id/fail', () => {
    throw new Error('boom');
  });
  jobs.get('/:id/slow', async (_req, res) => {
    slow.enter();
    await slow.released;
    res.end('late');
  });
  a.use('/api/jobs', jobs);
  return a;
}

test('Express: routes are baseUrl + route.path; 404s fall back to the normalized path', async (t) => {
  const registry = new MetricsRegistry();
  const base = await listen(t, http.createServer(app(registry)));
  const N = 40;
  await Promise.all(
    Array.from({ length: N }, (_, i) =>
      fetch(`${base}/api/jobs/${i}?token=x${i}`).then((r) => r.text()),
    ),
  );
  await (await fetch(`${base}/api/jobs/7/fail`)).text();
  await (await fetch(`${base}/nowhere/12`)).text();
  await eventually(() => total(registry, REQS) === N + 2, 'all requests');
  t.is(counter(registry, `${REQS}method=GET,route=/api/jobs/:id,code_class=2xx`), N);
  t.is(counter(registry, `${REQS}method=GET,route=/api/jobs/:id/fail,code_class=5xx`), 1);
  t.is(counter(registry, 'http.errors_total|route=/api/jobs/:id/fail,code=500'), 1);
  t.is(counter(registry, `${REQS}method=GET,route=/nowhere/:id,code_class=4xx`), 1);
  t.is(latencyCount(registry, '/api/jobs/:id'), N);
});

for (const mode of ['context', 'request'] as const) {
  test(`Express, correlation '${mode}': the id survives the body parser and awaits; POST 201 counted`, async (t) => {
    const registry = new MetricsRegistry({ logger: () => {} });
    const base = await listen(t, http.createServer(app(registry, gate(), mode)));
    const bodies = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        fetch(`${base}/api/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': `r-${i}` },
          body: JSON.stringify({ i }),
        }).then(async (r) => ({
          header: r.headers.get('x-correlation-id'),
          json: (await r.json()) as { body: unknown; correlation?: string; ofRequest: string },
        })),
      ),
    );
    bodies.forEach((b, i) => {
      t.is(b.header, `r-${i}`);
      // With the context off, correlationId() after the body parser finds nothing, never another id.
      const correlation = mode === 'context' ? `r-${i}` : undefined;
      t.deepEqual(b.json.body, { i });
      t.is(b.json.ofRequest, `r-${i}`);
      t.is(b.json.correlation, correlation);
    });
    // The one-time hint, where the test asked for it.
    if (mode === 'request') t.is(logsAbout(hints.logs, 'found no request context').length, 1);
    await eventually(() => total(registry, REQS) === 10, 'all requests');
    // A router's root route is labelled as its mount path, as if mounted on the app directly.
    t.is(counter(registry, `${REQS}method=POST,route=/api/jobs,code_class=2xx`), 10);
  });
}

test('Express: an aborted request counts once; the scrape itself is not counted', async (t) => {
  const registry = new MetricsRegistry();
  const slow = gate();
  const server = http.createServer(app(registry, slow));
  const watch = watchServer(server);
  const base = await listen(t, server);
  await abortedRequest(base, '/api/jobs/5/slow', slow.entered);
  await eventually(() => total(registry, REQS) === 1, 'the abort');
  slow.release();
  const scrape = await fetch(`${base}/metrics`);
  const snap = (await scrape.json()) as Snapshot;
  t.is(snap.counters[`${REQS}method=GET,route=/api/jobs/:id/slow,code_class=aborted`], 1);
  await watch.responsesClosed();
  t.is(total(registry, REQS), 1);
});
