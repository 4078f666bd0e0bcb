import test from 'ava';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { uncoveredEnv } from '../support/typescript';

// The package as a user gets it: packed from a fresh copy of the sources (so `prepack` must
// build), installed once from the tarball into a consumer project, compiled under every
// `moduleResolution` a TypeScript project may use, and run, its command line included.

const ROOT = join(__dirname, '..', '..');
const TSC5 = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

interface Packed {
  /** The folder the tarball is in, removed after the tests. */
  dir: string;
  tarball: string;
  files: string[];
  entries: string[];
}

let work: string | undefined;
let packed: Promise<Packed> | undefined;
let installed: Promise<string> | undefined;

/**
 * Every child here runs npm, the compiler or the packed copy of the package, none of the
 * project's own files: none writes coverage for `c8` to read back (see `uncoveredEnv`).
 */
const ENV = uncoveredEnv();

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, {
    cwd,
    env: ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const runAsync = promisify(execFile);

/** Runs the functions given to it, at most `n` at once, in the order given. */
function slots(n: number): <R>(fn: () => Promise<R>) => Promise<R> {
  let free = n;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (free > 0) free--;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await fn();
    } finally {
      // The slot goes straight to the next in line, or back to the pool.
      const next = waiting.shift();
      if (next !== undefined) next();
      else free++;
    }
  };
}

/** The consumer project, with the tarball and TypeScript 7 installed: once for every test. */
function consumerProject(): Promise<string> {
  return (installed ??= (async () => {
    const { dir, tarball } = await pack();
    const consumer = join(dir, 'consumer');
    mkdirSync(consumer);
    writeFileSync(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
    );
    // The consumer's own TypeScript is 7; the project's (5) is called by its path.
    await runAsync(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, 'typescript@^7'],
      { cwd: consumer, env: ENV },
    );
    return consumer;
  })());
}

/** The tarball, packed once for every test (each of which allows for the build it takes). */
function pack(): Promise<Packed> {
  return (packed ??= (async () => {
    // Under the project, so the consumer finds the optional peers (NestJS, OpenTelemetry,
    // Fastify) in the project's node_modules, as an app that installed them would.
    mkdirSync(join(ROOT, 'build'), { recursive: true });
    const dir = (work = mkdtempSync(join(ROOT, 'build', 'pack-')));
    const source = join(dir, 'source');
    mkdirSync(source);
    for (const f of [
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'README.md',
      'LICENSE',
    ]) {
      cpSync(join(ROOT, f), join(source, f));
    }
    cpSync(join(ROOT, 'src'), join(source, 'src'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'), 'dir');
    const { stdout } = await runAsync('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: source,
      env: ENV,
    });
    const [info] = JSON.parse(stdout) as {
      filename: string;
      files: { path: string }[];
    }[];
    const pkg = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
    };
    const entries = Object.keys(pkg.exports)
      .filter((k) => k !== './package.json')
      .map((k) => (k === '.' ? 'obsweave' : `obsweave/${k.slice(2)}`));
    return {
      dir,
      tarball: join(dir, info.filename),
      files: info.files.map((f) => f.path),
      entries,
    };
  })());
}

test.after.always(() => {
  // Retried: a test that timed out may leave npm or tsc writing there for a moment.
  if (work !== undefined) rmSync(work, { recursive: true, force: true, maxRetries: 20 });
});

test('npm pack builds first and ships the build, the licence and no source maps', async (t) => {
  t.timeout(600_000);
  const { files, entries } = await pack();
  t.true(files.includes('dist/index.js'));
  t.true(files.includes('LICENSE'));
  t.true(files.includes('README.md'));
  for (const entry of entries.slice(1)) {
    const sub = entry.slice('obsweave/'.length);
    t.true(files.includes(`dist/${sub}/index.js`), `dist/${sub}/index.js`);
    t.true(files.includes(`dist/${sub}/index.d.ts`), `dist/${sub}/index.d.ts`);
  }
  t.deepEqual(
    files.filter((f) => f.endsWith('.map') || f.endsWith('.tsbuildinfo')),
    [],
    'no source maps, and not the incremental build info',
  );
  t.deepEqual(
    files.filter((f) => !/^(dist\/|LICENSE$|README\.md$|package\.json$)/.test(f)),
    [],
  );
});

const SETTINGS = [
  { ts: 5, module: 'commonjs', moduleResolution: 'node10', runs: true },
  { ts: 5, module: 'node16', moduleResolution: 'node16', runs: true },
  { ts: 5, module: 'nodenext', moduleResolution: 'nodenext', runs: true },
  { ts: 5, module: 'esnext', moduleResolution: 'bundler', runs: false },
  // TypeScript 7 has no node10 resolution any more.
  { ts: 7, module: 'node16', moduleResolution: 'node16', runs: true },
  { ts: 7, module: 'nodenext', moduleResolution: 'nodenext', runs: true },
  { ts: 7, module: 'esnext', moduleResolution: 'bundler', runs: false },
] as const;

