import test from 'ava';
import { startExpressApp } from '../../examples/express-app/app';
import { counters, post, scrape } from './helpers';

test('express-app counts its requests by route template', async (t) => {
  const app = await startExpressApp({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());

  for (const id of ['1', '2', '1']) t.is((await fetch(`${app.url}/api/videos/${id}`)).status, 200);
  t.is((await fetch(`${app.url}/api/videos/99`)).status, 404);
  t.is((await post(`${app.url}/api/videos`, { title: 'Demo' })).status, 201);
  t.is((await post(`${app.url}/api/videos`, { name: 'no title' })).status, 400);
  t.is((await fetch(`${app.url}/wp-login.php?user=admin`)).status, 404);
  const res = await fetch(`${app.url}/api/videos/2`, {
    headers: { 'x-correlation-id': 'abc-123' },
  });
  t.is(res.headers.get('x-correlation-id'), 'abc-123');
  t.is(((await res.json()) as { correlationId: string }).correlationId, 'abc-123');

  const snap = await scrape(app.url);
  t.deepEqual(
    counters(snap, [
      'http.requests_total|method=GET,route=/api/videos/:id,code_class=2xx',
      'http.requests_total|method=GET,route=/api/videos/:id,code_class=4xx',
      'http.requests_total|method=POST,route=/api/videos,code_class=2xx',
      'http.requests_total|method=POST,route=/api/videos,code_class=4xx',
      'http.requests_total|method=GET,route=__unmatched__,code_class=4xx',
      'http.errors_total|route=/api/videos/:id,code=404',
      'external.calls_total|service=catalog,op=lookup,outcome=success',
    ]),
    {
      'http.requests_total|method=GET,route=/api/videos/:id,code_class=2xx': 4,
      'http.requests_total|method=GET,route=/api/videos/:id,code_class=4xx': 1,
      'http.requests_total|method=POST,route=/api/videos,code_class=2xx': 1,
      'http.requests_total|method=POST,route=/api/videos,code_class=4xx': 1,
      'http.requests_total|method=GET,route=__unmatched__,code_class=4xx': 1,
      'http.errors_total|route=/api/videos/:id,code=404': 1,
      'external.calls_total|service=catalog,op=lookup,outcome=success': 5,
    },
  );
  t.is(snap.histograms['http.request_latency_ms|route=/api/videos/:id']?.count, 5);
  // The scrape itself is not counted.
  t.false(Object.keys(snap.counters).some((k) => k.includes('/metrics')));
});
