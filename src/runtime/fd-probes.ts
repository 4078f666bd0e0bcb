import { promises as fsp } from 'node:fs';
import { catalogOptions } from '../core/catalog';
import type { BoundGauge } from '../core/types';
import type { Probe } from './probe-scheduler';
import { processGauge, type ProbeContext } from './probe-context';

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
    async run() {
      // The listing includes the descriptor opened to read it.
      const n = Math.max(0, (await fsp.readdir('/proc/self/fd')).length - 1);
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
    async run() {
      const limits = await fsp.readFile('/proc/self/limits', 'utf8');
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
