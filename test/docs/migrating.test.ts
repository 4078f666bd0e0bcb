import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

// Every obsweave snippet of docs/migrating.md (a ```ts block after `<!-- test: name -->`) is
// compiled with the project's TypeScript and run with node against the built package (`dist/`,
// reached as `obsweave` through a link), and what it prints is checked against what the page
// says it does. A snippet written against an API that is not in `dist/` yet is registered as
// skipped, naming that API, and runs as soon as the API lands.

const ROOT = join(__dirname, '..', '..');
const DIST = join(ROOT, 'dist');
const OUT = join(ROOT, 'build', 'docs-snippets');
const run = promisify(execFile);

// Features the page uses that are detected in dist/, each by what it does or declares.
function distText(dir: string, ext: string): string {
  try {
    const d = join(DIST, dir);
    return readdirSync(d)
      .filter((f) => f.endsWith(ext))
      .map((f) => readFileSync(join(d, f), 'utf8'))
      .join('\n');
  } catch {
    return '';
  }
}

function distRegistry(): any {
  try {
    return require(DIST).MetricsRegistry;
  } catch {
    return undefined;
  }
}

const FEATURES = {
  'new MetricsRegistry({ defaultLabels })': () => {
    const R = distRegistry();
    if (R === undefined) return false;
    const r = new R({ defaultLabels: { probe: 'yes' }, logger: () => {} });
    r.counter('probe.total').inc();
    return /probe="yes"/.test(r.toPrometheus());
  },
  'registry.setDefaultLabels()': () =>
    typeof distRegistry()?.prototype?.setDefaultLabels === 'function',
  'httpMetrics({ buckets, bypass, labelNames, labels })': () => {
    const d = distText('http', '.d.ts');
    return ['buckets?', 'bypass?', 'labelNames?', 'labels?'].every((o) => d.includes(o));
  },
  "ResourceSampler with prom-client's names": () =>
    distText('runtime', '.js').includes('process_cpu_user_seconds_total'),
};
type Feature = keyof typeof FEATURES;

interface Snippet {
  readonly needs?: readonly Feature[];
  /** What the page promises about the snippet's output. */
  check(t: ExecutionContext, out: string): void;
}

