import { promises as fsp } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import type { BoundGauge, BoundHistogram } from '../core/types';
import { catalogOptions } from '../core/catalog';

export interface ResourceSamplerOptions {
  /** Default: the process-wide `metrics`. */
  registry?: MetricsRegistry;
  /** Time between samples while started. Default 10000. */
  intervalMs?: number;
  /** Folder whose file system `scratch.disk_used_pct` reports; without it, no disk gauge. */
  scratchDir?: string;
  /**
   * How often the event loop delay monitor checks the loop, in ms. Default 20. Lower sees
   * shorter stalls at a small constant cost.
   */
  lagResolutionMs?: number;
}

const MB = 1048576;

/**
 * Samples process and disk gauges: `proc.memory_rss_mb`, `proc.open_fds` (Linux only, from
 * `/proc/self/fd`; never defined elsewhere), `scratch.disk_used_pct` and the
 * `event_loop.lag_ms` histogram.
 *
 * Lag comes from `perf_hooks.monitorEventLoopDelay`, which checks the loop every
 * `lagResolutionMs` while started, so a stall between two samples is seen, not only the
 * sampler's own timer drift. Each sample turns that interval's delay distribution into
 * observations (one per check, delay minus the resolution). NOTE: without `start()`,
 * `sampleOnce()` records no lag.
 *
 * Disk use is `df`'s figure: used / (used + available to unprivileged users). A scratch
 * folder that cannot be read is logged once and its gauge is not set (not defined at all if
 * it never could be read; left at its last value if it disappears later).
 *
 * Timers are unref'd: a started sampler never keeps the process alive.
 */
export class ResourceSampler {
  private readonly registry: MetricsRegistry;
  private readonly intervalMs: number;
  private readonly scratchDir: string | undefined;
  private readonly resolutionMs: number;
  private readonly rss: BoundGauge;
  private readonly lag: BoundHistogram;
  private fds: BoundGauge | undefined;
  private disk: BoundGauge | undefined;
  private timer: NodeJS.Timeout | undefined;
  private monitor: IntervalHistogram | undefined;
  private pending: Promise<void> | undefined;

  constructor(opts: ResourceSamplerOptions = {}) {
    this.registry = opts.registry ?? metrics;
    this.intervalMs = positive('intervalMs', opts.intervalMs, 10000);
    this.resolutionMs = Math.max(
      1,
      Math.round(positive('lagResolutionMs', opts.lagResolutionMs, 20)),
    );
    if (
      opts.scratchDir !== undefined &&
      (typeof opts.scratchDir !== 'string' || opts.scratchDir === '')
    ) {
      throw new TypeError('obsweave: scratchDir must be a non-empty string');
    }
    this.scratchDir = opts.scratchDir;
    const r = this.registry;
    this.rss = r.gauge('proc.memory_rss_mb', catalogOptions('proc.memory_rss_mb')).bind();
    this.lag = r.histogram('event_loop.lag_ms', catalogOptions('event_loop.lag_ms')).bind();
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Starts the lag monitor and the interval, and takes a first sample at once. Idempotent. */
  start(): this {
    if (this.timer !== undefined) return this;
    this.monitor = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.monitor.enable();
    this.timer = setInterval(() => void this.sampleOnce(), this.intervalMs);
    this.timer.unref();
    void this.sampleOnce();
    return this;
  }

  /** Stops sampling; the gauges keep their last values. Idempotent. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.monitor?.disable();
    this.monitor = undefined;
  }

  /**
   * Takes one sample. Never rejects. While a sample is still reading the file system (a slow
   * network mount), another call returns that same sample rather than piling reads up.
   */
  sampleOnce(): Promise<void> {
    return (this.pending ??= this.sample().finally(() => (this.pending = undefined)));
  }

  private async sample(): Promise<void> {
    try {
      this.rss.set(process.memoryUsage.rss() / MB);
      this.sampleLag();
      await Promise.all([this.sampleFds(), this.sampleDisk()]);
    } catch (e) {
      this.registry.warnOnce('resource-sampler', `resource sampler: a sample failed: ${String(e)}`);
    }
  }

  private sampleLag(): void {
    const h = this.monitor;
    if (h === undefined || h.count === 0) return;
    // The monitor keeps percentiles, not samples: walk them and give each stretch of the
    // distribution its share of the checks, so count, sum and buckets follow the loop.
    const total = h.count;
    let emitted = 0;
    for (const [pct, ns] of h.percentiles) {
      const upTo = Math.round((pct / 100) * total);
      const lagMs = Math.max(0, ns / 1e6 - this.resolutionMs);
      for (; emitted < upTo; emitted++) this.lag.observe(lagMs);
    }
    h.reset();
  }

  private async sampleFds(): Promise<void> {
    if (process.platform !== 'linux') return;
    try {
      const entries = await fsp.readdir('/proc/self/fd');
      // The listing includes the descriptor opened to read it.
      (this.fds ??= this.registry
        .gauge('proc.open_fds', catalogOptions('proc.open_fds'))
        .bind()).set(Math.max(0, entries.length - 1));
    } catch {
      // best effort: a sandbox without /proc simply has no fd gauge
    }
  }

  private async sampleDisk(): Promise<void> {
    const dir = this.scratchDir;
    if (dir === undefined) return;
    let st: { blocks: number; bfree: number; bavail: number };
    try {
      st = await fsp.statfs(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException)?.code ?? String(e);
      this.registry.warnOnce(
        `resource-sampler\u0000scratch\u0000${dir}`,
        `resource sampler: cannot read scratch folder ${dir} (${code}); scratch.disk_used_pct not set`,
      );
      return;
    }
    const pct = diskUsedPct(st);
    if (pct === undefined) return;
    (this.disk ??= this.registry
      .gauge('scratch.disk_used_pct', catalogOptions('scratch.disk_used_pct'))
      .bind()).set(pct);
  }
}

/** `df`'s "Use%": blocks reserved for root count as neither used nor available. */
function diskUsedPct(st: { blocks: number; bfree: number; bavail: number }): number | undefined {
  const used = st.blocks - st.bfree;
  const size = used + st.bavail;
  if (!(size > 0) || used < 0) return undefined;
  return (used / size) * 100;
}

function positive(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  // setInterval turns anything past 2^31 - 1 ms into 1 ms: refuse it rather than spin.
  if (typeof v !== 'number' || !(v > 0) || v > 2147483647) {
    throw new TypeError(`obsweave: ${name} must be a positive number of ms, got ${String(v)}`);
  }
  return v;
}
