import { performance } from 'node:perf_hooks';
import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import type { BoundCounter, BoundHistogram, Counter } from '../core/types';
import { catalogOptions } from '../core/catalog';
import { InflightGauge } from './inflight-gauge';
import { RecencyMap } from './recency-map';

export interface JobTrackerOptions {
  /** Where the job metrics are recorded. Default: the process-wide `metrics`. */
  registry?: MetricsRegistry;
  /** Statuses counted in `worker.inflight_jobs`. Default `['running']`. */
  activeStatuses?: readonly string[];
  /** Statuses that end a job and its `jobs.total_latency_ms`. Default completed, failed, cancelled. */
  terminalStatuses?: readonly string[];
  /** Jobs remembered at most; past it the least recently heard of is forgotten. Default 100000. */
  maxTracked?: number;
  /** Monotonic milliseconds for `jobs.total_latency_ms`. Default `performance.now`. */
  clock?: () => number;
}

export const DEFAULT_ACTIVE_STATUSES: readonly string[] = Object.freeze(['running']);
export const DEFAULT_TERMINAL_STATUSES: readonly string[] = Object.freeze([
  'completed',
  'failed',
  'cancelled',
]);
export const DEFAULT_MAX_TRACKED = 100000;

/** A job that has not reached a terminal status yet. */
interface LiveJob {
  /** `undefined` until the first transition: a job is created without a known status. */
  status: string | undefined;
  /** NaN while the `created` call has not been seen. */
  createdAt: number;
}

const TRANSITIONS = 'jobs.status_transition_total';

/**
 * The job lifecycle bookkeeping behind `jobs.*` and `worker.inflight_jobs`, for code that
 * reports job changes itself; `instrumentJobEvents` is this fed from an emitter.
 *
 * Events may arrive late, twice or not at all. The choices, all without throwing:
 * - A job is identified by `String(id)`: `7` and `'7'` are one job. Calls without a usable id
 *   or status are dropped and counted in `obsweave.dropped_total{reason="invalid_value"}`.
 * - `created` counts once per job: a repeat is ignored. A `created` arriving after the job's
 *   first transition is still counted, and the latency is measured from that late call.
 * - `transition` for a job never seen (or forgotten) starts tracking it in `to`; it has no
 *   creation time, so reaching a terminal status records no latency.
 * - The job's tracked status follows `to`, whatever `from` says: a stale or wrong `from` is
 *   counted as reported in `jobs.status_transition_total{from,to}` (it is what the worker
 *   said) but the in-flight gauge follows the tracker's own view, so it cannot go negative.
 *   A missing `from` is the tracked status (or `""` when none is known).
 * - A transition to the status the job is already in, or with `from === to`, is a duplicate
 *   and ignored entirely.
 * - The first terminal status is final: later events for that job (a second terminal status,
 *   a late `queued -> running`) are ignored. Finished ids are remembered for this (bounded
 *   by `maxTracked` too, oldest forgotten silently).
 * - At most `maxTracked` unfinished jobs are remembered. Past it, the one heard of least
 *   recently is forgotten: counted in `obsweave.dropped_total{reason="evicted"}`, and if it
 *   was active it leaves `worker.inflight_jobs` (a lost terminal event must not leave a
 *   phantom in-flight job forever).
 * Ignored events are logged once per kind through the registry's logger.
 */
export class JobTracker {
  private readonly registry: MetricsRegistry;
  private readonly active: ReadonlySet<string>;
  private readonly terminal: ReadonlySet<string>;
  private readonly max: number;
  private readonly clock: () => number;
  /** Unfinished jobs; the least recently heard of is the one forgotten first. */
  private readonly live = new RecencyMap<LiveJob>();
  /** Finished job ids, with whether their `created` was counted. */
  private readonly finished = new RecencyMap<boolean>();
  private activeCount = 0;
  private readonly createdTotal: BoundCounter;
  private readonly transitions: Counter;
  private readonly latency: BoundHistogram;
  private readonly persistFailures: BoundCounter;
  private readonly recoveredTotal: Counter;
  private readonly inflight: InflightGauge;

