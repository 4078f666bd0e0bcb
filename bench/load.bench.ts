/**
 * `npm run bench:load`: end to end. Per case, three copies of the service on 127.0.0.1 —
 * bare A, bare B and instrumented — driven in turn by autocannon for ~1 s rounds, the order
 * reversed every other pair (A I B, B I A, …). Instrumented / A is the result; B / A, two
 * identical services measured the same way in the same run, is the noise floor printed
 * beside it. `/metrics` of the instrumented service is scraped every second of its rounds.
 *
 * Two figures per round: throughput, which is what the reader wants but moves with whatever
 * else the shared machine runs; and the service's own CPU time per request (from
 * `process.cpuUsage()` in the service), which holds only its own work.
 *
 * Three cases. The trivial handler at full load, where any added CPU is lost throughput. The
 * realistic handler at the load a service runs at: the bare copy about 45 % busy, the
 * headroom capacity planning leaves, so requests spend their time in the awaited calls; the
 * ≥ 0.98× target is taken here. The connections giving that load are found at the start of
 * the case, on bare A, since a fixed count means a different load whenever the shared machine
 * is slower or faster. And the realistic handler at 100 connections, near saturation, where
 * the throughput ratio approaches the CPU ratio again.
 */
import { machine, machineLine, median, writeResults } from './harness';
import { HAS_TASKSET, pinSelf, ServiceProcess, type Shape } from './load/service-process';

// autocannon ships no types: the part of its API used here.
interface LoadOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  duration?: number;
}
interface LoadResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = require('autocannon') as (opts: LoadOptions) => Promise<LoadResult>;

const PAIRS = Number(process.env.LOAD_PAIRS ?? 15);
const ROUND_S = 1;

const JOB = JSON.stringify({
  name: 'interview-2024-03-18.mp4',
  language: 'en',
  callbackUrl: 'https://hooks.example.com/jobs',
  options: { diarize: true, speakers: 2, punctuate: true, vocabulary: ['obsweave', 'Prometheus'] },
});

const REQUEST: Record<Shape, Omit<LoadOptions, 'connections'>> = {
  trivial: { url: '/api/jobs/123' },
  realistic: {
    url: '/api/jobs',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JOB,
  },
};

interface Case {
  name: string;
  shape: Shape;
  /** The realistic shape waits ~3 ms per request: its load is set by the connections. */
  connections: number;
  /** When set, `connections` is only a start: the count giving bare A this CPU share is used. */
  busy?: number;
  target?: number;
}

const CASES: readonly Case[] = [
  { name: 'trivial', shape: 'trivial', connections: 10 },
  { name: 'realistic', shape: 'realistic', connections: 50, busy: 0.45, target: 0.98 },
  { name: 'realistic-busy', shape: 'realistic', connections: 100 },
];
/** `LOAD_CASES=realistic` runs the cases of that name, e.g. while attributing a cost with `OBSWEAVE_LOAD_PARTS`. */
const ONLY = process.env.LOAD_CASES?.split(',');

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

