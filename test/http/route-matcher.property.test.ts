import test from 'ava';
import fc from 'fast-check';
import { compileRoutes } from '../../src/http/route-matcher';

/**
 * What a list of templates means, written plainly: each template in turn, split into segments,
 * the path walked segment by segment up to its query; the first that matches wins.
 */
function firstMatch(templates: readonly string[], url: string): string | undefined {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).split('/').filter((s) => s !== '');
  for (const t of templates) {
    const parts = t.split('/').filter((s) => s !== '');
    const rest = parts.length > 0 && parts[parts.length - 1].startsWith('*');
    if (rest) parts.pop();
    if (rest ? path.length <= parts.length : path.length !== parts.length) continue;
    if (parts.every((p, i) => p.startsWith(':') || p === path[i])) return t;
  }
  return undefined;
}

const segment = fc.constantFrom('a', 'b', 'ab', 'jobs', ':id', ':x', '*', '*rest', '');
const template = fc
  .array(segment, { maxLength: 4 })
  .map((s) => '/' + s.join('/') + (s.length % 2 === 1 ? '/' : ''));
const url = fc
  .tuple(
    fc.array(fc.constantFrom('a', 'b', 'ab', 'jobs', 'c', '', '7'), { maxLength: 5 }),
    fc.constantFrom('', '?', '?q=/a/b', '/?x'),
  )
  .map(([s, query]) => '/' + s.join('/') + query);

test('route templates: the first template that matches wins, whatever the list', (t) => {
  let matched = 0;
  t.notThrows(() =>
    fc.assert(
      fc.property(
        fc.array(template, { minLength: 1, maxLength: 8 }),
        fc.array(url, { maxLength: 8 }),
        (ts, urls) => {
          const match = compileRoutes(ts);
          for (const u of urls) {
            const want = firstMatch(ts, u);
            if (want !== undefined) matched++;
            if (match(u) !== want) return false;
          }
          return true;
        },
      ),
      { numRuns: 3000 },
    ),
  );
  // Not vacuous: many of the URLs drawn match some template.
  t.true(matched > 1000, `${matched} URLs matched`);
});
