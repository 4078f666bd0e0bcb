import { promises as fsp } from 'node:fs';
import { catalogOptions } from '../core/catalog';
import type { MetricsRegistry } from '../core/metrics-registry';
import type { BoundGauge } from '../core/types';
import type { Probe } from './probe-scheduler';
import type { SamplerSeams } from './sampler-seams';

/**
 * `scratch.disk_used_pct` of the file system that holds `dir`. Defined on the first answer, so
 * a folder that never could be read has no gauge at all. `statfs` on a dead network mount
 * never answers: the scheduler's timeout is what keeps that from stalling anything else.
 */
export function scratchDiskProbe(
  registry: MetricsRegistry,
  dir: string,
  statfs: NonNullable<SamplerSeams['statfs']> = (d) => fsp.statfs(d),
): Probe {
  let disk: BoundGauge | undefined;
  return {
    name: 'scratch-disk',
    async run() {
      const pct = diskUsedPct(await statfs(dir));
      if (pct === undefined) return;
      (disk ??= registry
        .gauge('scratch.disk_used_pct', catalogOptions('scratch.disk_used_pct'))
        .bind()).set(pct);
    },
  };
}

/** `df`'s "Use%": blocks reserved for root count as neither used nor available. */
export function diskUsedPct(st: {
  blocks: number;
  bfree: number;
  bavail: number;
}): number | undefined {
  const used = st.blocks - st.bfree;
  const size = used + st.bavail;
  if (!(size > 0) || used < 0) return undefined;
  return (used / size) * 100;
}
