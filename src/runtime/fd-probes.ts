import { readdirSync, readFileSync } from 'node:fs';
import { catalogOptions } from '../core/catalog';
import type { BoundGauge } from '../core/types';
import type { Probe } from './probe-scheduler';
import { processGauge, type ProbeContext } from './probe-context';

// procfs is read synchronously, as prom-client does and as Node's own `process.memoryUsage()`
// does: it answers from kernel memory, and an asynchronous `readFile` of it costs ten times the
// CPU (procfs reports size 0, so it is read in several trips to the thread pool).

/**
 * `proc.open_fds` and (with the process families) `process_open_fds`, from `/proc/self/fd`.
 * Linux only, as in prom-client: elsewhere neither family is defined. Defined on the first
 * answer, so a sandbox without `/proc` has no fd gauge rather than a zero.
 */
export function openFdsProbe(ctx: ProbeContext, processFamilies: boolean): Probe | undefined {
  if (process.platform !== 'linux') return undefined;
  let seed: BoundGauge | undefined;
  let open: BoundGauge | undefined;
  return {
    name: 'open-fds',
    run() {
      // The listing includes the descriptor opened to read it.
      const n = Math.max(0, readdirSync('/proc/self/fd').length - 1);
      (seed ??= ctx.registry.gauge('proc.open_fds', catalogOptions('proc.open_fds')).bind()).set(n);
      if (processFamilies) {
        (open ??= processGauge(
          ctx,
          'process_open_fds',
          'Number of open file descriptors.',
        ).bind()).set(n);
      }
    },
  };
}

/** `process_max_fds`: the soft limit of `/proc/self/limits` (Linux only; "unlimited" sets nothing). */
export function maxFdsProbe(ctx: ProbeContext): Probe | undefined {
  if (process.platform !== 'linux') return undefined;
  let max: BoundGauge | undefined;
  return {
    name: 'max-fds',
    run() {
      const limits = readFileSync('/proc/self/limits', 'utf8');
      const line = limits.split('\n').find((l) => l.startsWith('Max open files'));
      // `Max open files            1024                 1048576              files`
      const soft = Number(line?.split(/ {2,}/)[1]);
      if (!Number.isFinite(soft)) return;
      (max ??= processGauge(
        ctx,
        'process_max_fds',
        'Maximum number of open file descriptors.',
      ).bind()).set(soft);
    },
  };
}
