export {
  JobTracker,
  DEFAULT_ACTIVE_STATUSES,
  DEFAULT_TERMINAL_STATUSES,
  DEFAULT_MAX_TRACKED,
} from './job-tracker';
export type { JobTrackerOptions } from './job-tracker';
export { instrumentJobEvents, DEFAULT_JOB_EVENT_NAMES } from './job-events';
export type { JobEventNames, JobEventSource, JobEventsOptions } from './job-events';
export { ResourceSampler } from './resource-sampler';
export type { ResourceSamplerOptions } from './resource-sampler';
export { instrumentSse, SSE_HEADERS } from './sse';
export type { SseOptions, SseStream } from './sse';
