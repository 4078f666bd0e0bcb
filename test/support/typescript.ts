import { join } from 'node:path';

/**
 * For `node -r` in a child process that runs TypeScript: the tests' own loader, which compiles
 * as ts-node's transpile-only mode does but keeps what it compiled, so a child loads the
 * sources in a fraction of the CPU time ts-node takes.
 */
export const TS_REGISTER = join(__dirname, 'ts-register.js');

/**
 * The environment of a child that runs the TypeScript compiler, none of the package's code:
 * without `NODE_V8_COVERAGE`, which Node hands every child of a `c8` run, it writes no 2-3 MB
 * of coverage of the compiler for `c8` to read back (about 1.4 s of CPU per compile). Empty,
 * not deleted: Node hands a child its parent's value unless `env` names it.
 */
export function compilerEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_V8_COVERAGE: '' };
}