/** A sample line `name{...} value` carrying every one of `labels`, in any order. */
function sample(out: string, name: string, labels: Record<string, string>, value?: string) {
  return out.split('\n').find((l) => {
    if (!l.startsWith(`${name}{`) && !l.startsWith(`${name} `)) return false;
    if (value !== undefined && !l.endsWith(` ${value}`)) return false;
    return Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`));
  });
}

function has(
  t: ExecutionContext,
  out: string,
  name: string,
  labels: Record<string, string>,
  value?: string,
) {
  t.truthy(sample(out, name, labels, value), `${name} ${JSON.stringify(labels)} ${value ?? ''}`);
}

const SNIPPETS: Record<string, Snippet> = {
  'express-basic': {
    check(t, out) {
      has(
        t,
        out,
        'http_requests_total',
        { method: 'GET', route: '/jobs/:id', code_class: '2xx' },
        '1',
      );
      has(t, out, 'http_requests_total', { route: '__unmatched__', code_class: '4xx' }, '1');
      t.false(out.includes('no/such'), 'never the raw path');
      t.false(out.includes('route="/metrics"'), 'the scrape is not counted');
    },
  },
  'express-options': {
    needs: ['httpMetrics({ buckets, bypass, labelNames, labels })'],
    check(t, out) {
      has(t, out, 'http_requests_total', { route: '/jobs/:id', tenant: 'acme' }, '1');
      t.false(out.includes('healthz'), 'bypassed');
      has(t, out, 'http_request_latency_seconds_bucket', { route: '/jobs/:id', le: '0.25' });
      t.falsy(
        sample(out, 'http_request_latency_seconds_bucket', { le: '0.001' }),
        'the given buckets only',
      );
    },
  },
  'prom-client-metrics': {
    check(t, out) {
      t.regex(out, /^# HELP uploads_created_total Uploads created$/m);
      has(t, out, 'uploads_created_total', { kind: 'video' }, '1');
      has(t, out, 'jobs_queued', {}, '3');
      has(t, out, 'jobs_size_bytes_bucket', { le: '1000000' }, '1');
      has(t, out, 'jobs_size_bytes_bucket', { le: '1000' }, '0');
    },
  },
  'prom-client-defaults': {
    needs: ['new MetricsRegistry({ defaultLabels })', "ResourceSampler with prom-client's names"],
    check(t, out) {
      const labels = { service: 'api', version: '1.2.3' };
      for (const name of [
        'process_cpu_user_seconds_total',
        'process_resident_memory_bytes',
        'process_start_time_seconds',
        'nodejs_heap_size_used_bytes',
      ]) {
        has(t, out, name, labels);
      }
      // Its own `version` label (Node's) wins over the default one, as in prom-client.
      has(t, out, 'nodejs_version_info', { service: 'api', version: process.version });
    },
  },
  'prom-client-set-default-labels': {
    needs: ['registry.setDefaultLabels()'],
    check(t, out) {
      has(t, out, 'uploads_created_total', { service: 'api', version: '1.2.3' }, '1');
    },
  },
  'nestjs-prometheus': {
    check(t, out) {
      t.regex(out, /^# HELP uploads_created_total Uploads created$/m);
      has(t, out, 'uploads_created_total', { kind: 'video' }, '1');
      has(
        t,
        out,
        'http_requests_total',
        { method: 'POST', route: '/jobs/:kind', code_class: '2xx' },
        '1',
      );
    },
  },
  'nestjs-otel': {
    check(t, out) {
      has(t, out, 'jobs_reads_total', { outcome: 'success' }, '1');
      has(
        t,
        out,
        'http_requests_total',
        { method: 'GET', route: '/jobs/:id', code_class: '2xx' },
        '1',
      );
      t.regex(out, /^proc_memory_rss\w* \d/m, 'the sampler’s figures');
    },
  },
};

/** The page's tested blocks, by name, in order. */
function snippets(): Map<string, string> {
  const page = readFileSync(join(ROOT, 'docs', 'migrating.md'), 'utf8');
  const found = new Map<string, string>();
  for (const m of page.matchAll(/<!-- test: ([\w-]+) -->\s*```ts\n([\s\S]*?)```/g)) {
    if (found.has(m[1])) throw new Error(`docs/migrating.md: two snippets named ${m[1]}`);
    found.set(m[1], m[2]);
  }
  return found;
}

const PAGE = snippets();
const missing = (s: Snippet) => (s.needs ?? []).filter((f) => !FEATURES[f]());
const runnable = [...PAGE.keys()].filter((n) => SNIPPETS[n] && missing(SNIPPETS[n]).length === 0);

/** Writes the runnable snippets, compiles them in one tsc run, and maps file → errors. */
const compiled: Promise<Map<string, string[]>> | undefined =
  runnable.length === 0 ? undefined : compileAll();

async function compileAll(): Promise<Map<string, string[]>> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(OUT, 'node_modules', 'obsweave'), 'dir');
  for (const name of runnable) writeFileSync(join(OUT, `${name}.mts`), PAGE.get(name)!);
  writeFileSync(
    join(OUT, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        esModuleInterop: true,
        skipLibCheck: true,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      files: runnable.map((n) => `${n}.mts`),
    }),
  );
  const errors = new Map<string, string[]>(runnable.map((n) => [n, []]));
  try {
    await run(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', OUT, '--pretty', 'false'],
      {
        cwd: OUT,
      },
    );
  } catch (err) {
    const out = String((err as { stdout?: string }).stdout ?? err);
    for (const line of out.split('\n')) {
      const name = /^([\w-]+)\.mts\(/.exec(line)?.[1];
      if (name !== undefined && errors.has(name)) errors.get(name)!.push(line);
      else if (line.trim() !== '') for (const list of errors.values()) list.push(line);
    }
  }
  return errors;
}

test('docs/migrating.md: every tested snippet has its check, and every check a snippet', (t) => {
  t.deepEqual([...PAGE.keys()].sort(), Object.keys(SNIPPETS).sort());
});

for (const [name] of PAGE) {
  const snippet = SNIPPETS[name];
  if (snippet === undefined) continue;
  const absent = missing(snippet);
  if (absent.length > 0) {
    test.skip(`docs/migrating.md ${name} (needs ${absent.join(', ')})`, () => {});
    continue;
  }
  test(`docs/migrating.md ${name}: compiles and prints what the page says`, async (t) => {
    const errors = (await compiled!).get(name)!;
    t.deepEqual(errors, [], 'tsc');
    if (errors.length > 0) return;
    const { stdout } = await run(process.execPath, [join(OUT, `${name}.mjs`)], {
      cwd: OUT,
      timeout: 60_000,
    });
    snippet.check(t, stdout);
  });
}
