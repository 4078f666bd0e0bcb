import { performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import { catalogOptions } from '../core/catalog';
import type { BoundGauge, BoundHistogram } from '../core/types';
import type { Probe } from './probe-scheduler';
import { boundProcessGauge, type ProbeContext } from './probe-context';

/**
 * The delay monitor's interval, read and reset once per sample: into the seed's
 * `event_loop.lag_ms` histogram and, with the process families, prom-client's
 * `nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds` gauges. Those gauges are the
 * monitor's raw figures, as prom-client reports them (they include the monitor's resolution);
 * the histogram subtracts it. An interval with no check (the monitor off: `sampleOnce()`
 * without `start()`) records nothing.
 */
export function loopDelayProbe(
  ctx: ProbeContext,
  monitor: () => IntervalHistogram | undefined,
  resolutionMs: number,
  processFamilies: boolean,
): Probe {
  const lag: BoundHistogram = ctx.registry
    .histogram('event_loop.lag_ms', catalogOptions('event_loop.lag_ms'))
    .bind();
  const g = processFamilies ? delayGauges(ctx) : undefined;
  return {
    name: 'event-loop-delay',
    run() {
      const h = monitor();
      if (h === undefined || h.count === 0) return;
      // The monitor keeps percentiles, not samples: walk them and give each stretch of the
      // distribution its share of the checks, so count, sum and buckets follow the loop.
      const total = h.count;
      let emitted = 0;
      for (const [pct, ns] of h.percentiles) {
        const upTo = Math.round((pct / 100) * total);
        const lagMs = Math.max(0, ns / 1e6 - resolutionMs);
        for (; emitted < upTo; emitted++) lag.observe(lagMs);
      }
      if (g !== undefined) {
        g.min.set(h.min / 1e9);
        g.max.set(h.max / 1e9);
        g.mean.set(h.mean / 1e9);
        g.stddev.set(h.stddev / 1e9);
        g.p50.set(h.percentile(50) / 1e9);
        g.p90.set(h.percentile(90) / 1e9);
        g.p99.set(h.percentile(99) / 1e9);
      }
      h.reset();
    },
  };
}

function delayGauges(
  ctx: ProbeContext,
): Record<'min' | 'max' | 'mean' | 'stddev' | 'p50' | 'p90' | 'p99', BoundGauge> {
  const gauge = (stat: string, help: string) =>
    boundProcessGauge(ctx, `nodejs_eventloop_lag_${stat}_seconds`, help);
  return {
    min: gauge('min', 'The minimum recorded event loop delay.'),
    max: gauge('max', 'The maximum recorded event loop delay.'),
    mean: gauge('mean', 'The mean of the recorded event loop delays.'),
    stddev: gauge('stddev', 'The standard deviation of the recorded event loop delays.'),
    p50: gauge('p50', 'The 50th percentile of the recorded event loop delays.'),
    p90: gauge('p90', 'The 90th percentile of the recorded event loop delays.'),
    p99: gauge('p99', 'The 99th percentile of the recorded event loop delays.'),
  };
}

/** `nodejs_eventloop_lag_seconds`: how long a `setImmediate` waits at sample time, as in prom-client. */
export function loopLagProbe(ctx: ProbeContext): Probe {
  const lag = boundProcessGauge(
    ctx,
    'nodejs_eventloop_lag_seconds',
    'Lag of event loop in seconds.',
  );
  return {
    name: 'event-loop-lag',
    run() {
      const start = process.hrtime.bigint();
      return new Promise<void>((resolve) =>
        setImmediate(() => {
          lag.set(Number(process.hrtime.bigint() - start) / 1e9);
          resolve();
        }),
      );
    },
  };
}

/**
 * `nodejs_eventloop_utilization_ratio`: the share of time the loop was busy since the previous
 * sample (since the process started, on the first), from `performance.eventLoopUtilization()`.
 * Not a prom-client family; the name is the one the OpenTelemetry Node runtime metric
 * `nodejs.eventloop.utilization` takes in Prometheus.
 */
export function loopUtilizationProbe(ctx: ProbeContext): Probe {
  const ratio = boundProcessGauge(
    ctx,
    'nodejs_eventloop_utilization_ratio',
    'Share of time the event loop was busy since the previous sample, 0 to 1.',
  );
  let last: EventLoopUtilization | undefined;
  return {
    name: 'event-loop-utilization',
    run() {
      const now = performance.eventLoopUtilization();
      const u = last === undefined ? now : performance.eventLoopUtilization(now, last);
      last = now;
      // A sample right after the last one has no time in it: keep the previous figure.
      if (u.idle + u.active > 0) ratio.set(u.utilization);
    },
  };
}
