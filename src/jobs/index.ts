// obsweave/jobs: a worker's job lifecycle and server-sent-event streams as metrics.
export {
  JobTracker,
  DEFAULT_ACTIVE_STATUSES,
  DEFAULT_TERMINAL_STATUSES,
  DEFAULT_MAX_TRACKED,
} from './job-tracker';
export type { JobTrackerOptions } from './job-tracker';
export { instrumentJobEvents, DEFAULT_JOB_EVENT_NAMES } from './job-events';
export type { JobEventNames, JobEventSource, JobEventsOptions } from './job-events';
export { instrumentSse, SSE_HEADERS } from './sse';
export type { SseOptions, SseStream } from './sse';
