import { catalogOptions } from '../core/catalog';
import type { BoundGauge } from '../core/types';
import type { Probe } from './probe-scheduler';
import { boundProcessGauge, type ProbeContext } from './probe-context';

const MB = 1048576;

/**
 * `proc.memory_rss_mb` and, with the process families, `nodejs_heap_size_total_bytes`,
 * `nodejs_heap_size_used_bytes`, `nodejs_external_memory_bytes`, and off Linux
 * `process_resident_memory_bytes` (Linux reads it from `/proc/self/status`, as prom-client does).
 */
export function memoryProbe(ctx: ProbeContext, processFamilies: boolean): Probe {
  const r = ctx.registry;
  const rss = r.gauge('proc.memory_rss_mb', catalogOptions('proc.memory_rss_mb')).bind();
  // Without the heap figures, `rss()` alone skips walking the V8 heap.
  if (!processFamilies)
    return { name: 'memory', run: () => rss.set(process.memoryUsage.rss() / MB) };
  const total = boundProcessGauge(
    ctx,
    'nodejs_heap_size_total_bytes',
    'Process heap size from Node.js in bytes.',
  );
  const used = boundProcessGauge(
    ctx,
    'nodejs_heap_size_used_bytes',
    'Process heap size used from Node.js in bytes.',
  );
  const external = boundProcessGauge(
    ctx,
    'nodejs_external_memory_bytes',
    'Node.js external memory size in bytes.',
  );
  const resident: BoundGauge | undefined =
    process.platform === 'linux'
      ? undefined
      : boundProcessGauge(ctx, 'process_resident_memory_bytes', 'Resident memory size in bytes.');
  return {
    name: 'memory',
    run() {
      const m = process.memoryUsage();
      rss.set(m.rss / MB);
      resident?.set(m.rss);
      total.set(m.heapTotal);
      used.set(m.heapUsed);
      external.set(m.external);
    },
  };
}
