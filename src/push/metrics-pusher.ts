import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import {
  planPush,
  pushPlanned,
  type PushOptions,
  type PushPlan,
  type PushResult,
} from './push-metrics';

export interface MetricsPusherOptions extends Omit<PushOptions, 'method'> {
  /** `put` (default) replaces the group at each push; `post` only the families pushed. */
  method?: 'put' | 'post';
  /** Time between pushes. */
  intervalMs: number;
}

/**
 * Pushes a registry to a Pushgateway every `intervalMs` while a long batch job runs, and once
 * more on `stop()`, so the gateway ends with the job's final numbers. The timer is unref'd: it
 * never keeps a process alive. A tick that finds the previous push still running is skipped.
 *
 * NOTE: `await pusher.stop()` before the process exits; that final push is the one that counts.
 */
export class MetricsPusher {
  private readonly registry: MetricsRegistry;
  private readonly plan: PushPlan;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private inflight: Promise<PushResult> | undefined;
  private stopping: Promise<PushResult> | undefined;

  constructor(registry: MetricsRegistry | undefined, opts: MetricsPusherOptions) {
    if (opts?.method === ('delete' as string)) {
      throw new TypeError("obsweave: MetricsPusher: method must be 'put' or 'post'");
    }
    const interval = opts?.intervalMs;
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < 1) {
      throw new TypeError(
        `obsweave: MetricsPusher: intervalMs must be a number >= 1, got ${String(interval)}`,
      );
    }
    this.registry = registry ?? metrics;
    this.plan = planPush(opts);
    this.intervalMs = interval;
  }

  /** Starts pushing every `intervalMs`; calling it again while running does nothing. */
  start(): this {
    if (this.timer !== undefined) return this;
    this.stopping = undefined;
    this.timer = setInterval(() => {
      if (this.inflight === undefined) void this.push();
    }, this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Pushes now, whether started or not; never rejects. */
  push(): Promise<PushResult> {
    const p = pushPlanned(this.registry, this.plan).finally(() => {
      if (this.inflight === p) this.inflight = undefined;
    });
    this.inflight = p;
    return p;
  }

  /**
   * Stops the timer, waits for a push under way, then pushes one last time and resolves with
   * that push's result. Calling it again returns the same promise.
   */
  stop(): Promise<PushResult> {
    if (this.stopping !== undefined) return this.stopping;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    const before = this.inflight ?? Promise.resolve();
    this.stopping = before.then(() => this.push());
    return this.stopping;
  }
}
