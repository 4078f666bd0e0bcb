import type { MetricsRegistry } from '../core/metrics-registry';
import type { Probe } from './probe-scheduler';
import type { ProbeContext } from './probe-context';

const NAMES = {
  user: 'process_cpu_user_seconds_total',
  system: 'process_cpu_system_seconds_total',
  total: 'process_cpu_seconds_total',
} as const;

/** The last `process.cpuUsage()` read on a registry (per prefix), in integer microseconds. */
interface CpuReading {
  user: number;
  system: number;
  sampled: boolean;
}

const readings = new WeakMap<MetricsRegistry, Map<string, CpuReading>>();

/**
 * `process_cpu_{user,system}_seconds_total` and `process_cpu_seconds_total`: counters of CPU
 * time the OS keeps. Fed as deltas (prom-client's way) they would drift from the OS figure by
 * a rounding per sample; instead the probe keeps the last reading in microseconds and a
 * collector writes `µs / 1e6` at export, one correctly rounded division from the OS total.
 * One collector per registry and prefix, however many samplers write the reading.
 */
export function cpuProbe(ctx: ProbeContext): Probe {
  const reading = cpuReading(ctx);
  return {
    name: 'cpu',
    run() {
      const u = process.cpuUsage();
      reading.user = u.user;
      reading.system = u.system;
      reading.sampled = true;
    },
  };
}

function cpuReading(ctx: ProbeContext): CpuReading {
  const { registry, prefix } = ctx;
  let byPrefix = readings.get(registry);
  if (byPrefix === undefined) readings.set(registry, (byPrefix = new Map()));
  const known = byPrefix.get(prefix);
  if (known !== undefined) return known;
  const reading: CpuReading = { user: 0, system: 0, sampled: false };
  byPrefix.set(prefix, reading);
  const user = prefix + NAMES.user;
  const system = prefix + NAMES.system;
  const total = prefix + NAMES.total;
  // Defined here for their help text; the collector's series replace the defined ones.
  registry.counter(user, { help: 'Total user CPU time spent in seconds.' });
  registry.counter(system, { help: 'Total system CPU time spent in seconds.' });
  registry.counter(total, { help: 'Total user and system CPU time spent in seconds.' });
  registry.addCollector(function processCpu() {
    if (!reading.sampled) return {};
    return {
      counters: {
        [user]: reading.user / 1e6,
        [system]: reading.system / 1e6,
        [total]: (reading.user + reading.system) / 1e6,
      },
    };
  });
  return reading;
}
