import { JobTracker, type JobTrackerOptions } from './job-tracker';

/** What `instrumentJobEvents` needs of an emitter: Node's `EventEmitter` has it. */
export interface JobEventSource {
  on(event: string, listener: (...args: any[]) => void): unknown;
  off?(event: string, listener: (...args: any[]) => void): unknown;
  removeListener?(event: string, listener: (...args: any[]) => void): unknown;
}

/** The event names listened to; each defaults to the name shown. */
export interface JobEventNames {
  /** Payload `{ id }`. Default `job.created`. */
  created?: string;
  /** Payload `{ id, from?, to }`. Default `job.status`. */
  status?: string;
  /** Payload ignored. Default `job.persist_failed`. */
  persistFailed?: string;
  /** Payload `{ id, reason }`. Default `job.recovered`. */
  recovered?: string;
}

export interface JobEventsOptions extends JobTrackerOptions {
  events?: JobEventNames;
  /**
   * A tracker to feed instead of a new one (to share it between emitters). When given, the
   * tracker options above are ignored, and detaching does not clear it.
   */
  tracker?: JobTracker;
}

export const DEFAULT_JOB_EVENT_NAMES: Readonly<Required<JobEventNames>> = Object.freeze({
  created: 'job.created',
  status: 'job.status',
  persistFailed: 'job.persist_failed',
  recovered: 'job.recovered',
});

/**
 * Keeps the `jobs.*`, `worker.inflight_jobs`, `events.persist_failures_total` and
 * `worker.recovered_jobs_total` metrics from an emitter's job lifecycle events, through a
 * {@link JobTracker} (see it for how late, repeated and missing events are handled).
 *
 * Listeners never throw, whatever the payload: one that is not an object, or whose fields
 * cannot be read, is dropped and counted in `obsweave.dropped_total{reason="invalid_value"}`.
 *
 * Returns a function that removes the listeners. Detaching also clears the tracker it
 * created, so jobs it saw running no longer count in `worker.inflight_jobs`; a tracker passed
 * in `opts.tracker` is left as it is.
 */
export function instrumentJobEvents(
  emitter: JobEventSource,
  opts: JobEventsOptions = {},
): () => void {
  if (emitter === null || typeof emitter !== 'object' || typeof emitter.on !== 'function') {
    throw new TypeError('obsweave: instrumentJobEvents needs an emitter with on()');
  }
  const names = { ...DEFAULT_JOB_EVENT_NAMES, ...definedNames(opts.events) };
  const owned = opts.tracker === undefined;
  const tracker = opts.tracker ?? new JobTracker(opts);

  const listeners: [string, (payload: unknown) => void][] = [
    [names.created, guarded(tracker, 'created', (p) => tracker.created(field(p, 'id')))],
    [
      names.status,
      guarded(tracker, 'status', (p) =>
        tracker.transition(field(p, 'id'), field(p, 'from'), field(p, 'to')),
      ),
    ],
    [names.persistFailed, guarded(tracker, 'persist_failed', () => tracker.persistFailed())],
    [
      names.recovered,
      guarded(tracker, 'recovered', (p) => tracker.recovered(field(p, 'id'), field(p, 'reason'))),
    ],
  ];
  for (const [event, fn] of listeners) emitter.on(event, fn);

  let attached = true;
  return function detachJobEvents(): void {
    if (!attached) return;
    attached = false;
    const off = (emitter.off ?? emitter.removeListener)?.bind(emitter);
    for (const [event, fn] of listeners) {
      try {
        off?.(event, fn);
      } catch {
        // an emitter that fails to remove a listener must not fail the caller's shutdown
      }
    }
    if (owned) tracker.clear();
  };
}

/** A payload field; a payload that is not an object has none. A throwing getter is caught above. */
function field(payload: unknown, key: string): unknown {
  if (payload === null || typeof payload !== 'object') return undefined;
  return (payload as Record<string, unknown>)[key];
}

function guarded(
  tracker: JobTracker,
  event: string,
  handle: (payload: unknown) => unknown,
): (payload: unknown) => void {
  return (payload) => {
    try {
      handle(payload);
    } catch {
      tracker.rejected(event);
    }
  };
}

function definedNames(events: JobEventNames | undefined): JobEventNames {
  const out: JobEventNames = {};
  if (events === undefined) return out;
  for (const k of Object.keys(DEFAULT_JOB_EVENT_NAMES) as (keyof JobEventNames)[]) {
    const v = events[k];
    if (v === undefined) continue;
    if (typeof v !== 'string' || v === '') {
      throw new TypeError(`obsweave: events.${k} must be a non-empty string`);
    }
    out[k] = v;
  }
  return out;
}
