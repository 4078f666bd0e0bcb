import test from 'ava';
import { normalizeRoute } from '../../src/http/normalize-route';
import { compileRoutes } from '../../src/http/route-matcher';

const cases: [string, string][] = [
  ['/', '/'],
  ['', '/'],
  ['/users/42', '/users/:id'],
  ['/users/42?x=1#f', '/users/:id'],
  ['/health?verbose=1', '/health'],
  ['/jobs/3f1c2a9e-1b2c-4d5e-8f90-123456789abc/logs', '/jobs/:id/logs'],
  ['/objects/507f1f77bcf86cd799439011', '/objects/:id'],
  ['/t/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl', '/t/:id'],
  ['/keys/AKIAIOSFODNN7EXAMPLE', '/keys/:id'],
  ['/v1/users', '/v1/users'],
  ['/api/jobs/', '/api/jobs/'],
  ['/files/a-rather-long-document-name', '/files/a-rather-long-document-name'],
];

for (const [raw, route] of cases) {
  test(`normalizeRoute(${JSON.stringify(raw)}) is ${route}`, (t) => {
    t.is(normalizeRoute(raw), route);
  });
}

test('normalizeRoute returns the same string when nothing changes', (t) => {
  const p = '/api/jobs/list';
  t.is(normalizeRoute(p), p);
});

test('route templates: first match wins, params match one segment, * the rest', (t) => {
  const match = compileRoutes(['/api/jobs/:id', '/api/jobs', '/api/:thing/:id', '/static/*']);
  t.is(match('/api/jobs/5'), '/api/jobs/:id');
  t.is(match('/api/jobs'), '/api/jobs');
  t.is(match('/api/jobs/'), '/api/jobs');
  t.is(match('/api/users/5'), '/api/:thing/:id');
  t.is(match('/api/jobs/5/logs'), undefined);
  t.is(match('/static/css/site.css'), '/static/*');
  t.is(match('/static'), undefined);
  t.is(match('/'), undefined);
  t.is(match('/api/jobsx'), undefined);
  t.is(match('//api//jobs//5//'), '/api/jobs/:id');
});

test('route templates read a URL up to its query', (t) => {
  const match = compileRoutes(['/api/jobs/:id', '/static/*', '/']);
  t.is(match('/api/jobs/5?next=/a/b'), '/api/jobs/:id');
  t.is(match('/api/jobs/?id=5'), undefined);
  t.is(match('/api/jobs?/5'), undefined);
  t.is(match('/api/jo?bs/5'), undefined);
  t.is(match('/static?x=/y'), undefined);
  t.is(match('/static/?x=/y'), undefined);
  t.is(match('/static/a?x'), '/static/*');
  t.is(match('/static/a/?x'), '/static/*');
  t.is(match('/?a=/b'), '/');
  t.is(match('?a'), '/');
});
