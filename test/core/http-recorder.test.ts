import test from 'ava';
import { httpRecorder } from '../../src/core/http-recorder';
import { counter, histCount, quietRegistry } from '../support/registry';

test('requests of routes in turn each count in their own route, status and method', (t) => {
  const registry = quietRegistry();
  const rec = httpRecorder(registry);
  const calls: [string, string, number | 'aborted'][] = [
    ['GET', '/a', 200],
    ['GET', '/b', 200],
    ['GET', '/a', 404],
    ['POST', '/a', 200],
    ['GET', '/b', 'aborted'],
    ['GET', '/a', 200],
  ];
  for (const [method, route, outcome] of calls) rec.record(method, route, outcome, 1);
  const requests = (labels: string) => counter(registry, `http.requests_total|${labels}`);
  t.is(requests('method=GET,route=/a,code_class=2xx'), 2);
  t.is(requests('method=GET,route=/a,code_class=4xx'), 1);
  t.is(requests('method=POST,route=/a,code_class=2xx'), 1);
  t.is(requests('method=GET,route=/b,code_class=2xx'), 1);
  t.is(requests('method=GET,route=/b,code_class=aborted'), 1);
  t.is(counter(registry, 'http.errors_total|route=/a,code=404'), 1);
  t.is(histCount(registry, 'http.request_latency_ms|route=/a'), 4);
  t.is(histCount(registry, 'http.request_latency_ms|route=/b'), 2);
});
