import { join } from 'node:path';

/**
 * For `node -r` in a child process that runs TypeScript: the tests' own loader, which compiles
 * as ts-node's transpile-only mode does but keeps what it compiled, so a child loads the
 * sources in a fraction of the CPU time ts-node takes.
 */
export const TS_REGISTER = join(__dirname, 'ts-register.js');
