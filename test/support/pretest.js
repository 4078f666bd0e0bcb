'use strict';
/**
 * Before the tests: the build (tests read dist/) and the fixtures compiled with standard
 * decorators. Two compilers that do not depend on each other, so they run side by side.
 */
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const ROOT = join(__dirname, '..', '..');
const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
const steps = [
  ['npm', ['run', 'build']],
  [process.execPath, [tsc, '-p', 'test/fixtures/tsconfig.standard.json']],
];

Promise.all(
  steps.map(
    ([cmd, args]) =>
      new Promise((resolve) => {
        spawn(cmd, args, { cwd: ROOT, stdio: 'inherit' })
          .on('error', (err) => resolve(`${cmd}: ${err.message}`))
          .on('exit', (code, signal) =>
            resolve(code === 0 ? undefined : `${cmd} ${args.join(' ')}: ${signal ?? code}`),
          );
      }),
  ),
).then((failures) => {
  for (const f of failures) if (f !== undefined) console.error(`pretest: ${f} failed`);
  process.exitCode = failures.some((f) => f !== undefined) ? 1 : 0;
});
