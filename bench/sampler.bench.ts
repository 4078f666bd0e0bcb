import { setTimeout as sleep } from 'node:timers/promises';
import * as prom from 'prom-client';
import { MetricsRegistry, ResourceSampler } from '../src';
import { median, report, type CaseResult } from './harness';

interface PacedCase {
  name: string;
  op(): Promise<unknown>;
}

/**
 * Each sample is measured alone after the loop sat idle for `idleMs`, as between two samples
 * of a running service: back to back, the event-loop delay monitors would hold no checks and
 * both libraries would skip reading them. The figure is CPU time (`process.cpuUsage()`, every
 * thread, so the libuv pool's file reads count too), not wall time: an asynchronous read
 * leaves the loop free while it waits. Cases interleave per round; medians over rounds.
 */
async function benchPaced(
  cases: readonly PacedCase[],
  { rounds = 9, ops = 20, warmupRounds = 2, idleMs = 25 } = {},
): Promise<{ cpu: CaseResult[]; wall: CaseResult[] }> {
  const cpu = cases.map(() => [] as number[]);
  const wall = cases.map(() => [] as number[]);
  for (let r = 0; r < warmupRounds + rounds; r++) {
    for (let i = 0; i < cases.length; i++) {
      let cpuUs = 0;
      let wallNs = 0;
      for (let k = 0; k < ops; k++) {
        await sleep(idleMs);
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        await cases[i].op();
        wallNs += Number(process.hrtime.bigint() - t0);
        const c = process.cpuUsage(c0);
        cpuUs += c.user + c.system;
      }
      if (r >= warmupRounds) {
        cpu[i].push((cpuUs * 1000) / ops);
        wall[i].push(wallNs / ops);
      }
    }
  }
  const results = (xs: number[][]) => cases.map((c, i) => ({ name: c.name, ns: median(xs[i]) }));
  return { cpu: results(cpu), wall: results(wall) };
}

/**
 * The sampler's own cost per sample: every probe once (`sampleOnce()`), and the same followed
 * by a Prometheus export, beside prom-client's `collectDefaultMetrics()` collection
 * (`register.metrics()`, which collects and writes in one go). Each side has a registry of
 * its own holding only the process families; an A/A copy of the obsweave case gives the floor.
 */
export async function runSamplerBench(): Promise<ReturnType<typeof report>> {
  const ours = new MetricsRegistry();
  const sampler = new ResourceSampler({ registry: ours, intervalMs: 3_600_000 }).start();
  const again = new MetricsRegistry();
  const samplerAgain = new ResourceSampler({ registry: again, intervalMs: 3_600_000 }).start();
  const promRegistry = new prom.Registry();
  prom.collectDefaultMetrics({ register: promRegistry });
  const { cpu, wall } = await benchPaced([
    { name: 'obsweave sampleOnce()', op: () => sampler.sampleOnce() },
    {
      name: 'obsweave sampleOnce() + toPrometheus()',
      op: () => sampler.sampleOnce().then(() => ours.toPrometheus()),
    },
    { name: 'prom-client register.metrics()', op: () => promRegistry.metrics() },
    {
      name: 'obsweave sampleOnce() + toPrometheus() (A/A)',
      op: () => samplerAgain.sampleOnce().then(() => again.toPrometheus()),
    },
  ]);
  sampler.stop();
  samplerAgain.stop();
  report('ResourceSampler: wall time of one sample, after 25 ms idle (for reference)', wall);
  return report(
    'ResourceSampler: CPU time of one sample of every process family, after 25 ms idle',
    cpu,
    [
      // No more than prom-client's collection, within this machine's A/A spread (about ±15 %).
      {
        of: 'obsweave sampleOnce() + toPrometheus()',
        to: 'prom-client register.metrics()',
        max: 1.2,
      },
      {
        of: 'obsweave sampleOnce() + toPrometheus()',
        to: 'obsweave sampleOnce() + toPrometheus() (A/A)',
        max: 1.15,
      },
    ],
  );
}

if (require.main === module) void runSamplerBench();
