import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { threadId } from 'node:worker_threads';
import { uncoveredEnv } from '../support/typescript';

// The snippets of a documentation page, compiled and run. A ```ts block after
// `<!-- test: name -->` is written as it stands into a CommonJS TypeScript project (where a
// top-level `await` does not compile, as in most Node services), between the code its check
// puts before it (what the page leaves out: a helper it calls) and after it (code that
// exercises what it defined and prints what the check reads). The project is compiled with
// the project's TypeScript against the built package (`dist/`, reached as `obsweave` through
// a link), in one tsc run for all the pages a test file registers, and each snippet is run
// with node.

export const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);

export interface SnippetCheck {
  /** Code before the snippet: what the page leaves out, defined for real. */
  before?: string;
  /** Code after it: exercises what it defined; prints what `check` reads. */
  after?: string;
  /** What the page promises about the snippet's output. */
  check(t: ExecutionContext, out: string): void;
}

/** The page's tested blocks, by name, in order. */
export function pageSnippets(page: string): Map<string, string> {
  const text = readFileSync(join(ROOT, page), 'utf8');
  const found = new Map<string, string>();
  for (const m of text.matchAll(/<!-- test: ([\w-]+) -->\s*```ts\n([\s\S]*?)```/g)) {
    if (found.has(m[1])) throw new Error(`${page}: two snippets named ${m[1]}`);
    found.set(m[1], m[2]);
  }
  return found;
}

/**
 * The ```ts blocks of a page that carry no `<!-- test: name -->`, by their first line; those
 * under a `## ` heading in `skipSections` are left out.
 */
export function untestedBlocks(page: string, skipSections: readonly string[] = []): string[] {
  const text = readFileSync(join(ROOT, page), 'utf8');
  const out: string[] = [];
  let section = '';
  let previous = '';
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.startsWith('## ')) section = line.slice(3);
    if (line === '```ts' && !skipSections.includes(section)) {
      if (!/^<!-- test: [\w-]+ -->$/.test(previous)) out.push(`${page}:${i + 1} ${lines[i + 1]}`);
    }
    if (line.trim() !== '') previous = line;
  }
  return out;
}

/** `console.log` of a server's Prometheus text once it listens, then the process ends. */
export const SCRAPE_WHEN_LISTENING = `
import * as __http from 'node:http';
import type { AddressInfo as __AddressInfo } from 'node:net';
const __listen = __http.Server.prototype.listen;
__http.Server.prototype.listen = function (this: __http.Server, ...args: unknown[]) {
  this.once('listening', () => {
    const base = \`http://127.0.0.1:\${(this.address() as __AddressInfo).port}\`;
    void __afterListen(base)
      .then(async () => {
        const res = await fetch(\`\${base}/metrics?format=prometheus\`);
        console.log(await res.text());
        process.exit(0);
      })
      .catch((e: unknown) => {
        console.error(e);
        process.exit(1);
      });
  });
  return (__listen as (...a: unknown[]) => __http.Server).apply(this, args);
} as typeof __listen;
`;

async function compile(dir: string, names: string[]): Promise<Map<string, string[]>> {
  const errors = new Map<string, string[]>(names.map((n) => [n, []]));
  try {
    await run(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', dir, '--pretty', 'false'],
      { cwd: dir, env: uncoveredEnv() },
    );
  } catch (err) {
    const out = String((err as { stdout?: string }).stdout ?? err);
    // An error's continuation lines (indented) belong to the file named above them; a line
    // naming no snippet (a broken set-up) to every snippet.
    let current: string[] | undefined;
    for (const line of out.split('\n')) {
      if (line.trim() === '') continue;
      const name = /^([\w-]+)\.ts\(/.exec(line)?.[1];
      if (name !== undefined && errors.has(name)) current = errors.get(name)!;
      else if (!line.startsWith(' ')) current = undefined;
      if (current !== undefined) current.push(line);
      else for (const list of errors.values()) list.push(line);
    }
  }
  return errors;
}

/** The snippets of every page a test file registered: compiled together, in one tsc run. */
const registered = new Map<string, string>();
let compiled: Promise<Map<string, string[]>> | undefined;
// One folder per test file: ava runs files side by side, in threads of one process.
const OUT = join(ROOT, 'build', 'docs-snippets', `${process.pid}-${threadId}`);

function compileRegistered(): Promise<Map<string, string[]>> {
  return (compiled ??= (async () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(join(OUT, 'node_modules'), { recursive: true });
    symlinkSync(ROOT, join(OUT, 'node_modules', 'obsweave'), 'dir');
    // Every file a module of its own, as a service's files are.
    for (const [file, body] of registered) writeFileSync(join(OUT, `${file}.ts`), body);
    writeFileSync(
      join(OUT, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'commonjs',
          moduleResolution: 'node10',
          strict: true,
          esModuleInterop: true,
          skipLibCheck: true,
          experimentalDecorators: true,
          emitDecoratorMetadata: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
        },
        files: [...registered.keys()].map((f) => `${f}.ts`),
      }),
    );
    return compile(OUT, [...registered.keys()]);
  })());
}

/**
 * Registers one test per tested snippet of `page`, and one that every snippet has its check
 * and every check a snippet. `skip` names snippets registered as skipped, with the reason.
 */
export function testPage(
  page: string,
  checks: Record<string, SnippetCheck>,
  skip: Record<string, string> = {},
): void {
  const snippets = pageSnippets(page);
  if (registered.size === 0) test.after.always(() => rmSync(OUT, { recursive: true, force: true }));
  const prefix = page.replace(/\.md$/, '').replace(/[^\w]+/g, '-');

  test(`${page}: every tested snippet has its check, and every check a snippet`, (t) => {
    t.deepEqual([...snippets.keys()].sort(), Object.keys(checks).sort());
  });

  for (const [name, snippet] of snippets) {
    const check = checks[name];
    if (check === undefined) continue;
    if (name in skip) {
      test.skip(`${page} ${name} (${skip[name]})`, () => {});
      continue;
    }
    const file = `${prefix}--${name}`;
    registered.set(
      file,
      [check.before ?? '', snippet, check.after ?? '', 'export {};\n'].join('\n'),
    );
    test(`${page} ${name}: compiles as CommonJS and prints what the page says`, async (t) => {
      const errors = (await compileRegistered()).get(file)!;
      t.deepEqual(errors, [], 'tsc');
      if (errors.length > 0) return;
      const { stdout } = await run(process.execPath, [join(OUT, `${file}.js`)], {
        cwd: OUT,
        timeout: 60_000,
        env: { ...process.env, PORT: '0' },
      });
      check.check(t, stdout);
    });
  }
}

/** A sample line `name{...} value` carrying every one of `labels`, in any order. */
export function sample(
  out: string,
  name: string,
  labels: Record<string, string>,
  value?: string,
): string | undefined {
  return out.split('\n').find((l) => {
    if (!l.startsWith(`${name}{`) && !l.startsWith(`${name} `)) return false;
    if (value !== undefined && !l.endsWith(` ${value}`)) return false;
    return Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`));
  });
}

export function has(
  t: ExecutionContext,
  out: string,
  name: string,
  labels: Record<string, string>,
  value?: string,
): void {
  t.truthy(sample(out, name, labels, value), `${name} ${JSON.stringify(labels)} ${value ?? ''}`);
}
