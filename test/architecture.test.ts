import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// ARCHITECTURE.md's layer table and the lint rule's LAYERS are one list, and every folder of
// src/ is held to a layer.

const ROOT = join(__dirname, '..');

function lintLayers(): string[][] {
  const out = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import { LAYERS } from './layers.mjs'; console.log(JSON.stringify(LAYERS));",
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  return JSON.parse(out) as string[][];
}

function documentedLayers(): string[][] {
  const text = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');
  const rows = [...text.matchAll(/^\| (\d+) +\| ([a-z, ]+?) +\|/gm)];
  return rows
    .sort((a, b) => Number(a[1]) - Number(b[1]))
    .map((row) => row[2].split(',').map((f) => f.trim()));
}

const srcFolders = readdirSync(join(ROOT, 'src'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

test('ARCHITECTURE.md lists the layers the lint rule enforces, in the same order', (t) => {
  const documented = documentedLayers();
  t.true(documented.length > 0, 'ARCHITECTURE.md has a layer table');
  t.deepEqual(documented, lintLayers());
});

test('every folder of src/ belongs to exactly one layer, and every layer is a folder', (t) => {
  const layered = lintLayers().flat();
  t.deepEqual([...layered].sort(), srcFolders);
  t.is(new Set(layered).size, layered.length);
});

test("a folder's index.ts is an entry point of the package, and every entry point has one", (t) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, { types: string; default: string } | string>;
  };
  const entries = Object.keys(pkg.exports)
    .filter((k) => k !== '.' && k !== './package.json')
    .map((k) => k.slice(2))
    .sort();
  const withIndex = srcFolders.filter((f) => existsSync(join(ROOT, 'src', f, 'index.ts')));
  t.deepEqual(withIndex, entries);
});
