import { join } from 'node:path';

/**
 * For `node -r` in a child process that runs TypeScript: the tests' own loader, which compiles
 * as ts-node's transpile-only mode does but keeps what it compiled, so a child loads the
 * sources in a fraction of the CPU time ts-node takes.
 */
export const TS_REGISTER = join(__dirname, 'ts-register.js');

/**
 * The environment of a child whose coverage adds nothing, without `NODE_V8_COVERAGE`, which Node
 * hands every child of a `c8` run. For one that runs none of the package's code (the TypeScript
 * compiler, npm), which wrote 2-3 MB of coverage of itself for `c8` to read back (about 1.4 s of
 * CPU per compile); and for one that runs code the tests cover in-process a million times over
 * (the label bomb), which V8's coverage counters make about twice as slow. Empty, not deleted:
 * Node hands a child its parent's value unless `env` names it.
 */
export function uncoveredEnv(): NodeJS.ProcessEnv {
  return { ...process.env, NODE_V8_COVERAGE: '' };
}
