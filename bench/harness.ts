import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

/**
 * Interleaved micro-benchmarks: every round runs each case once (A B C A B C …), so that a noisy
 * neighbour slows all cases alike; figures are medians over rounds, compared as ratios.
 */
export interface Case {
  name: string;
  /** Runs the operation `n` times; its own loop, so that the JIT inlines the call. */
  run(n: number): void;
}

export interface CaseResult {
  name: string;
  /** Median ns per operation over the rounds. */
  ns: number;
}

export interface BenchOptions {
  rounds?: number;
  /** Operations per case per round. */
  ops?: number;
  warmupRounds?: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The order statistics bounding the median of `xs` at `level` confidence or more, whatever
 * their distribution: the count of values below the true median is binomial(n, ½).
 */
export function medianInterval(xs: readonly number[], level = 0.95): [number, number] {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  // The largest k with P(count < k) <= (1 - level) / 2: the interval is s[k - 1] .. s[n - k].
  let k = 0;
  let tail = 0;
  let term = 0.5 ** n; // P(count = 0)
  while (k < n >> 1 && tail + term <= (1 - level) / 2) {
    tail += term;
    term = (term * (n - k)) / (k + 1);
    k++;
  }
  return k === 0 ? [-Infinity, Infinity] : [s[k - 1], s[n - k]];
}

export function bench(cases: readonly Case[], opts: BenchOptions = {}): CaseResult[] {
  const { rounds = 9, ops = 200_000, warmupRounds = 2 } = opts;
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < warmupRounds + rounds; r++) {
    cases.forEach((c, i) => {
      const t0 = process.hrtime.bigint();
      c.run(ops);
      const ns = Number(process.hrtime.bigint() - t0) / ops;
      if (r >= warmupRounds) samples[i].push(ns);
    });
  }
  return cases.map((c, i) => ({ name: c.name, ns: median(samples[i]) }));
}

/** Async cases: one awaited operation at a time, as a caller of an async method does. */
export interface AsyncCase {
  name: string;
  run(n: number): Promise<void>;
}

export async function benchAsync(
  cases: readonly AsyncCase[],
  opts: BenchOptions = {},
): Promise<CaseResult[]> {
  const { rounds = 9, ops = 50_000, warmupRounds = 2 } = opts;
  const samples = cases.map(() => [] as number[]);
  for (let r = 0; r < warmupRounds + rounds; r++) {
    for (let i = 0; i < cases.length; i++) {
      const t0 = process.hrtime.bigint();
      await cases[i].run(ops);
      const ns = Number(process.hrtime.bigint() - t0) / ops;
      if (r >= warmupRounds) samples[i].push(ns);
    }
  }
  return cases.map((c, i) => ({ name: c.name, ns: median(samples[i]) }));
}

export function fmtNs(ns: number): string {
  return ns >= 1e6
    ? `${(ns / 1e6).toFixed(2)} ms`
    : ns >= 1e3
      ? `${(ns / 1e3).toFixed(2)} µs`
      : `${ns.toFixed(1)} ns`;
}

/** A ratio with a limit: of the two cases' medians, or the median of `paired`, when given. */
export interface Target {
  of: string;
  to: string;
  max: number;
  /**
   * `of` over `to` round by round, for cases timed in pairs: their median is the ratio. Two
   * medians taken apart keep what sets one round from the next (a collection, the machine).
   */
  paired?: readonly number[];
}

/**
 * Prints one group: each case's median and its ratio to `base` (the case named so), and for
 * each target the measured ratio against its limit.
 */
export function report(
  title: string,
  results: readonly CaseResult[],
  targets: readonly Target[] = [],
): { of: string; to: string; ratio: number; max: number; ok: boolean }[] {
  console.log(`\n${title}`);
  const by = new Map(results.map((r) => [r.name, r.ns]));
  for (const r of results) console.log(`  ${r.name.padEnd(44)} ${fmtNs(r.ns).padStart(12)}/op`);
  return targets.map(({ of, to, max, paired }) => {
    const ratio = paired !== undefined ? median(paired) : (by.get(of) ?? NaN) / (by.get(to) ?? NaN);
    const ok = ratio <= max;
    console.log(
      `  ${`${of} / ${to}`.padEnd(60)} ${ratio.toFixed(3)}x  (target <= ${max}x) ${ok ? 'ok' : 'MISSED'}`,
    );
    return { of, to, ratio, max, ok };
  });
}

