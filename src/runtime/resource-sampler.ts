import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import { cpuProbe } from './cpu-probe';
import { scratchDiskProbe } from './disk-probe';
import { loopDelayProbe, loopLagProbe, loopUtilizationProbe } from './event-loop-probes';
import { maxFdsProbe, openFdsProbe } from './fd-probes';
import { GcObserver } from './gc-observer';
import { handleProbes } from './handle-probes';
import { heapSpaceProbe } from './heap-space-probe';
import { memoryProbe } from './memory-probe';
import { ProbeScheduler, type Probe } from './probe-scheduler';
import type { ProbeContext } from './probe-context';
import { constantsProbe, procStatusProbe } from './process-probes';
import { SAMPLER_SEAMS, type SamplerSeams } from './sampler-seams';
import { describeValue } from '../core/describe';

export interface ResourceSamplerOptions {
  /** Default: the process-wide `metrics`. */
  registry?: MetricsRegistry;
  /** Time between samples while started, for every probe. Default 10000. */
  intervalMs?: number;
  /** Folder whose file system `scratch.disk_used_pct` reports; without it, no disk gauge. */
  scratchDir?: string;
  /**
   * How often the event loop delay monitor checks the loop, in ms. Default 20. Lower sees
   * shorter stalls at a small constant cost.
   */
  lagResolutionMs?: number;
  /**
   * How long one probe's read (a `statfs`, a `/proc` read) may stay pending before it is
   * abandoned, logged once and counted in `obsweave.dropped_total{reason="probe_timeout"}`.
   * Default 5000.
   */
  probeTimeoutMs?: number;
  /**
   * The Node process families under prom-client's names (`process_cpu_seconds_total`,
   * `nodejs_heap_size_used_bytes`, …) and `nodejs_eventloop_utilization_ratio`. Default true;
   * `false` keeps only the catalog's gauges.
   */
  processMetrics?: boolean;
  /** Prepended to every process family name, as prom-client's `prefix`. Default ''. */
  prefix?: string;
}

const PREFIX = /^(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?$/;

/**
 * Samples the catalog's process and disk gauges (`proc.memory_rss_mb`, `proc.open_fds`,
 * `scratch.disk_used_pct`, the `event_loop.lag_ms` histogram) and the Node process families
 * that prom-client's `collectDefaultMetrics()` exports, under the same names, types, labels and
 * units (see the README for the few differences), plus event-loop utilisation.
 *
 * Each probe runs on its own unref'd timer with its own timeout: a `statfs` that never answers
 * (a dead network mount) stops `scratch.disk_used_pct` alone, logged once and counted as
 * `probe_timeout`, while every other gauge keeps its interval; a probe that throws is counted
 * as `probe_error` each time and logged once. Gauges keep their last values meanwhile.
 *
 * Lag comes from `perf_hooks.monitorEventLoopDelay`, which checks the loop every
 * `lagResolutionMs` while started, so a stall between two samples is seen, not only the
 * sampler's own timer drift. Each sample turns that interval's delay distribution into
 * observations (one per check, delay minus the resolution). NOTE: without `start()`,
 * `sampleOnce()` records no lag and no garbage collection.
 *
 * Timers are unref'd: a started sampler never keeps the process alive.
 */
export class ResourceSampler {
  private readonly scheduler: ProbeScheduler;
  private readonly resolutionMs: number;
  private readonly gc: GcObserver | undefined;
  private monitor: IntervalHistogram | undefined;

  constructor(opts: ResourceSamplerOptions = {}) {
    const registry = opts.registry ?? metrics;
    const intervalMs = positive('intervalMs', opts.intervalMs, 10000);
    this.resolutionMs = Math.max(
      1,
      Math.round(positive('lagResolutionMs', opts.lagResolutionMs, 20)),
    );
    const timeoutMs = positive('probeTimeoutMs', opts.probeTimeoutMs, 5000);
    const { scratchDir, prefix = '', processMetrics = true } = opts;
    if (scratchDir !== undefined && (typeof scratchDir !== 'string' || scratchDir === '')) {
      throw new TypeError('obsweave: scratchDir must be a non-empty string');
    }
    if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
      throw new TypeError(
        `obsweave: prefix must be letters, digits, "_" and ":", not starting with a digit; got ${describeValue(prefix)}`,
      );
    }
    if (typeof processMetrics !== 'boolean') {
      throw new TypeError('obsweave: processMetrics must be a boolean');
    }
    const seams = (opts as { [SAMPLER_SEAMS]?: SamplerSeams })[SAMPLER_SEAMS] ?? {};

    const ctx: ProbeContext = { registry, prefix };
    // The handle counts first: the other probes' own reads would show in them.
    const probes: (Probe | undefined)[] = [
      ...(processMetrics ? handleProbes(ctx) : []),
      memoryProbe(ctx, processMetrics),
      openFdsProbe(ctx, processMetrics),
      loopDelayProbe(ctx, () => this.monitor, this.resolutionMs, processMetrics),
      scratchDir === undefined ? undefined : scratchDiskProbe(registry, scratchDir, seams.statfs),
    ];
    if (processMetrics) {
      probes.push(
        cpuProbe(ctx),
        procStatusProbe(ctx),
        maxFdsProbe(ctx),
        constantsProbe(ctx),
        heapSpaceProbe(ctx),
        loopLagProbe(ctx),
        loopUtilizationProbe(ctx),
      );
      this.gc = new GcObserver(ctx);
    }
    this.scheduler = new ProbeScheduler(
      probes.filter((p): p is Probe => p !== undefined),
      {
        intervalMs,
        timeoutMs,
        report: (reason, probe, detail) =>
          registry.drop(reason, `resource sampler probe "${probe}"`, detail),
        onSettled: seams.onSettled,
      },
    );
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.scheduler.running;
  }

  /**
   * Starts the lag monitor, the GC observer and every probe's timer, and samples at once.
   * Idempotent.
   */
  start(): this {
    if (this.running) return this;
    this.monitor = monitorEventLoopDelay({ resolution: this.resolutionMs });
    this.monitor.enable();
    this.gc?.start();
    this.scheduler.start();
    return this;
  }

  /** Stops sampling; the gauges keep their last values. Idempotent. */
  stop(): void {
    this.scheduler.stop();
    this.gc?.stop();
    this.monitor?.disable();
    this.monitor = undefined;
  }

  /**
   * Runs every probe once and resolves when each has answered or passed `probeTimeoutMs`.
   * Never rejects. A probe whose previous read is still pending is not called again: its
   * pending read is waited for instead (or not at all, once past its timeout).
   */
  sampleOnce(): Promise<void> {
    return this.scheduler.runAll();
  }
}

function positive(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  // setInterval turns anything past 2^31 - 1 ms into 1 ms: refuse it rather than spin.
  if (typeof v !== 'number' || !(v > 0) || v > 2147483647) {
    throw new TypeError(`obsweave: ${name} must be a positive number of ms, got ${String(v)}`);
  }
  return v;
}
