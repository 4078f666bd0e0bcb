import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { uncoveredEnv } from '../support/typescript';

// Every snippet of docs/slos.md marked `<!-- test: name -->` is compiled with the project's
// TypeScript and run with node against the built package (`dist/`, reached as `obsweave`
// through a link); what it prints must be the block the page shows after it.

const ROOT = join(__dirname, '..', '..');
const OUT = join(ROOT, 'build', 'docs-slos');
const run = promisify(execFile);

interface Snippet {
  code: string;
  /** The first plain code block after the snippet: what it prints. */
  prints: string;
}

function snippets(): Map<string, Snippet> {
  const page = readFileSync(join(ROOT, 'docs', 'slos.md'), 'utf8');
  const found = new Map<string, Snippet>();
  for (const m of page.matchAll(
    /<!-- test: ([\w-]+) -->\s*```ts\n([\s\S]*?)```[\s\S]*?```\n([\s\S]*?)```/g,
  )) {
    if (found.has(m[1])) throw new Error(`docs/slos.md: two snippets named ${m[1]}`);
    found.set(m[1], { code: m[2], prints: m[3] });
  }
  return found;
}

const PAGE = snippets();

async function compileAll(): Promise<string[]> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(OUT, 'node_modules', 'obsweave'), 'dir');
  for (const [name, s] of PAGE) writeFileSync(join(OUT, `${name}.mts`), s.code);
  writeFileSync(
    join(OUT, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      files: [...PAGE.keys()].map((n) => `${n}.mts`),
    }),
  );
  try {
    await run(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', OUT, '--pretty', 'false'],
      { env: uncoveredEnv() },
    );
    return [];
  } catch (err) {
    return String((err as { stdout?: string }).stdout ?? err)
      .split('\n')
      .filter((l) => l !== '');
  }
}

const compiled = compileAll();

/** The printed block, where `...` stands for any lines. */
function matches(t: ExecutionContext, out: string, prints: string) {
  const [head, tail] = prints.split('  ...\n');
  if (tail === undefined) return t.is(out, prints);
  t.true(out.startsWith(head), out);
  t.true(out.endsWith(tail), out);
}

test('docs/slos.md has its tested snippets', (t) => {
  t.deepEqual([...PAGE.keys()], ['declare', 'refused', 'tests']);
});

for (const [name, { prints }] of PAGE) {
  test(`docs/slos.md ${name}: compiles and prints what the page shows`, async (t) => {
    t.deepEqual(await compiled, [], 'tsc');
    const { stdout } = await run(process.execPath, [join(OUT, `${name}.mjs`)], {
      cwd: OUT,
      timeout: 60_000,
    });
    matches(t, stdout, prints);
  });
}