test.serial(
  'the tarball installs, and every entry point compiles and runs under each resolution',
  async (t) => {
    t.timeout(600_000);
    const { entries } = await pack();
    const consumer = await consumerProject();
    const tsc7 = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc');

    const imports = entries.map((e, i) => `import * as entry${i} from '${e}';`).join('\n');
    writeFileSync(
      join(consumer, 'index.ts'),
      `${imports}
const registry: entry0.MetricsRegistry = new entry0.MetricsRegistry();
registry.counter('consumer.calls_total').inc();
const sizes = [${entries.map((_, i) => `Object.keys(entry${i}).length`).join(', ')}];
console.log(JSON.stringify({ sizes, text: registry.toPrometheus() }));
`,
    );
    writeFileSync(
      join(consumer, 'index.mjs'),
      `${entries.map((e, i) => `import * as entry${i} from '${e}';`).join('\n')}
// A CommonJS module's namespace adds 'default', '__esModule' and, from Node 23, 'module.exports':
// count the named values only.
const count = (ns) =>
  Object.keys(ns).filter((k) => !['default', '__esModule', 'module.exports'].includes(k)).length;
console.log(JSON.stringify([${entries.map((_, i) => `count(entry${i})`).join(', ')}]));
`,
    );

    // Each setting compiles in a process of its own, two at a time (one per core of a small
    // machine, which runs other test files too); the results are read in order.
    const twoAtATime = slots(2);
    const compiled = SETTINGS.map((s) =>
      twoAtATime(async () => {
        const outDir = join(consumer, `out-${s.ts}-${s.moduleResolution}`);
        const tsconfig = join(consumer, `tsconfig.${s.ts}.${s.moduleResolution}.json`);
        writeFileSync(
          tsconfig,
          JSON.stringify({
            compilerOptions: {
              target: 'ES2022',
              module: s.module,
              moduleResolution: s.moduleResolution,
              strict: true,
              // As NestJS's and tsc --init's projects do: NestJS 12 ships ES modules only, which a
              // node16 CommonJS project cannot even import itself without skipping lib checks.
              esModuleInterop: true,
              skipLibCheck: true,
              types: ['node'],
              outDir,
              ...(s.runs ? {} : { noEmit: true }),
            },
            files: ['index.ts'],
          }),
        );
        const tsc = s.ts === 5 ? TSC5 : tsc7;
        try {
          await runAsync(process.execPath, [tsc, '-p', tsconfig], {
            cwd: consumer,
            env: ENV,
          });
          return { outDir };
        } catch (err) {
          return { outDir, error: (err as { stdout?: string }).stdout ?? String(err) };
        }
      }),
    );
    for (const [i, s] of SETTINGS.entries()) {
      const { outDir, error } = await compiled[i];
      if (error !== undefined) {
        t.fail(`TypeScript ${s.ts}, ${s.moduleResolution}: ${error}`);
        continue;
      }
      if (!s.runs) {
        t.pass(`TypeScript ${s.ts}, ${s.moduleResolution}: compiles`);
        continue;
      }
      const out = JSON.parse(run(process.execPath, [join(outDir, 'index.js')], consumer)) as {
        sizes: number[];
        text: string;
      };
      t.is(out.sizes.length, entries.length);
      t.true(
        out.sizes.every((n) => n > 0),
        `every entry point exports something (${s.moduleResolution})`,
      );
      t.regex(out.text, /^consumer_calls_total 1$/m);
    }

    // From an ES module too, every entry point; the root keeps to what every user needs.
    const esmSizes = JSON.parse(
      run(process.execPath, [join(consumer, 'index.mjs')], consumer),
    ) as number[];
    t.is(esmSizes.length, entries.length);
    t.true(
      esmSizes.every((n) => n > 0),
      'every entry point exports something to an ES module',
    );
    t.true(esmSizes[0] <= 35, `the root exports ${esmSizes[0]} values, at most 35`);
  },
);

test('npx obsweave slo-rules works from the installed package', async (t) => {
  t.timeout(600_000);
  const consumer = await consumerProject();
  const ok = spawnSync('npm', ['exec', '--offline', '--', 'obsweave', 'slo-rules'], {
    cwd: consumer,
    env: ENV,
    encoding: 'utf8',
  });
  t.is(ok.status, 0, ok.stderr);
  t.regex(ok.stdout, /^# Generated by obsweave[\s\S]*record: slo:sli_error:ratio_rate5m/);

  writeFileSync(
    join(consumer, 'slos.json'),
    '[{"name":"x","objective":0.99,"sli":{"errors":"nope_total","total":"http.requests_total"}}]',
  );
  const bad = spawnSync(
    'npm',
    ['exec', '--offline', '--', 'obsweave', 'slo-rules', '--config', 'slos.json'],
    { cwd: consumer, env: ENV, encoding: 'utf8' },
  );
  t.is(bad.status, 1);
  t.regex(
    bad.stderr,
    /obsweave slo-rules: SLO "x": metric "nope_total" is not in the registry or the catalog/,
  );
});
