import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OVERFLOW_VALUE } from '../../src';
import { labelValue } from '../../src/redact/redact';
import { dropped, newRegistry } from '../support/registry';
import { leaks, SECRET_CORPUS } from './secret-corpus';
import { TS_REGISTER } from '../support/typescript';

const run = promisify(execFile);
const MiB = 1 << 20;

test('long label values are not kept in memory: 200 distinct ones of 256 KiB (child process)', async (t) => {
  const script = join(__dirname, 'long-values-child.ts');
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', '-r', TS_REGISTER, script, '200'],
    { cwd: join(__dirname, '..', '..'), maxBuffer: 1 << 20 },
  );
  const r = JSON.parse(stdout) as { growth: number; total: number };
  t.log(`heap growth after 200 values of 256 KiB: ${(r.growth / MiB).toFixed(1)} MB`);
  t.is(r.total, 401, 'every call counted (and the warm-up)');
  // The values themselves are 200 × 256 KiB = 50 MB (100 MB as UTF-16).
  t.true(r.growth < 5 * MiB, `${r.growth} bytes`);
});

test('past the series cap, a 1 MiB value folds into __overflow__ on every call, and shows nothing', (t) => {
  const { registry } = newRegistry({ maxSeriesPerMetric: 2 });
  const c = registry.counter('up.calls_total', { labelNames: ['url'] });
  c.inc(1, { url: '/a' });
  c.inc(1, { url: '/b' });
  for (const secret of SECRET_CORPUS) {
    const value = `${secret.value} ${'a.'.repeat(MiB / 2)}`;
    for (let i = 0; i < 3; i++) c.inc(1, { url: value });
  }
  const snap = registry.snapshot();
  t.is(snap.counters[`up.calls_total|url=${OVERFLOW_VALUE}`], 3 * SECRET_CORPUS.length);
  t.is(dropped(registry, 'overflow'), 3 * SECRET_CORPUS.length);
  t.deepEqual(leaks(JSON.stringify(snap)), []);
});

test('below the cap, a 1 MiB value gets its series once, under the label its first 4 KiB give', (t) => {
  const { registry } = newRegistry();
  const c = registry.counter('big.calls_total', { labelNames: ['note'] });
  const value = `retry ${'x'.repeat(100)} ${'a-'.repeat(MiB / 2)}`;
  for (let i = 0; i < 3; i++) c.inc(1, { note: value });
  const keys = Object.keys(registry.snapshot().counters).filter((k) => k.startsWith('big.'));
  t.deepEqual(keys, [`big.calls_total|note=${labelValue(value)}`]);
  t.is(labelValue(value), `retry ${'x'.repeat(100)} [redacted]`.slice(0, 128));
  t.is(registry.snapshot().counters[keys[0]], 3);
});
