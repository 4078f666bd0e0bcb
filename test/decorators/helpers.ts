import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { uncoveredEnv } from '../support/typescript';

export type Dialect = 'legacy' | 'standard';
export const DIALECTS: readonly Dialect[] = ['legacy', 'standard'];

const ROOT = join(__dirname, '..', '..');
const SOURCES = join(ROOT, 'test', 'fixtures', 'standard');
const BUILT = join(ROOT, 'build', 'fixtures-standard');

function mtime(p: string): number {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * `npm test` compiles the standard-decorator fixtures before ava runs; when a single test file
 * is run by hand and they are missing or older than their sources, compile them here, under a
 * lock because ava runs test files in parallel processes.
 */
function ensureStandardBuild(): void {
  const stale = () =>
    readdirSync(SOURCES)
      .filter((f) => f.endsWith('.ts'))
      .some((f) => mtime(join(SOURCES, f)) > mtime(join(BUILT, f.replace(/\.ts$/, '.js'))));
  if (!stale()) return;
  const lock = join(ROOT, 'build', '.fixtures-standard.lock');
  mkdirSync(join(ROOT, 'build'), { recursive: true });
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 60000) throw new Error(`stale lock ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    if (stale()) {
      execFileSync(
        process.execPath,
        [
          require.resolve('typescript/bin/tsc'),
          '-p',
          join(ROOT, 'test', 'fixtures', 'tsconfig.standard.json'),
        ],
        { env: uncoveredEnv() },
      );
    }
  } finally {
    rmdirSync(lock);
  }
}

/** A fixture module, compiled with legacy decorators (ts-node) or standard ones (tsc). */
export function fixture<T>(dialect: Dialect, name: string): T {
  if (dialect === 'legacy') return require(join(SOURCES, `${name}.ts`)) as T;
  ensureStandardBuild();
  return require(join(BUILT, `${name}.js`)) as T;
}