  constructor(opts: JobTrackerOptions = {}) {
    this.registry = opts.registry ?? metrics;
    this.active = new Set(
      statusList('activeStatuses', opts.activeStatuses, DEFAULT_ACTIVE_STATUSES),
    );
    this.terminal = new Set(
      statusList('terminalStatuses', opts.terminalStatuses, DEFAULT_TERMINAL_STATUSES),
    );
    for (const s of this.active) {
      if (this.terminal.has(s)) {
        throw new TypeError(`obsweave: job status "${s}" cannot be both active and terminal`);
      }
    }
    const max = opts.maxTracked ?? DEFAULT_MAX_TRACKED;
    if (!Number.isInteger(max) || max < 1) {
      throw new TypeError(`obsweave: maxTracked must be a positive integer, got ${String(max)}`);
    }
    this.max = max;
    if (opts.clock !== undefined && typeof opts.clock !== 'function') {
      throw new TypeError('obsweave: clock must be a function');
    }
    this.clock = opts.clock ?? (() => performance.now());
    const r = this.registry;
    const def = catalogOptions;
    this.createdTotal = r.counter('jobs.created_total', def('jobs.created_total')).bind();
    this.transitions = r.counter(TRANSITIONS, def(TRANSITIONS));
    this.latency = r.histogram('jobs.total_latency_ms', def('jobs.total_latency_ms')).bind();
    this.persistFailures = r
      .counter('events.persist_failures_total', def('events.persist_failures_total'))
      .bind();
    this.recoveredTotal = r.counter(
      'worker.recovered_jobs_total',
      def('worker.recovered_jobs_total'),
    );
    this.inflight = InflightGauge.of(r);
  }

  /** Unfinished jobs currently remembered. */
  get size(): number {
    return this.live.size;
  }

  /** Remembered jobs in an active status: this tracker's share of `worker.inflight_jobs`. */
  get inflightCount(): number {
    return this.activeCount;
  }

  /** A job was created. Returns false when the call was ignored (bad id, repeat). */
  created(id: unknown): boolean {
    const key = jobKey(id);
    if (key === undefined) return this.invalid('jobs.created_total', 'a job id');
    const done = this.finished.get(key);
    if (done !== undefined) {
      if (done) return this.ignored('created-repeat', 'repeated "created" for a job; ignored');
      // Created seen only after the job had finished: a real job, counted, without latency.
      this.finished.update(key, true);
      this.createdTotal.inc();
      return true;
    }
    const job = this.live.get(key);
    if (job !== undefined) {
      if (!Number.isNaN(job.createdAt)) {
        return this.ignored('created-repeat', 'repeated "created" for a job; ignored');
      }
      job.createdAt = this.clock();
      this.touch(key, job);
    } else {
      this.remember(key, { status: undefined, createdAt: this.clock() });
    }
    this.createdTotal.inc();
    return true;
  }

  /**
   * A job moved from `from` to `to`. `from` may be omitted. Returns false when the call was
   * ignored (bad arguments, duplicate, job already finished); see the class notes.
   */
  transition(id: unknown, from: unknown, to: unknown): boolean {
    const key = jobKey(id);
    if (key === undefined) return this.invalid(TRANSITIONS, 'a job id');
    if (!isStatus(to)) return this.invalid(TRANSITIONS, 'a "to" status');
    if (from !== undefined && from !== null && !isStatus(from)) {
      return this.invalid(TRANSITIONS, 'a "from" status');
    }
    if (from === to) return this.ignored('self', 'transition with from === to; ignored');
    if (this.finished.has(key)) {
      return this.ignored(
        'after-terminal',
        'transition of a job already in a terminal status; ignored',
      );
    }
    const job = this.live.get(key);
    const current = job?.status;
    if (current === to) {
      return this.ignored('duplicate', 'transition to the status the job is already in; ignored');
    }
    if (typeof from === 'string' && current !== undefined && from !== current) {
      this.note('mismatch', 'transition from a status the job is not in; the job follows "to"');
    }
    this.transitions.inc(1, { from: typeof from === 'string' ? from : (current ?? ''), to });
    const delta =
      (this.active.has(to) ? 1 : 0) - (current !== undefined && this.active.has(current) ? 1 : 0);
    if (delta !== 0) this.moveActive(delta);
    if (this.terminal.has(to)) {
      if (job !== undefined) {
        this.live.delete(key);
        if (!Number.isNaN(job.createdAt)) {
          this.latency.observe(Math.max(0, this.clock() - job.createdAt));
        }
      }
      this.finish(key, job !== undefined && !Number.isNaN(job.createdAt));
    } else if (job !== undefined) {
      job.status = to;
      this.touch(key, job);
    } else {
      this.remember(key, { status: to, createdAt: NaN });
    }
    return true;
  }

