/**
 * What the trivial service costs per request in instructions and cache misses, counted by
 * Valgrind's callgrind (Debian's `valgrind`) instead of timed:
 * `npm run bench:instructions [-- --floor[=step,…]] [-- N]`. `--floor` counts the steps of
 * `floor.ts` instead, from no middleware to the least recorder and `httpMetrics()`: what any
 * recorder costs at the least, beside what this one costs (`=least,defaults`: those alone).
 * `OBSWEAVE_LOAD_PACKAGE=<path>` counts another build of the package instead;
 * `OBSWEAVE_LOAD_BASELINE=<path>,…` counts each build it names beside this one, with the defaults,
 * in the same run (as `bench:load` does).
 *
 * CPU time per request on a shared machine moves by ±3-5 % between two runs of the same copy
 * (an A/A of `overhead-ab.sh`), as much as the cost being looked for. Counted instructions and
 * simulated cache misses of one process do not depend on its neighbours: two runs of the same
 * copy agree within about 1 %, so a change of 1-2 % shows in one run.
 *
 * Each copy of the service (`service.ts`, trivial shape) runs under callgrind with its cache
 * simulation, one copy per core. `node` compiles on its main thread
 * (`--no-concurrent-recompilation`): under Valgrind the threads take turns, and a background
 * compiler would fall behind and leave the request path unoptimized. After `WARM` requests over
 * 32 keep-alive connections the counters are zeroed, `N` requests are counted, and the main
 * thread's counts are read (the collector's helper threads vary with when a major GC falls).
 *
 * Printed per request: instructions, first-level instruction and data cache misses, and an
 * estimate of cycles, `Ir + 10 × L1 misses + 100 × last-level misses`, the weights callgrind's
 * manual gives. Ratios are to the first bare copy; the second bare copy is the A/A floor.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import {
  REQUEST,
  ServiceProcess,
  baselineBuilds,
  loadCount,
  removeTmpDir,
  tmpDir,
} from './processes';

const args = process.argv.slice(2);
const floorArg = args.find((a) => a === '--floor' || a.startsWith('--floor='));
const FLOOR = floorArg !== undefined;
/** `--floor=least,defaults`: those steps alone, after bare A. */
const STEPS = floorArg?.includes('=') ? floorArg.slice('--floor='.length).split(',') : undefined;
const N = Number(args.find((a) => /^\d+$/.test(a)) ?? 5000);
const WARM = Number(process.env.OBSWEAVE_INSTRUCTIONS_WARM ?? 20000);

interface Copy {
  label: string;
  mode: 'bare' | 'instrumented';
  correlation?: string;
  env?: Record<string, string>;
  /** A step of `floor.ts` rather than the service. */
  floor?: boolean;
}

/** The defaults and `correlation: false`, as `overhead-ab.sh` runs them: `httpMetrics()` alone. */
const COPIES: Copy[] = [
  { label: 'bare A', mode: 'bare' },
  { label: 'defaults', mode: 'instrumented', env: { OBSWEAVE_LOAD_PARTS: 'http,correlation' } },
  ...baselineBuilds().map(({ label, env }): Copy => ({
    label,
    mode: 'instrumented',
    env: { OBSWEAVE_LOAD_PARTS: 'http,correlation', ...env },
  })),
  { label: 'bare B', mode: 'bare' },
  {
    label: 'correlation: false',
    mode: 'instrumented',
    correlation: 'false',
    env: { OBSWEAVE_LOAD_PARTS: 'http' },
  },
];

/** `floor.ts`'s steps, with a second bare copy as the floor; the other builds beside the defaults. */
const FLOOR_COPIES: Copy[] = [
  'bare',
  'next',
  'subscriber',
  'least',
  'least + context',
  'correlation: false',
  'defaults',
  'bare',
]
  .filter((step, i) => i === 0 || STEPS === undefined || STEPS.includes(step))
  .map((step, i): Copy => ({
    label: i === 0 ? 'bare A' : step === 'bare' ? 'bare B' : step,
    mode: step === 'bare' ? 'bare' : 'instrumented',
    correlation: step,
    floor: true,
  }))
  .flatMap((c) =>
    c.label === 'defaults'
      ? [c, ...baselineBuilds().map(({ label, env }): Copy => ({ ...c, label, env }))]
      : [c],
  );

