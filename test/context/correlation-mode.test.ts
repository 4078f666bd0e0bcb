import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { httpMetrics } from '../../src';
import { resolveCorrelationMode } from '../../src/context/correlation-mode';
import { fastifyMetrics } from '../../src/fastify';

const MAJOR = Number(process.versions.node.split('.')[0]);
const ROOT = join(__dirname, '../..');

test(`'auto' picks the async context on Node >= 24 and the request on 20 and 22 (this is Node ${MAJOR})`, (t) => {
  const expected = MAJOR >= 24 ? 'context' : 'request';
  t.is(resolveCorrelationMode('auto'), expected);
  t.is(resolveCorrelationMode(undefined), expected, 'the default');
  t.is(resolveCorrelationMode(true), expected, 'true, the option before it had modes');
  t.is(resolveCorrelationMode('context'), 'context');
  t.is(resolveCorrelationMode('request'), 'request');
  t.is(resolveCorrelationMode(false), false);
});

test("'auto' follows the flag that turns the async context frame on or off", (t) => {
  const flag =
    MAJOR >= 24
      ? '--no-async-context-frame'
      : MAJOR >= 22
        ? '--experimental-async-context-frame'
        : undefined;
  if (flag === undefined) {
    // Node 20 has no async context frame: no flag changes what 'auto' picks.
    t.is(resolveCorrelationMode('auto'), 'request');
    return;
  }
  const out = execFileSync(
    process.execPath,
    [
      flag,
      '-e',
      `const m = require(${JSON.stringify(join(ROOT, 'dist/context/correlation-mode'))});` +
        `process.stdout.write(String(m.resolveCorrelationMode('auto')))`,
    ],
    { encoding: 'utf8' },
  );
  t.is(out, MAJOR >= 24 ? 'request' : 'context', `with ${flag}`);
});

test('a correlation option that is no mode throws at configuration time', (t) => {
  for (const bad of ['yes', 'Context', 1, null, {}]) {
    const e = t.throws(() => httpMetrics({ correlation: bad as never }));
    t.regex(e!.message, /^obsweave: correlation must be 'auto', 'context', 'request' or false/);
    // Fastify hears of a plugin's configuration error through `done`, as `register` rejects.
    let reported: Error | undefined;
    fastifyMetrics({} as never, { correlation: bad as never }, (err) => (reported = err));
    t.regex(reported?.message ?? '', /^obsweave: correlation must be/);
  }
});