  /** A job event could not be persisted: counts `events.persist_failures_total`. */
  persistFailed(): void {
    this.persistFailures.inc();
  }

  /**
   * A job was recovered from an expired lease: counts `worker.recovered_jobs_total{reason}`
   * (`"unknown"` when `reason` is not a non-empty string). The id is not needed for the count
   * and is not checked. NOTE: this does not change the job's tracked status; report the status
   * the recovery puts it in with `transition()`.
   */
  recovered(_id: unknown, reason?: unknown): void {
    this.recoveredTotal.inc(1, { reason: isStatus(reason) ? reason : 'unknown' });
  }

  /**
   * For integrations: an event whose payload could not even be read (a getter or Proxy threw).
   * Counted in `obsweave.dropped_total{reason="invalid_value"}` like any other bad call.
   */
  rejected(event: string): void {
    this.registry.drop(
      'invalid_value',
      'job events',
      `a "${event}" payload could not be read; dropped`,
    );
  }

  /** Forgets every job and withdraws this tracker's share of `worker.inflight_jobs`. */
  clear(): void {
    if (this.activeCount !== 0) this.moveActive(-this.activeCount);
    this.live.clear();
    this.finished.clear();
  }

  private moveActive(delta: number): void {
    this.activeCount += delta;
    this.inflight.add(delta);
  }

  /** Moves a job to the recent end, so the one forgotten first is the least recently heard of. */
  private touch(key: string, job: LiveJob): void {
    this.live.set(key, job);
  }

  private remember(key: string, job: LiveJob): void {
    if (this.live.size >= this.max) this.evictOldest();
    this.live.set(key, job);
  }

  private evictOldest(): void {
    const first = this.live.shift();
    if (first === undefined) return;
    const job = first[1];
    if (job.status !== undefined && this.active.has(job.status)) this.moveActive(-1);
    this.registry.drop(
      'evicted',
      'job tracker',
      `more than ${this.max} unfinished jobs tracked; the least recently updated is forgotten`,
    );
  }

  private finish(key: string, createdCounted: boolean): void {
    if (this.finished.size >= this.max) {
      // Only duplicate detection for that id is lost: not data, so not counted as dropped.
      this.finished.shift();
    }
    this.finished.set(key, createdCounted);
  }

  private invalid(subject: string, what: string): false {
    this.registry.drop('invalid_value', subject, `job call without ${what}; dropped`);
    return false;
  }

  private ignored(kind: string, msg: string): false {
    this.note(kind, msg);
    return false;
  }

  private note(kind: string, msg: string): void {
    this.registry.warnOnce(`job-tracker\u0000${kind}`, `job tracker: ${msg}`);
  }
}

/** Non-empty strings only: a status is a label value and a state, never guessed from garbage. */
function isStatus(v: unknown): v is string {
  return typeof v === 'string' && v !== '';
}

/** `String(id)` for strings, finite numbers and bigints; anything else is not an id. */
function jobKey(id: unknown): string | undefined {
  if (typeof id === 'string') return id === '' ? undefined : id;
  if (typeof id === 'number') return Number.isFinite(id) ? String(id) : undefined;
  if (typeof id === 'bigint') return String(id);
  return undefined;
}

function statusList(
  name: string,
  given: readonly string[] | undefined,
  fallback: readonly string[],
): readonly string[] {
  if (given === undefined) return fallback;
  if (!Array.isArray(given) || !given.every(isStatus)) {
    throw new TypeError(`obsweave: ${name} must be an array of non-empty strings`);
  }
  return given;
}
