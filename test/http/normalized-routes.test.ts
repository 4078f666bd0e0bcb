import test from 'ava';
import fc from 'fast-check';
import { normalizeRoute } from '../../src/http/normalize-route';
import { NormalizedRoutes } from '../../src/http/normalized-routes';

// Segments of every kind normalizeRoute tells apart: words, identifiers of each form, empty ones.
const segment = fc.oneof(
  fc.constantFrom('', 'api', 'jobs', 'v1', 'users', 'logs', 'a', 'health', 'files'),
  fc.nat({ max: 99999 }).map(String),
  fc.uuid(),
  fc.stringMatching(/^[0-9a-f]{8,24}$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,60}$/),
  fc.string({ maxLength: 6 }),
);
const path = fc
  .tuple(
    fc.boolean(),
    fc.array(segment, { maxLength: 6 }),
    fc.constantFrom('', '?x=1', '#top', '?a=/b/123', '?', '/'),
  )
  .map(([lead, segs, tail]) => (lead ? '/' : '') + segs.join('/') + tail);

test('NormalizedRoutes gives what normalizeRoute gives, for any path, first time and after', (t) => {
  const routes = new NormalizedRoutes();
  fc.assert(
    fc.property(fc.array(path, { minLength: 1, maxLength: 20 }), (paths) => {
      for (const p of [...paths, ...paths]) {
        if (routes.resolve(p) !== normalizeRoute(p)) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass();
});

test('a route is remembered across identifiers: one string for /users/1 and /users/2', (t) => {
  const routes = new NormalizedRoutes();
  t.is(routes.resolve('/users/1'), '/users/:id');
  t.is(routes.resolve('/users/2?x=1'), '/users/:id');
  t.is(routes.resolve('/users/2/logs'), '/users/:id/logs');
  t.is(routes.resolve('users/2'), 'users/:id');
  t.is(routes.resolve(''), '/');
  t.is(routes.resolve('?q'), '/');
  t.is(routes.resolve('/'), '/');
  t.is(routes.resolve('//x'), '//x');
});

test('past its limits (clients choose paths) it still answers, the plain way', (t) => {
  const routes = new NormalizedRoutes();
  // Literal segments only: 200 under one segment (it takes 64), then far more than 4096 in all.
  for (let i = 0; i < 200; i++) t.is(routes.resolve(`/seg${i}`), `/seg${i}`);
  for (let i = 0; i < 6000; i++) {
    const p = `/a${i % 50}/b${Math.floor(i / 50) % 50}/c${i % 60}?n=${i}`;
    t.is(routes.resolve(p), normalizeRoute(p));
  }
  t.is(routes.resolve('/users/7'), '/users/:id');
  t.is(routes.resolve(42 as unknown as string), '/');
});
