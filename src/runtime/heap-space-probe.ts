import { getHeapSpaceStatistics } from 'node:v8';
import type { BoundGauge } from '../core/types';
import type { Probe } from './probe-scheduler';
import { processGauge, type ProbeContext } from './probe-context';

/**
 * `nodejs_heap_space_size_{total,used,available}_bytes{space}`, one series per V8 heap space,
 * named as prom-client names them (`old_space` → `old`). The spaces differ between Node lines
 * (Node 26 adds `trusted`, `shared_trusted`, …), so they are bound as they appear.
 */
export function heapSpaceProbe(ctx: ProbeContext): Probe {
  const labels = ['space'];
  const total = processGauge(
    ctx,
    'nodejs_heap_space_size_total_bytes',
    'Process heap space size total from Node.js in bytes.',
    labels,
  );
  const used = processGauge(
    ctx,
    'nodejs_heap_space_size_used_bytes',
    'Process heap space size used from Node.js in bytes.',
    labels,
  );
  const available = processGauge(
    ctx,
    'nodejs_heap_space_size_available_bytes',
    'Process heap space size available from Node.js in bytes.',
    labels,
  );
  const bound = new Map<string, [BoundGauge, BoundGauge, BoundGauge]>();
  return {
    name: 'heap-spaces',
    run() {
      for (const s of getHeapSpaceStatistics()) {
        let g = bound.get(s.space_name);
        if (g === undefined) {
          const end = s.space_name.indexOf('_space');
          const space = { space: end < 0 ? s.space_name : s.space_name.slice(0, end) };
          g = [total.bind(space), used.bind(space), available.bind(space)];
          bound.set(s.space_name, g);
        }
        g[0].set(s.space_size);
        g[1].set(s.space_used_size);
        g[2].set(s.space_available_size);
      }
    },
  };
}
