import test from 'ava';
import { join } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');

/** Type-checks `source` as a file beside src/core/catalog.ts; returns its diagnostics. */
function typeCheck(source: string): string[] {
  const file = join(ROOT, 'src', 'core', '__catalog_probe__.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    types: [],
    lib: ['lib.es2022.d.ts'],
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (name) => (name === file ? source : read(name));
  const exists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || exists(name);
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === file)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

test('a catalog name is checked by the compiler: a misspelt one does not compile', (t) => {
  t.deepEqual(
    typeCheck(
      `import { catalogOptions } from './catalog';\ncatalogOptions('http.requests_total');\n`,
    ),
    [],
  );
  const errors = typeCheck(
    `import { catalogOptions } from './catalog';\ncatalogOptions('http.request_total');\n`,
  );
  t.is(errors.length, 1);
  t.regex(errors[0], /"http\.request_total"/);
});
