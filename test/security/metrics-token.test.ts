import test from 'ava';
import http from 'node:http';
import { MetricsController, MetricsRegistry } from '../../src';
import { createMetricsHandler } from '../../src/controller/metrics-handler';
import { listen } from '../support/http';

/**
 * A token no request can carry answered every scrape with 401, quietly. It is refused when
 * the controller is made, with a message that says why and does not repeat the token.
 */

const NEVER: [string, string, RegExp][] = [
  ['two words', 'two-secretword words', /a space \(at character 15\)/],
  ['a leading space', ' secretword', /a space/],
  ['a trailing newline', 'secretword\n', /a space/],
  ['a tab', 'secret\tword', /a space/],
  ['a no-break space', 'secret\u00a0word', /a space/],
  ['a line separator', 'secret\u2028word', /a space/],
  ['a control character', 'secret\u0001word', /a control character/],
  ['DEL', 'secret\u007fword', /a control character/],
  ['a character beyond Latin-1', 'secretword\u0100', /beyond Latin-1/],
  ['an emoji', 'secret😀word', /beyond Latin-1/],
];

for (const [what, token, why] of NEVER) {
  test(`a token with ${what} is refused at construction, without repeating it`, (t) => {
    const registry = new MetricsRegistry();
    for (const make of [
      () => new MetricsController(registry, { token }),
      () => createMetricsHandler({ registry, token }),
    ]) {
      const e = t.throws(make, { instanceOf: TypeError });
      t.regex(e!.message, /^obsweave: MetricsController token can never match/);
      t.regex(e!.message, why);
      t.false(e!.message.includes('secret'), 'the token is not in the message');
    }
  });
}

test('tokens a request can carry still work, Latin-1 and punctuation included', async (t) => {
  const registry = new MetricsRegistry();
  for (const token of ['abc', 'A-Za_z.0~9+/=', 'pässwörd-é', '!"#$%&()*,:;<>?@[\\]^`{|}']) {
    const base = await listen(t, http.createServer(createMetricsHandler({ registry, token })));
    const right = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    await right.text();
    t.is(right.status, 200, token);
    const wrong = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer other' } });
    await wrong.text();
    t.is(wrong.status, 401, token);
  }
});
