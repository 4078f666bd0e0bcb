import type { DropReason } from '../core/guard';
import { redact } from '../redact/redact';
import { describeError } from '../core/describe';

/** One reading of the process or the system that sets its own gauges. */
export interface Probe {
  /** Names the probe in logs: `scratch-disk`, `open-fds`. */
  readonly name: string;
  /** Reads and records. A returned promise that never settles blocks only this probe. */
  run(): void | PromiseLike<void>;
}

export interface ProbeSchedulerOptions {
  intervalMs: number;
  /** How long a run may stay pending before it is abandoned, logged and counted. */
  timeoutMs: number;
  /** Counts and logs (once per probe and reason) a run that failed or was abandoned. */
  report(reason: DropReason, probe: string, detail: () => string): void;
  /** Called after every run that settled, whether or not it failed (test seam). */
  onSettled?: (probe: string) => void;
}

const DONE: Promise<void> = Promise.resolve();

/**
 * Runs each probe on its own unref'd timer with its own timeout, so that one probe that never
 * answers (a `statfs` on a dead network mount) stops only itself. A probe whose previous run
 * is still pending skips its tick rather than piling calls up; a pending run past its timeout
 * is abandoned (reported once as `probe_timeout`), and the probe runs again on the first tick
 * after it settles at last.
 */
export class ProbeScheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  /** While a probe's run is pending: what a caller waits for (settled, or timed out). */
  private readonly pending = new Map<Probe, Promise<void>>();

  constructor(
    private readonly probes: readonly Probe[],
    private readonly opts: ProbeSchedulerOptions,
  ) {}

  get running(): boolean {
    return this.timers.length > 0;
  }

  /** Starts one timer per probe and runs each at once. Idempotent. */
  start(): void {
    if (this.running) return;
    for (const p of this.probes) {
      const timer = setInterval(() => void this.run(p), this.opts.intervalMs);
      timer.unref();
      this.timers.push(timer);
      void this.run(p);
    }
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
  }

  /** Runs every probe once; resolves when each has settled or passed its timeout. Never rejects. */
  runAll(): Promise<void> {
    return Promise.all(this.probes.map((p) => this.run(p))).then(() => undefined);
  }

  private run(p: Probe): Promise<void> {
    const pending = this.pending.get(p);
    if (pending !== undefined) return pending;
    let r: void | PromiseLike<void>;
    try {
      r = p.run();
    } catch (e) {
      this.failed(p, e);
      this.settled(p);
      return DONE;
    }
    if (r === undefined || typeof (r as PromiseLike<void>).then !== 'function') {
      this.settled(p);
      return DONE;
    }
    const { timeoutMs } = this.opts;
    const waited = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.opts.report(
          'probe_timeout',
          p.name,
          () =>
            `no answer within ${timeoutMs} ms; its gauges keep their last values until it answers`,
        );
        resolve();
      }, timeoutMs);
      timer.unref();
      Promise.resolve(r)
        .then(undefined, (e: unknown) => this.failed(p, e))
        .finally(() => {
          clearTimeout(timer);
          this.pending.delete(p);
          this.settled(p);
          resolve();
        });
    });
    this.pending.set(p, waited);
    return waited;
  }

  private failed(p: Probe, e: unknown): void {
    this.opts.report(
      'probe_error',
      p.name,
      // An error message may carry a path or a URL with credentials in it.
      () => `failed (${redact(describeError(e))}); its gauges keep their last values`,
    );
  }

  private settled(p: Probe): void {
    try {
      this.opts.onSettled?.(p.name);
    } catch {
      // a test hook must not break the schedule
    }
  }
}
