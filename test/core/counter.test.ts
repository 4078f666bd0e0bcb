import test from 'ava';
import { dropped, logsAbout, newRegistry } from '../support/registry';

test('inc() adds 1 by default, and the given amount otherwise', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('jobs.created_total');
  c.inc();
  c.inc(2.5);
  c.inc(undefined);
  c.inc(0);
  t.is(registry.snapshot().counters['jobs.created_total'], 4.5);
});

test('labelled series are keyed by their labels in declared order', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('http.requests_total', {
    labelNames: ['method', 'route', 'code_class'],
  });
  c.inc(1, { code_class: '2xx', route: '/api/jobs', method: 'GET' });
  c.inc(1, { method: 'GET', route: '/api/jobs', code_class: '2xx' });
  c.inc(1, { method: 'POST', route: '/api/jobs', code_class: '5xx' });
  t.deepEqual(
    Object.entries(registry.snapshot().counters).filter(([k]) => k.startsWith('http.')),
    [
      ['http.requests_total|method=GET,route=/api/jobs,code_class=2xx', 2],
      ['http.requests_total|method=POST,route=/api/jobs,code_class=5xx', 1],
    ],
  );
});

test('label values of any type become strings; equal strings share a series', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('x_total', { labelNames: ['code'] });
  c.inc(1, { code: 404 });
  c.inc(1, { code: '404' });
  c.inc(1, { code: true });
  c.inc(1, { code: null });
  c.inc(1, { code: undefined });
  c.inc(1, {});
  const counters = registry.snapshot().counters;
  t.is(counters['x_total|code=404'], 2);
  t.is(counters['x_total|code=true'], 1);
  t.is(counters['x_total|code='], 3, 'null, undefined and missing are ""');
});

test('bind() returns a child on one series, the same as the labelled call', (t) => {
  const { registry, logs } = newRegistry();
  const c = registry.counter('external.calls_total', { labelNames: ['service', 'op', 'outcome'] });
  const child = c.bind({ service: 's3', op: 'put', outcome: 'success' });
  child.inc();
  child.inc(4);
  c.inc(1, { service: 's3', op: 'put', outcome: 'success' });
  t.is(registry.snapshot().counters['external.calls_total|service=s3,op=put,outcome=success'], 6);
  child.inc(-1);
  child.inc(NaN);
  t.is(registry.snapshot().counters['external.calls_total|service=s3,op=put,outcome=success'], 6);
  t.is(dropped(registry, 'invalid_value'), 2);
  t.is(logsAbout(logs, 'external.calls_total').length, 1);
});

test('bind() on an unlabelled counter, and with no labels on a labelled one', (t) => {
  const { registry } = newRegistry();
  registry.counter('a_total').bind().inc(2);
  registry
    .counter('b_total', { labelNames: ['k'] })
    .bind()
    .inc(3);
  const counters = registry.snapshot().counters;
  t.is(counters['a_total'], 2);
  t.is(counters['b_total|k='], 3);
});

test('a labelled counter creates no series until it is used', (t) => {
  const { registry } = newRegistry();
  registry.counter('http.errors_total', { labelNames: ['route', 'code'] });
  t.false(Object.keys(registry.snapshot().counters).some((k) => k.startsWith('http.')));
  t.notRegex(registry.toPrometheus(), /^http_errors_total\{/m);
});

test('an unlabelled counter shows 0 before its first increment', (t) => {
  const { registry } = newRegistry();
  registry.counter('jobs.created_total');
  t.is(registry.snapshot().counters['jobs.created_total'], 0);
});

test('very large increments add up as floating point numbers', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('bytes_total');
  c.inc(Number.MAX_SAFE_INTEGER);
  c.inc(1);
  t.is(registry.snapshot().counters['bytes_total'], Number.MAX_SAFE_INTEGER + 1);
});
