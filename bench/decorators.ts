/**
 * `node -r ts-node/register/transpile-only bench/decorators.ts`: the decorator overhead bench
 * alone. `npm run bench` runs the same through `runDecoratorBench()`.
 */
import { runDecoratorBench } from './decorators.bench';

export const run = runDecoratorBench;

if (require.main === module) void run();