/** Where and when a run happened: printed first, and written with its results. */
export interface Machine {
  date: string;
  node: string;
  cpus: number;
  cpu: string;
}

export function machine(): Machine {
  const list = cpus();
  return {
    date: new Date().toISOString().slice(0, 10),
    node: process.version,
    cpus: list.length,
    cpu: list[0]?.model ?? 'unknown cpu',
  };
}

/** `obsweave <title> — 2026-11-28, Node v20.20.2, 2 × AMD EPYC` */
export function machineLine(title: string, m: Machine = machine()): string {
  return `obsweave ${title} — ${m.date}, Node ${m.node}, ${m.cpus} × ${m.cpu}`;
}

/** Writes `bench/results/<kind>-<date>.json` with the machine and `data`; returns its path. */
export function writeResults(kind: string, m: Machine, data: Record<string, unknown>): string {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${kind}-${m.date}.json`);
  writeFileSync(file, `${JSON.stringify({ ...m, ...data }, null, 2)}\n`);
  return file;
}

export interface CaseSamples {
  name: string;
  /** Median CPU ns per operation over the rounds. */
  ns: number;
  /** CPU ns per operation of every measured round, in round order. */
  samples: number[];
  /** Median wall-clock ns per operation, as the harness times it. */
  wallNs: number;
  wallSamples: number[];
}

export interface RoundsOptions {
  rounds: number;
  warmupRounds: number;
  ops: number;
}

/**
 * The harness's interleaved rounds (A B C … per round), one round per call, so that every
 * round's figure is kept: a difference between two cases is then taken within each round,
 * where both met the same neighbours, and its median is far steadier than that of a
 * difference of medians. Many short rounds beat a few long ones here: the load that other
 * processes put on the machine comes and goes over seconds, and a short round's pair sees
 * one state of it.
 *
 * Each case is also charged the process's CPU time (user + system, all threads, so GC work
 * counts) over its run. On a shared 2-core machine under load, a wall-clock figure holds every
 * time slice another process took in the middle of the run; CPU time holds only this process's
 * own work, and is what the comparisons use.
 */
export async function pairedRounds(
  cases: readonly AsyncCase[],
  { rounds, warmupRounds, ops }: RoundsOptions,
): Promise<CaseSamples[]> {
  const cpu = cases.map(() => [] as number[]);
  const wall = cases.map(() => [] as number[]);
  const last = cases.map(() => NaN);
  const charged: AsyncCase[] = cases.map((c, i) => ({
    name: c.name,
    run: async (n) => {
      const t0 = process.cpuUsage();
      await c.run(n);
      const t = process.cpuUsage(t0);
      last[i] = ((t.user + t.system) * 1000) / n;
    },
  }));
  for (let r = 0; r < warmupRounds + rounds; r++) {
    // Each round starts with another case, so that none always follows the same neighbour
    // (and meets the garbage it left).
    const order = charged.map((_, k) => (k + r) % charged.length);
    const res = await benchAsync(
      order.map((i) => charged[i]),
      { rounds: 1, warmupRounds: 0, ops },
    );
    if (r < warmupRounds) continue;
    res.forEach((c, k) => {
      wall[order[k]].push(c.ns);
      cpu[order[k]].push(last[order[k]]);
    });
  }
  return cases.map((c, i) => ({
    name: c.name,
    ns: median(cpu[i]),
    samples: cpu[i],
    wallNs: median(wall[i]),
    wallSamples: wall[i],
  }));
}

/** Median over rounds of `of − base`, each round's pair measured side by side. */
export function pairedDelta(of: CaseSamples, base: CaseSamples): number {
  return median(of.samples.map((x, i) => x - base.samples[i]));
}

/** Median over rounds of `base / of`: the throughput of `of` relative to `base`. */
export function pairedThroughput(of: CaseSamples, base: CaseSamples): number {
  return median(of.samples.map((x, i) => base.samples[i] / x));
}
