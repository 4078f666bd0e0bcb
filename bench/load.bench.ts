/**
 * `npm run bench:load`: end to end. Per shape, three copies of the service on 127.0.0.1 —
 * bare A, bare B and instrumented — driven in turn by autocannon for ~1 s rounds, the order
 * reversed every other pair (A I B, B I A, …). Instrumented / A is the result; B / A, two
 * identical services measured the same way in the same run, is the noise floor printed
 * beside it. `/metrics` of the instrumented service is scraped every second of its rounds.
 *
 * Two figures per round: throughput, which on a saturated server is what the reader wants
 * but moves with whatever else the shared machine runs; and the service's own CPU time per
 * request (from `process.cpuUsage()` in the service), which holds only its own work.
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

/** Connections enough to keep one core busy: the realistic shape waits ~3 ms per request. */
const LOAD: Record<Shape, LoadOptions> = {
  trivial: { url: '/api/jobs/123', connections: 10 },
  realistic: {
    url: '/api/jobs',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JOB,
    connections: 100,
  },
};

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

async function round(s: ServiceProcess, shape: Shape): Promise<Round> {
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
    ...LOAD[shape],
    url: `http://127.0.0.1:${s.port}${LOAD[shape].url}`,
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

interface ShapeResult {
  shape: Shape;
  rounds: Record<'a' | 'b' | 'instrumented', Round[]>;
  /** Medians over pairs of instrumented / A and of B / A. */
  throughput: { instrumented: number; aa: number };
  /** A's CPU per request over the other's: a throughput-like ratio, 1 = no cost. */
  cpuEfficiency: { instrumented: number; aa: number };
}

async function runShape(shape: Shape): Promise<ShapeResult> {
  const [a, b, i] = await Promise.all([
    ServiceProcess.start('bare A', shape, 'bare'),
    ServiceProcess.start('bare B', shape, 'bare'),
    ServiceProcess.start('instrumented', shape, 'instrumented'),
  ]);
  try {
    for (const s of [a, b, i]) await round(s, shape); // warm-up: JIT, connections, caches
    const rounds = { a: [] as Round[], b: [] as Round[], instrumented: [] as Round[] };
    for (let p = 0; p < PAIRS; p++) {
      const order = p % 2 === 0 ? [a, i, b] : [b, i, a];
      for (const s of order) {
        const r = await round(s, shape);
        (s === a ? rounds.a : s === b ? rounds.b : rounds.instrumented).push(r);
      }
    }
    const paired = (f: (x: Round, base: Round) => number, of: Round[]) =>
      median(of.map((x, k) => f(x, rounds.a[k])));
    const thr = (x: Round, base: Round) => x.rps / base.rps;
    const eff = (x: Round, base: Round) => base.cpuPerReq / x.cpuPerReq;
    return {
      shape,
      rounds,
      throughput: { instrumented: paired(thr, rounds.instrumented), aa: paired(thr, rounds.b) },
      cpuEfficiency: { instrumented: paired(eff, rounds.instrumented), aa: paired(eff, rounds.b) },
    };
  } finally {
    for (const s of [a, b, i]) s.stop();
  }
}

function print(r: ShapeResult): void {
  console.log(`\n${r.shape} (${PAIRS} pairs of ${ROUND_S} s rounds)`);
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
  const results: ShapeResult[] = [];
  for (const shape of ['trivial', 'realistic'] as const) {
    results.push(await runShape(shape));
    print(results[results.length - 1]);
  }
  const real = results.find((r) => r.shape === 'realistic')!;
  const ok = real.throughput.instrumented >= 0.98;
  console.log(
    `\nrealistic: instrumented / bare ${real.throughput.instrumented.toFixed(3)}x ` +
      `(target >= 0.98x, A/A ${real.throughput.aa.toFixed(3)}x) ${ok ? 'ok' : 'MISSED'}`,
  );
  const file = writeResults('load', m, {
    pinned: HAS_TASKSET && pinned,
    pairs: PAIRS,
    roundSeconds: ROUND_S,
    results,
  });
  console.log(`wrote ${file}`);
}

void main();
