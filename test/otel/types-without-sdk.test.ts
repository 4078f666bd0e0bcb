import test from 'ava';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { uncoveredEnv } from '../support/typescript';

const root = resolve(__dirname, '../..');
const run = promisify(execFile);

// The declarations of `obsweave/otel` must not ask for what a project that only traces has
// not installed: a consumer with `@opentelemetry/api` and no SDK compiles with
// `skipLibCheck: false`, under the resolutions a project picks.
const CONSUMER = `
import { trace } from '@opentelemetry/api';
import { otelMetricProducer, otelTracer, type OtelMetricProducer } from 'obsweave/otel';

export const tracer = otelTracer(trace.getTracer('jobs'));
const producer: OtelMetricProducer = otelMetricProducer();
void producer.collect().then((r) => r.resourceMetrics.scopeMetrics[0].metrics.length);
`;

// `node10` reads `typesVersions`, `nodenext` the `exports` map: the two ways in.
for (const [module, moduleResolution] of [
  ['commonjs', 'node10'],
  ['nodenext', 'nodenext'],
] as const) {
  test(`obsweave/otel type-checks with only @opentelemetry/api installed, skipLibCheck off (${moduleResolution})`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'obsweave-otel-types-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const modules = join(dir, 'node_modules');
    const pkg = join(modules, 'obsweave');
    mkdirSync(join(modules, '@opentelemetry'), { recursive: true });
    mkdirSync(join(modules, '@types'), { recursive: true });
    mkdirSync(pkg, { recursive: true });
    // A copy, not a link: from a link, obsweave's own node_modules (with the SDK) would resolve.
    cpSync(join(root, 'dist'), join(pkg, 'dist'), { recursive: true });
    cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
    for (const dep of ['reflect-metadata', '@opentelemetry/api', '@types/node']) {
      symlinkSync(join(root, 'node_modules', dep), join(modules, dep));
    }
    writeFileSync(join(dir, 'main.ts'), CONSUMER);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module,
          moduleResolution,
          strict: true,
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
        },
        files: ['main.ts'],
      }),
    );
    const tsc = require.resolve('typescript/bin/tsc');
    const out = await run(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], {
      cwd: dir,
      env: uncoveredEnv(),
    }).then(
      () => '',
      (e: { stdout?: string }) => String(e.stdout),
    );
    t.is(out, '', 'tsc reports nothing');
  });
}
