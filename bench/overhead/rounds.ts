import { benchAsync, median, type AsyncCase } from '../harness';

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
