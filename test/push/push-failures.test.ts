import test from 'ava';
import http from 'node:http';
import { MetricsPusher, pushMetrics } from '../../src/push';
import { listen } from '../support/http';
import { freePort } from '../support/pushgateway';
import { dropped, logsAbout, newRegistry } from '../support/registry';

/** A server answering every request with `status`, keeping what it was sent. */
async function answering(t: Parameters<typeof listen>[0], status: number) {
  const seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] =
    [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.statusCode = status;
      res.end(status >= 400 ? 'something broke at token=abcdef0123456789 ' : '');
    });
  });
  return { url: await listen(t, server), seen };
}

test('a closed port: retried, then counted and logged once, redacted, never thrown', async (t) => {
  const { registry, logs } = newRegistry();
  registry.counter('jobs.done_total').inc();
  const port = await freePort(); // free a moment ago: nothing listens
  const opts = {
    url: `http://ci:hunter2-secret@127.0.0.1:${port}/?token=abcdef0123456789`,
    job: 'nightly',
    retries: 2,
    backoffMs: 1,
    headers: { 'x-api-key': 'header-secret-value' },
  };
  const r = await pushMetrics(registry, opts);
  t.false(r.ok);
  t.is(r.attempts, 3);
  t.is(r.status, undefined);
  t.regex(r.error!, /ECONNREFUSED/);
  t.is(dropped(registry, 'push_error'), 1);
  const again = await pushMetrics(registry, opts);
  t.false(again.ok);
  t.is(dropped(registry, 'push_error'), 2, 'every failed push is counted');
  const lines = logsAbout(logs, 'push to');
  t.is(lines.length, 1, 'logged once');
  t.regex(
    lines[0],
    /push to http:\/\/127\.0\.0\.1:\d+\/metrics\/job\/nightly: PUT failed after 3 tries/,
  );
  for (const secret of ['hunter2', 'abcdef0123456789', 'header-secret-value', 'ci:']) {
    t.false(logs.join('\n').includes(secret), `log holds ${secret}`);
  }
});

test('a 500: retried to the limit; the result carries the status', async (t) => {
  const { registry, logs } = newRegistry();
  const gw = await answering(t, 500);
  const r = await pushMetrics(registry, { url: gw.url, job: 'j', retries: 3, backoffMs: 1 });
  t.deepEqual(
    { ok: r.ok, status: r.status, attempts: r.attempts },
    {
      ok: false,
      status: 500,
      attempts: 4,
    },
  );
  t.is(gw.seen.length, 4);
  t.regex(r.error!, /^HTTP 500: something broke/);
  t.false(r.error!.includes('abcdef0123456789'), 'the error is redacted');
  t.is(dropped(registry, 'push_error'), 1);
  t.is(logsAbout(logs, 'push to').length, 1);
});

test('a 400 (the gateway refused the metrics) is not retried', async (t) => {
  const { registry } = newRegistry();
  const gw = await answering(t, 400);
  const r = await pushMetrics(registry, { url: gw.url, job: 'j', backoffMs: 1 });
  t.false(r.ok);
  t.is(r.attempts, 1);
  t.is(gw.seen.length, 1);
});

test('a gateway that never answers: each try ends at timeoutMs', async (t) => {
  const { registry } = newRegistry();
  let requests = 0;
  const url = await listen(
    t,
    http.createServer(() => {
      requests++; // never answers
    }),
  );
  const r = await pushMetrics(registry, {
    url,
    job: 'j',
    timeoutMs: 100,
    retries: 1,
    backoffMs: 1,
  });
  t.false(r.ok);
  t.is(r.attempts, 2);
  // On a busy machine a try may time out before the server even sees its request.
  t.true(requests <= 2);
  t.regex(r.error!, /timed out/);
  t.is(dropped(registry, 'push_error'), 1);
});

test('what is sent: method, group path, text format, Basic auth from the URL', async (t) => {
  const { registry } = newRegistry();
  registry.counter('jobs.done_total').inc(3);
  const gw = await answering(t, 200);
  const base = gw.url.replace('http://', 'http://ci:p%40ss@');
  const r = await pushMetrics(registry, {
    url: `${base}/prefix`,
    job: 'etl',
    groupingKey: { instance: 'a/b' },
    headers: { 'x-extra': '1' },
  });
  t.deepEqual(r, { ok: true, status: 200, attempts: 1 });
  const [put] = gw.seen;
  t.is(put.method, 'PUT');
  t.is(
    put.url,
    `/prefix/metrics/job/etl/instance@base64/${Buffer.from('a/b').toString('base64url')}`,
  );
  t.is(put.headers.authorization, `Basic ${Buffer.from('ci:p@ss').toString('base64')}`);
  t.is(put.headers['x-extra'], '1');
  t.is(put.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  t.regex(put.body, /^jobs_done_total 3$/m);
  await pushMetrics(registry, { url: gw.url, job: 'etl', method: 'delete' });
  t.is(gw.seen[1].method, 'DELETE');
  t.is(gw.seen[1].body, '');
  t.is(dropped(registry, 'push_error'), 0);
});

test('an async collector: the pushed text waits for it', async (t) => {
  const { registry } = newRegistry();
  registry.addCollector(async () => ({ gauges: { 'queue.depth': 7 } }));
  const gw = await answering(t, 200);
  t.true((await pushMetrics(registry, { url: gw.url, job: 'j' })).ok);
  t.regex(gw.seen[0].body, /^queue_depth 7$/m);
});

test('a failing periodic pusher never throws; stop() resolves with the failure', async (t) => {
  const { registry } = newRegistry();
  const port = await freePort();
  const pusher = new MetricsPusher(registry, {
    url: `http://127.0.0.1:${port}`,
    job: 'j',
    intervalMs: 5,
    retries: 0,
  }).start();
  while (dropped(registry, 'push_error') < 2) await new Promise((r) => setTimeout(r, 5));
  const last = await pusher.stop();
  t.false(last.ok);
  t.is(pusher.stop(), pusher.stop(), 'stop() twice is one stop');
});