interface Counts {
  ir: number;
  i1: number;
  d1: number;
  ll: number;
}

/** `count` requests of the trivial shape over 32 keep-alive connections, one at a time on each. */
function drive(port: number, count: number): Promise<void> {
  return loadCount(REQUEST.trivial, `http://127.0.0.1:${port}${REQUEST.trivial.url}`, 32, count);
}

/** The main thread's counts per request, from the dump `prefix` names. */
function readCounts(dir: string, prefix: string): Counts {
  const file = readdirSync(dir).find((f) => f.startsWith(prefix + '.') && f.endsWith('.1-01'));
  if (file === undefined) throw new Error(`callgrind wrote no main-thread dump in ${dir}`);
  const text = readFileSync(join(dir, file), 'utf8');
  const events = /^events: (.*)$/m.exec(text)![1].split(' ');
  const values = /^summary: (.*)$/m.exec(text)![1].split(' ').map(Number);
  const v = (name: string): number => values[events.indexOf(name)] / N;
  return {
    ir: v('Ir'),
    i1: v('I1mr'),
    d1: v('D1mr') + v('D1mw'),
    ll: v('ILmr') + v('DLmr') + v('DLmw'),
  };
}

async function measure(copy: Copy, core: number): Promise<Counts> {
  const dir = tmpDir();
  const prefix = `callgrind-${copy.label.replace(/\W+/g, '-')}`;
  const launcher = [
    'valgrind',
    '--tool=callgrind',
    '--cache-sim=yes',
    '--separate-threads=yes',
    `--callgrind-out-file=${join(dir, prefix)}.%p`,
    '--log-file=/dev/null',
  ];
  const nodeArgs = ['--no-concurrent-recompilation'];
  const s = copy.floor
    ? await ServiceProcess.floor(copy.correlation!, nodeArgs, copy.env ?? {}, { launcher, core })
    : await ServiceProcess.start(
        copy.label,
        'trivial',
        copy.mode,
        nodeArgs,
        copy.correlation ?? 'default',
        copy.env ?? {},
        { launcher, core },
      );
  try {
    await drive(s.port, WARM);
    execFileSync('callgrind_control', ['--zero', String(s.pid)], { stdio: 'ignore' });
    await drive(s.port, N);
    execFileSync('callgrind_control', ['--dump', String(s.pid)], { stdio: 'ignore' });
    if (copy.label.startsWith('defaults') || copy.label.startsWith('correlation')) {
      await metricsRecorded(s.port);
    }
  } finally {
    await s.exit();
  }
  return readCounts(dir, prefix);
}

/** The instrumented copy must have recorded its requests, or its counts mean nothing. */
function metricsRecorded(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/metrics', headers: { accept: 'text/plain' } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () =>
        /^http_requests_total\{/m.test(body)
          ? resolve()
          : reject(new Error('the instrumented copy recorded no http_requests_total')),
      );
    }).on('error', reject);
  });
}

const estimate = (c: Counts): number => c.ir + 10 * (c.i1 + c.d1) + 100 * c.ll;

async function main(): Promise<void> {
  if (spawnSync('valgrind', ['--version']).error !== undefined) {
    console.log('valgrind missing (apt-get install valgrind)');
    process.exitCode = 2;
    return;
  }
  console.log(
    `Node ${process.version}: ${WARM} requests to warm up, ${N} counted, per request, main thread`,
  );
  const results = new Map<string, Counts>();
  const copies = FLOOR ? FLOOR_COPIES : COPIES;
  // Two copies at a time, one per core: the counts do not depend on what runs beside them.
  for (let i = 0; i < copies.length; i += 2) {
    const pair = copies.slice(i, i + 2);
    const counts = await Promise.all(pair.map((c, k) => measure(c, k)));
    pair.forEach((c, k) => results.set(c.label, counts[k]));
  }
  const base = estimate(results.get('bare A')!);
  console.log(
    '| copy | instructions | L1i misses | L1d misses | LL misses | est. cycles | / bare A |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const [label, c] of results) {
    const e = estimate(c);
    console.log(
      `| ${label} | ${c.ir.toFixed(0)} | ${c.i1.toFixed(0)} | ${c.d1.toFixed(0)} | ${c.ll.toFixed(1)} | ${e.toFixed(0)} | ${(e / base).toFixed(3)}× |`,
    );
  }
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(removeTmpDir);
