import type { Job } from './job-store';

/** What the API shows of a job: everything but the worker's lease. */
export function jobView({ lease: _lease, ...job }: Job): Omit<Job, 'lease'> {
  return job;
}
