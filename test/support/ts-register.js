'use strict';
/**
 * Loads `.ts` files as ts-node's `transpile-only` mode does (TypeScript's `transpileModule`
 * with the project's tsconfig.json, an inline source map), keeping each output on disk under a
 * hash of everything it depends on. Every ava worker, and every child process started with
 * `-r`, loads the sources anew; compiling them cost each one seconds of CPU, most of a test
 * file's time. With the outputs kept, TypeScript itself is loaded only when a file changed.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Module = require('node:module');

const ROOT = path.join(__dirname, '..', '..');
const TSCONFIG = path.join(ROOT, 'tsconfig.json');
const CACHE =
  process.env.OBSWEAVE_TS_CACHE || path.join(os.tmpdir(), `obsweave-ts-cache-${os.userInfo().uid}`);

const tsPackage = require.resolve('typescript/package.json', { paths: [ROOT] });
// The compiler's version and the project's settings are part of every output's key.
const SALT = [
  'v1',
  JSON.parse(fs.readFileSync(tsPackage, 'utf8')).version,
  fs.readFileSync(TSCONFIG, 'utf8'),
].join('\0');

let compilerOptions;
function options(ts) {
  if (compilerOptions !== undefined) return compilerOptions;
  const { config, error } = ts.readConfigFile(TSCONFIG, ts.sys.readFile);
  if (error !== undefined) throw new Error(ts.flattenDiagnosticMessageText(error.messageText));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, ROOT, undefined, TSCONFIG);
  // As ts-node sets them: one JavaScript file per source, with its map.
  compilerOptions = {
    ...parsed.options,
    sourceMap: true,
    inlineSourceMap: false,
    inlineSources: true,
    declaration: false,
    declarationMap: false,
    noEmit: false,
    emitDeclarationOnly: false,
    composite: false,
    outDir: '.ts-node',
  };
  delete compilerOptions.out;
  delete compilerOptions.outFile;
  delete compilerOptions.declarationDir;
  return compilerOptions;
}

function transpile(source, file) {
  const ts = require(require.resolve('typescript', { paths: [ROOT] }));
  const out = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: options(ts),
    reportDiagnostics: true,
  });
  if (out.diagnostics !== undefined && out.diagnostics.length > 0) {
    const text = ts.formatDiagnostics(out.diagnostics, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => ROOT,
      getNewLine: () => '\n',
    });
    throw new SyntaxError(`TypeScript: ${text}`);
  }
  const map = JSON.parse(out.sourceMapText);
  map.file = file;
  map.sources = [file];
  delete map.sourceRoot;
  const js = out.outputText.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '');
  return `${js}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(
    JSON.stringify(map),
  ).toString('base64')}\n`;
}

function compiled(source, file) {
  const key = crypto.createHash('sha256').update(SALT).update('\0').update(file).update('\0');
  const entry = path.join(CACHE, `${key.update(source).digest('hex')}.js`);
  try {
    return fs.readFileSync(entry, 'utf8');
  } catch {
    // not kept yet
  }
  const js = transpile(source, file);
  try {
    fs.mkdirSync(CACHE, { recursive: true });
    // Whole or not at all: workers running side by side may write the same entry.
    const partial = `${entry}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
    fs.writeFileSync(partial, js);
    fs.renameSync(partial, entry);
  } catch {
    // a cache that cannot be written only costs time
  }
  return js;
}

// Whatever Node would do with .ts itself (strip the types, on newer lines) leaves the
// decorators untouched: this loader replaces it, as ts-node's does.
process.setSourceMapsEnabled(true);
Module._extensions['.ts'] = function loadTs(module, file) {
  if (file.includes(`${path.sep}node_modules${path.sep}`) || file.endsWith('.d.ts')) {
    throw new Error(`obsweave test loader: not compiling ${file}`);
  }
  module._compile(compiled(fs.readFileSync(file, 'utf8'), file), file);
};
