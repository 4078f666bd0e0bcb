/**
 * `npm run bench`: obsweave beside prom-client and @opentelemetry/sdk-metrics in one process,
 * then the decorator overhead, then the cost of redaction. Prints medians of interleaved
 * rounds and ratios; the machine is shared and noisy, so only the ratios mean anything
 * (redaction of 1 MiB values has an absolute target, far from its figures).
 */
import { machineLine } from './harness';
import { runMemoryBench } from './memory.bench';
import { runRegistryBench } from './registry.bench';

async function main(): Promise<void> {
  console.log(machineLine('bench'));
  const targets: { of: string; to: string; ratio: number; max: number; ok: boolean }[] = [];
  targets.push(...(await runRegistryBench()));
  for (const m of runMemoryBench()) {
    targets.push({
      of: `obsweave ${m.kind} bytes/series`,
      to: 'prom-client',
      ratio: m.ours / m.prom,
      max: 1,
      ok: m.ok,
    });
  }
  const { runDecoratorBench } = await import('./decorators.bench');
  targets.push(...(await runDecoratorBench()));
  const { runClusterBench } = await import('./cluster.bench');
  targets.push(...(await runClusterBench()));
  const { runDashboardBench } = await import('./dashboard.bench');
  targets.push(...(await runDashboardBench()));
  const { runSamplerBench } = await import('./sampler.bench');
  targets.push(...(await runSamplerBench()));
  const { runNativeBench } = await import('./native.bench');
  targets.push(...runNativeBench());
  const { runRedactBench } = await import('./redact.bench');
  targets.push(...runRedactBench());
  const missed = targets.filter((t) => !t.ok);
  console.log(`\n${targets.length - missed.length} of ${targets.length} targets met`);
  for (const t of missed)
    console.log(`  MISSED ${t.of} / ${t.to}: ${t.ratio.toFixed(3)}x > ${t.max}x`);
}

void main();
