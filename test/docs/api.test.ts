import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// docs/api.md lists, under one section per entry point, every name that entry point's barrel
// exports: the page cannot fall behind the code.

const ROOT = join(__dirname, '..', '..');
const ENTRY_POINTS: Record<string, string> = {
  obsweave: 'src/index.ts',
  'obsweave/nest': 'src/nest/index.ts',
  'obsweave/fastify': 'src/fastify/index.ts',
  'obsweave/otel': 'src/otel/index.ts',
  'obsweave/cluster': 'src/cluster/index.ts',
  'obsweave/jobs': 'src/jobs/index.ts',
  'obsweave/push': 'src/push/index.ts',
  'obsweave/slo': 'src/slo/index.ts',
};

/** The names a barrel exports: `export { a, b as c }` and `export type { … }` lists. */
function exported(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const names: string[] = [];
  for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of m[1].split(',')) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()!
        .trim();
      if (name !== '') names.push(name);
    }
  }
  return names;
}

/** The page's section for each entry point: the text under `## \`<entry>\``. */
function sections(): Map<string, string> {
  const page = readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8');
  const out = new Map<string, string>();
  for (const part of page.split(/^## /m).slice(1)) {
    const title = /^`([^`]+)`/.exec(part)?.[1];
    if (title !== undefined) out.set(title, part);
  }
  return out;
}

test('docs/api.md has a section per entry point of package.json', (t) => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    exports: Record<string, unknown>;
  };
  const entries = Object.keys(pkg.exports)
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? 'obsweave' : `obsweave/${k.slice(2)}`))
    .sort();
  t.deepEqual(entries, Object.keys(ENTRY_POINTS).sort());
  t.deepEqual([...sections().keys()].sort(), entries);
});

for (const [entry, file] of Object.entries(ENTRY_POINTS)) {
  test(`docs/api.md lists everything ${entry} exports`, (t) => {
    const section = sections().get(entry) ?? '';
    const names = exported(file);
    t.true(names.length > 0, file);
    t.deepEqual(
      names.filter((n) => !section.includes(`\`${n}\``) && !section.includes(`\`${n}(`)),
      [],
      `exported by ${file}, missing from its section`,
    );
  });
}
