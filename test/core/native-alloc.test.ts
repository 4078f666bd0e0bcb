import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

for (const mode of ['bound', 'labelled']) {
  test(`a native observe allocates nothing in steady state: ${mode}`, (t) => {
    const out = execFileSync(
      process.execPath,
      [
        '--trace-gc',
        // Optimised code as soon as V8 decides on it, however loaded the machine: the steady state.
        '--no-concurrent-recompilation',
        '--max-semi-space-size=1',
        '-r',
        'ts-node/register/transpile-only',
        join(__dirname, '..', 'fixtures', 'native-observe-gc.ts'),
        mode,
      ],
      // Without coverage: c8's block counters (NODE_V8_COVERAGE) change what V8 optimises.
      { encoding: 'utf8', cwd: join(__dirname, '..', '..'), env: withoutCoverage() },
    );
    const during = out.slice(out.indexOf('measure\n'), out.indexOf('done\n'));
    t.true(out.includes('done\n'));
    // 1,500,000 observations; 16 bytes each would be 24 MB through a 1 MB young generation.
    const collections = during.split('\n').filter((l) => /Scavenge|Mark-Compact/.test(l)).length;
    t.true(collections <= 3, `${collections} collections:\n${during}`);
  });
}

function withoutCoverage(): NodeJS.ProcessEnv {
  // Empty, not deleted: Node hands a child its parent's NODE_V8_COVERAGE unless env names it.
  return { ...process.env, NODE_V8_COVERAGE: '' };
}
