import test from 'ava';
import http from 'node:http';
import { MetricsRegistry } from '../../src';
import { correlationId } from '../../src';
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

test('every request of a concurrent burst is counted once, by normalized route', async (t) => {
  const registry = new MetricsRegistry();
  const mw = httpMetrics({ registry });
  const server = http.createServer((req, res) => {
    mw(req, res);
    setTimeout(() => {
      res.statusCode = req.url!.startsWith('/missing') ? 404 : 200;
      res.end('ok');
    }, Math.random() * 10);
  });
  const base = await listen(t, server);
  const N = 60;
  await Promise.all(
    Array.from({ length: N }, (_, i) =>
      fetch(`${base}${i % 3 === 0 ? `/missing/${i}` : `/users/${i}?page=${i}`}`).then((r) =>
        r.text(),
      ),
    ),
  );
  await eventually(() => total(registry, REQS) === N, 'all requests');
  t.is(counter(registry, `${REQS}method=GET,route=/users/:id,code_class=2xx`), 40);
  t.is(counter(registry, `${REQS}method=GET,route=/missing/:id,code_class=4xx`), 20);
  t.is(counter(registry, 'http.errors_total|route=/missing/:id,code=404'), 20);
  t.is(latencyCount(registry, '/users/:id'), 40);
  t.is(latencyCount(registry, '/missing/:id'), 20);
});

test('routes: the first matching template, else __unmatched__', async (t) => {
  const registry = new MetricsRegistry();
  const mw = httpMetrics({ registry, routes: ['/api/jobs/:id', '/api/jobs'] });
  const server = http.createServer((req, res) => mw(req, res, () => res.end()));
  const base = await listen(t, server);
  for (const p of ['/api/jobs/1', '/api/jobs/2?x=1', '/api/jobs', '/nope/3', '/api/jobs/1/2']) {
    await (await fetch(base + p)).text();
  }
  await eventually(() => total(registry, REQS) === 5, 'all requests');
  t.is(counter(registry, `${REQS}method=GET,route=/api/jobs/:id,code_class=2xx`), 2);
  t.is(counter(registry, `${REQS}method=GET,route=/api/jobs,code_class=2xx`), 1);
  t.is(counter(registry, `${REQS}method=GET,route=__unmatched__,code_class=2xx`), 2);
});

test('a client abort is counted once as aborted, even when the handler answers later', async (t) => {
  const registry = new MetricsRegistry();
  const mw = httpMetrics({ registry });
  const g = gate();
  const server = http.createServer((req, res) => {
    mw(req, res);
    if (req.url === '/slow') {
      g.enter();
      void g.released.then(() => res.end('late'));
    } else res.end('fast');
  });
  const watch = watchServer(server);
  const base = await listen(t, server);
  const fast = Array.from({ length: 10 }, () => fetch(`${base}/fast`).then((r) => r.text()));
  await abortedRequest(base, '/slow', g.entered);
  await Promise.all(fast);
  await eventually(
    () => counter(registry, `${REQS}method=GET,route=/slow,code_class=aborted`) === 1,
    'the abort',
  );
  g.release();
  await watch.responsesClosed();
  t.is(total(registry, REQS), 11);
  t.is(counter(registry, `${REQS}method=GET,route=/fast,code_class=2xx`), 10);
  t.is(total(registry, 'http.errors_total'), 0, 'an abort is not an error response');
  t.is(latencyCount(registry, '/slow'), 1);
});

test('several aborts with AbortController among concurrent requests: exact totals', async (t) => {
  const registry = new MetricsRegistry();
  const mw = httpMetrics({ registry });
  let waiting = 0;
  const held: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    mw(req, res);
    if (req.url === '/hold') {
      waiting++;
      held.push(res);
    } else res.end();
  });
  const watch = watchServer(server);
  const base = await listen(t, server);
  const controllers = Array.from({ length: 5 }, () => new AbortController());
  const aborted = controllers.map((c) =>
    fetch(`${base}/hold`, { signal: c.signal }).catch(() => 'aborted'),
  );
  const ok = Array.from({ length: 20 }, () => fetch(`${base}/ok`).then((r) => r.text()));
  await eventually(() => waiting === 5, 'handlers waiting');
  for (const c of controllers) c.abort();
  await Promise.all([...aborted, ...ok]);
  await eventually(
    () => counter(registry, `${REQS}method=GET,route=/hold,code_class=aborted`) === 5,
    'aborts',
  );
  for (const res of held) res.end();
  await watch.responsesClosed();
  t.is(total(registry, REQS), 25);
});

test('keep-alive connections: each request on a reused socket counts once', async (t) => {
  const registry = new MetricsRegistry();
  const mw = httpMetrics({ registry });
  const server = http.createServer((req, res) => mw(req, res, () => res.end('x')));
  const watch = watchServer(server);
  const base = await listen(t, server);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  t.teardown(() => agent.destroy());
  const get = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get(`${base}/ka`, { agent }, (res) => res.resume().on('end', resolve))
        .on('error', reject);
    });
  await Promise.all(Array.from({ length: 30 }, get));
  await eventually(() => total(registry, REQS) === 30, 'all requests');
  agent.destroy();
  await watch.socketsClosed();
  t.is(total(registry, REQS), 30, 'closing idle sockets adds nothing');
});