async function round(s: ServiceProcess, c: Case): Promise<Round> {
  const timers: NodeJS.Timeout[] = [];
  if (s.mode === 'instrumented') {
    // Every second of the round, starting half-way into the first.
    timers.push(
      setTimeout(() => {
        void s.scrape();
        timers.push(setInterval(() => void s.scrape(), 1000));
      }, 500),
    );
  }
  const cpu0 = await s.cpuMicros();
  const r = await autocannon({
    ...REQUEST[c.shape],
    connections: c.connections,
    url: `http://127.0.0.1:${s.port}${REQUEST[c.shape].url}`,
    duration: ROUND_S,
  });
  const cpu = (await s.cpuMicros()) - cpu0;
  for (const t of timers) clearTimeout(t);
  const n = r.requests.total;
  return {
    rps: n / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    cpuPerReq: cpu / n,
    busy: cpu / (r.duration * 1e6),
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

interface CaseResult {
  case: Case;
  rounds: Record<'a' | 'b' | 'instrumented', Round[]>;
  /** Medians over pairs of instrumented / A and of B / A. */
  throughput: { instrumented: number; aa: number };
  /** A's CPU per request over the other's: a throughput-like ratio, 1 = no cost. */
  cpuEfficiency: { instrumented: number; aa: number };
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
    const r = await round(s, { ...c, connections: n });
    if (Math.abs(r.busy - busy) < 0.05) break;
    n = Math.min(400, Math.max(5, Math.round((n * busy) / Math.max(r.busy, 0.01))));
  }
  return n;
}

async function runCase(spec: Case): Promise<CaseResult> {
  const c = { ...spec };
  const [a, b, i] = await Promise.all([
    ServiceProcess.start('bare A', c.shape, 'bare'),
    ServiceProcess.start('bare B', c.shape, 'bare'),
    ServiceProcess.start('instrumented', c.shape, 'instrumented'),
  ]);
  try {
    for (const s of [a, b, i]) await round(s, c); // warm-up: JIT, connections, caches
    c.connections = await calibrate(a, c);
    const rounds = { a: [] as Round[], b: [] as Round[], instrumented: [] as Round[] };
    for (let p = 0; p < PAIRS; p++) {
      const order = p % 2 === 0 ? [a, i, b] : [b, i, a];
      for (const s of order) {
        const r = await round(s, c);
        (s === a ? rounds.a : s === b ? rounds.b : rounds.instrumented).push(r);
      }
    }
    const paired = (f: (x: Round, base: Round) => number, of: Round[]) =>
      median(of.map((x, k) => f(x, rounds.a[k])));
    const thr = (x: Round, base: Round) => x.rps / base.rps;
    const eff = (x: Round, base: Round) => base.cpuPerReq / x.cpuPerReq;
    return {
      case: c,
      rounds,
      throughput: { instrumented: paired(thr, rounds.instrumented), aa: paired(thr, rounds.b) },
      cpuEfficiency: { instrumented: paired(eff, rounds.instrumented), aa: paired(eff, rounds.b) },
    };
  } finally {
    for (const s of [a, b, i]) s.stop();
  }
}

function print(r: CaseResult): void {
  console.log(
    `\n${r.case.name}: ${r.case.connections} connections` +
      (r.case.busy !== undefined ? ` (for bare A ~${100 * r.case.busy} % busy)` : '') +
      `, ${PAIRS} pairs of ${ROUND_S} s rounds`,
  );
  for (const [name, rs] of Object.entries(r.rounds)) {
    const m = (f: (x: Round) => number) => median(rs.map(f));
    console.log(
      `  ${name.padEnd(13)} ${m((x) => x.rps)
        .toFixed(0)
        .padStart(7)} req/s  ` +
        `p50 ${m((x) => x.p50).toFixed(1)} ms  p99 ${m((x) => x.p99).toFixed(1)} ms  ` +
        `CPU ${m((x) => x.cpuPerReq).toFixed(1)} µs/req  busy ${(100 * m((x) => x.busy)).toFixed(0)} %` +
        (rs.some((x) => x.errors > 0) ? `  errors ${rs.reduce((n, x) => n + x.errors, 0)}` : ''),
    );
  }
  console.log(
    `  throughput  instrumented / A ${r.throughput.instrumented.toFixed(3)}x   ` +
      `A/A (B / A) ${r.throughput.aa.toFixed(3)}x`,
  );
  console.log(
    `  CPU per req A / instrumented ${r.cpuEfficiency.instrumented.toFixed(3)}x   ` +
      `A/A (A / B) ${r.cpuEfficiency.aa.toFixed(3)}x`,
  );
}

async function main(): Promise<void> {
  const m = machine();
  const pinned = pinSelf();
  console.log(
    `${machineLine('load', m)}, ` +
      (pinned ? 'services on core 1, autocannon on core 0' : 'not pinned (no taskset)'),
  );
  const results: CaseResult[] = [];
  for (const c of CASES) {
    if (ONLY !== undefined && !ONLY.includes(c.name)) continue;
    results.push(await runCase(c));
    print(results[results.length - 1]);
  }
  console.log('');
  for (const r of results) {
    const { target } = r.case;
    if (target === undefined) continue;
    const ok = r.throughput.instrumented >= target;
    console.log(
      `${r.case.name}: instrumented / bare ${r.throughput.instrumented.toFixed(3)}x ` +
        `(target >= ${target}x, A/A ${r.throughput.aa.toFixed(3)}x) ${ok ? 'ok' : 'MISSED'}`,
    );
  }
  // One file per Node line, whose costs differ; a partial run (some parts or cases) apart.
  const partial = [process.env.OBSWEAVE_LOAD_PARTS, process.env.LOAD_CASES].filter(Boolean);
  const kind = ['load', `node${process.versions.node.split('.')[0]}`, ...partial].join('-');
  const file = writeResults(kind.replace(/[^\w.-]+/g, '_'), m, {
    pinned: HAS_TASKSET && pinned,
    parts: process.env.OBSWEAVE_LOAD_PARTS ?? 'all',
    pairs: PAIRS,
    roundSeconds: ROUND_S,
    results,
  });
  console.log(`wrote ${file}`);
}

void main();
