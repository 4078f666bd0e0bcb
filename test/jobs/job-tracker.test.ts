import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TS_REGISTER } from '../support/typescript';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

test('1,000,000 job ids through maxTracked 10,000 keep heap growth under 20 MB', async (t) => {
  const { stdout } = await run(
    process.execPath,
    ['--expose-gc', '-r', TS_REGISTER, 'test/jobs/fixtures/tracker-heap.ts'],
    { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' } },
  );
  const r = JSON.parse(stdout.trim().split('\n').pop()!);
  t.log(`heap growth ${(r.growth / 1048576).toFixed(2)} MB`);
  t.true(r.growth < 20 * 1048576, `heap grew ${r.growth} bytes`);
  t.is(r.size, 10_000);
  // Every unfinished job beyond the last 10,000 was evicted, and counted as such.
  t.is(r.evicted, r.unfinished - 10_000);
  t.is(r.inflight, 10_000);
  t.is(r.created, 1_001_000);
  t.is(r.latencyCount, 1_000 + 500_000);
});