test("correlation 'context': an incoming id is echoed and seen by awaited code; a new UUID otherwise", async (t) => {
  const registry = new MetricsRegistry();
  const mw = httpMetrics({ registry, correlation: 'context' });
  const later = async () => {
    await new Promise((r) => setTimeout(r, 5));
    await Promise.resolve();
    return correlationId();
  };
  const server = http.createServer((req, res) => {
    if (req.url === '/next') return mw(req, res, async () => res.end(String(await later())));
    mw(req, res);
    void later().then((id) => res.end(String(id)));
  });
  const base = await listen(t, server);
  for (const path of ['/next', '/plain']) {
    const a = await fetch(base + path, { headers: { 'x-correlation-id': 'abc-123' } });
    t.is(a.headers.get('x-correlation-id'), 'abc-123');
    t.is(await a.text(), 'abc-123');
    const b = await fetch(base + path, { headers: { 'x-request-id': 'req-9' } });
    t.is(await b.text(), 'req-9');
    const c = await fetch(base + path);
    const id = c.headers.get('x-correlation-id')!;
    t.regex(id, /^[0-9a-f-]{36}$/);
    t.is(await c.text(), id);
    const d = await fetch(base + path, { headers: { 'x-correlation-id': 'bad id\twith spaces' } });
    t.not(d.headers.get('x-correlation-id'), 'bad id\twith spaces', 'a malformed id is replaced');
  }
  // Concurrent requests keep their own ids.
  const ids = Array.from({ length: 20 }, (_, i) => `id-${i}`);
  const got = await Promise.all(
    ids.map((id) =>
      fetch(`${base}/next`, { headers: { 'x-correlation-id': id } }).then((r) => r.text()),
    ),
  );
  t.deepEqual(got, ids);
});

test('correlation off: no header, no id; a custom header is read and echoed', async (t) => {
  const registry = new MetricsRegistry();
  const off = httpMetrics({ registry, correlation: false });
  const custom = httpMetrics({ registry, correlationHeader: 'X-Trace-Ref' });
  const server = http.createServer((req, res) =>
    (req.url === '/off' ? off : custom)(req, res, () => res.end(String(correlationId()))),
  );
  const base = await listen(t, server);
  const a = await fetch(`${base}/off`, { headers: { 'x-correlation-id': 'abc' } });
  t.is(a.headers.get('x-correlation-id'), null);
  t.is(await a.text(), 'undefined');
  t.is(logsAbout(hints.logs, 'found no request context').length, 1, 'the one-time hint');
  const b = await fetch(`${base}/custom`, {
    headers: { 'x-trace-ref': 'tr-1', 'x-correlation-id': 'other' },
  });
  t.is(b.headers.get('x-trace-ref'), 'tr-1');
  t.is(await b.text(), 'tr-1');
});

test('ignore: /metrics by default, or what the option says', async (t) => {
  const registry = new MetricsRegistry();
  const byDefault = httpMetrics({ registry });
  const custom = httpMetrics({ registry, ignore: (p) => p === '/healthz' });
  const server = http.createServer((req, res) =>
    (req.headers['x-which'] === 'custom' ? custom : byDefault)(req, res, () => res.end()),
  );
  const base = await listen(t, server);
  for (const p of ['/metrics', '/metrics?format=prometheus', '/metricsx', '/healthz']) {
    await (await fetch(base + p)).text();
  }
  for (const p of ['/healthz?x=1', '/metrics']) {
    await (await fetch(base + p, { headers: { 'x-which': 'custom' } })).text();
  }
  await eventually(() => total(registry, REQS) === 3, 'measured requests');
  t.is(counter(registry, `${REQS}method=GET,route=/metricsx,code_class=2xx`), 1);
  t.is(counter(registry, `${REQS}method=GET,route=/healthz,code_class=2xx`), 1);
  t.is(counter(registry, `${REQS}method=GET,route=/metrics,code_class=2xx`), 1);
});

test('unknown methods are one label value; POST and its 5xx are recorded', async (t) => {
  const registry = new MetricsRegistry();
  const mw = httpMetrics({ registry });
  const server = http.createServer((req, res) =>
    mw(req, res, () => {
      res.statusCode = req.method === 'POST' ? 503 : 200;
      res.end();
    }),
  );
  const base = await listen(t, server);
  await (await fetch(`${base}/x`, { method: 'POST', body: 'a' })).text();
  await (await fetch(`${base}/x`, { method: 'PROPFIND' })).text();
  await eventually(() => total(registry, REQS) === 2, 'requests');
  t.is(counter(registry, `${REQS}method=POST,route=/x,code_class=5xx`), 1);
  t.is(counter(registry, `${REQS}method=OTHER,route=/x,code_class=2xx`), 1);
  t.is(counter(registry, 'http.errors_total|route=/x,code=503'), 1);
});

test('correlation: header names match in any case, x-request-id is the fallback', async (t) => {
  const registry = new MetricsRegistry();
  const mw = httpMetrics({ registry });
  const base = await listen(
    t,
    http.createServer((req, res) => mw(req, res, () => res.end(String(correlationId())))),
  );
  const get = (headers: Record<string, string>) =>
    new Promise<{ echoed: unknown; body: string }>((resolve, reject) => {
      // node:http sends header names as written, so the server sees them in this case.
      const req = http.get(`${base}/case`, { headers }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ echoed: res.headers['x-correlation-id'], body }));
      });
      req.on('error', reject);
    });
  t.deepEqual(await get({ 'X-Correlation-ID': 'Mixed-1' }), { echoed: 'Mixed-1', body: 'Mixed-1' });
  t.deepEqual(await get({ 'X-Request-Id': 'req-2' }), { echoed: 'req-2', body: 'req-2' });
  t.deepEqual(await get({ 'X-CORRELATION-ID': 'bad id', 'x-request-id': 'req-3' }), {
    echoed: 'req-3',
    body: 'req-3',
  });
});
