import test from 'ava';
import { startNestApp } from '../../examples/nest-app/main';
import { counters, post, scrape } from './helpers';

test('nest-app counts @Route handlers by their Nest routes and times its provider', async (t) => {
  const app = await startNestApp({ port: 0, host: '127.0.0.1' });
  t.teardown(() => app.close());

  t.is((await post(`${app.url}/api/jobs`, { url: 'https://media.example/a.mp4' })).status, 201);
  t.is((await post(`${app.url}/api/jobs`, { url: 'https://media.example/b.mp4' })).status, 201);
  t.is((await post(`${app.url}/api/jobs`, { url: 'https://media.example/slow.mp4' })).status, 504);
  t.is((await fetch(`${app.url}/api/jobs/1`)).status, 200);
  t.is((await fetch(`${app.url}/api/jobs/42`)).status, 404);

  const snap = await scrape(app.url);
  t.deepEqual(
    counters(snap, [
      'http.requests_total|method=POST,route=/api/jobs,code_class=2xx',
      'http.requests_total|method=POST,route=/api/jobs,code_class=5xx',
      'http.requests_total|method=GET,route=/api/jobs/:id,code_class=2xx',
      'http.requests_total|method=GET,route=/api/jobs/:id,code_class=4xx',
      'http.errors_total|route=/api/jobs/:id,code=404',
      'http.errors_total|route=/api/jobs,code=504',
      'external.calls_total|service=asr,op=transcribe,outcome=success',
      'external.calls_total|service=asr,op=transcribe,outcome=timeout',
    ]),
    {
      'http.requests_total|method=POST,route=/api/jobs,code_class=2xx': 2,
      'http.requests_total|method=POST,route=/api/jobs,code_class=5xx': 1,
      'http.requests_total|method=GET,route=/api/jobs/:id,code_class=2xx': 1,
      'http.requests_total|method=GET,route=/api/jobs/:id,code_class=4xx': 1,
      'http.errors_total|route=/api/jobs/:id,code=404': 1,
      'http.errors_total|route=/api/jobs,code=504': 1,
      'external.calls_total|service=asr,op=transcribe,outcome=success': 2,
      'external.calls_total|service=asr,op=transcribe,outcome=timeout': 1,
    },
  );
  t.is(snap.histograms['external.call_latency_ms|service=asr,op=transcribe']?.count, 3);

  const text = await (await fetch(`${app.url}/metrics?format=prometheus`)).text();
  t.regex(text, /^http_requests_total\{method="POST",route="\/api\/jobs",code_class="2xx"\} 2$/m);
});
