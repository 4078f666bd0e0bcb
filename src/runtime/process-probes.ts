import { readFileSync } from 'node:fs';
import type { Probe } from './probe-scheduler';
import { boundProcessGauge, processGauge, type ProbeContext } from './probe-context';

/**
 * `process_resident_memory_bytes`, `process_virtual_memory_bytes` and `process_heap_bytes`
 * from `/proc/self/status` (`VmRSS`, `VmSize`, `VmData`), as prom-client reads them on Linux.
 * Elsewhere the memory probe sets the resident size from `process.memoryUsage()`. Read
 * synchronously, as the fd probes read procfs (see there).
 */
export function procStatusProbe(ctx: ProbeContext): Probe | undefined {
  if (process.platform !== 'linux') return undefined;
  const resident = boundProcessGauge(
    ctx,
    'process_resident_memory_bytes',
    'Resident memory size in bytes.',
  );
  const virtual = boundProcessGauge(
    ctx,
    'process_virtual_memory_bytes',
    'Virtual memory size in bytes.',
  );
  const heap = boundProcessGauge(ctx, 'process_heap_bytes', 'Process heap size in bytes.');
  return {
    name: 'proc-status',
    run() {
      const status = readFileSync('/proc/self/status', 'utf8');
      setKb(resident, status, 'VmRSS:');
      setKb(virtual, status, 'VmSize:');
      setKb(heap, status, 'VmData:');
    },
  };
}

/** `VmRSS:\t  123456 kB` → bytes; a field the kernel does not show sets nothing. */
function setKb(g: { set(v: number): void }, status: string, field: string): void {
  const at = status.indexOf(`\n${field}`);
  if (at < 0) return;
  const kb = parseInt(status.slice(at + field.length + 1), 10);
  if (Number.isFinite(kb)) g.set(kb * 1024);
}

// Computed once, as prom-client does: later reads would drift with the clock.
const START_SECONDS = Math.round(Date.now() / 1000 - process.uptime());
const VERSION = process.version;
const [MAJOR, MINOR, PATCH] = VERSION.slice(1).split('.');

/** `process_start_time_seconds` and `nodejs_version_info{version,major,minor,patch}`: constants, set on every run so a `reset()` does not lose them. */
export function constantsProbe(ctx: ProbeContext): Probe {
  const start = boundProcessGauge(
    ctx,
    'process_start_time_seconds',
    'Start time of the process since unix epoch in seconds.',
  );
  const version = processGauge(ctx, 'nodejs_version_info', 'Node.js version info.', [
    'version',
    'major',
    'minor',
    'patch',
  ]).bind({
    version: VERSION,
    major: MAJOR,
    minor: MINOR,
    patch: PATCH,
  });
  return {
    name: 'constants',
    run() {
      start.set(START_SECONDS);
      version.set(1);
    },
  };
}
