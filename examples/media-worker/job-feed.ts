import type { ServerResponse } from 'node:http';
import { instrumentSse } from 'obsweave/jobs';
import { TERMINAL_STATUSES, type Job, type JobStore, type StageEvent } from './job-store';
import { jobView } from './job-view';

/**
 * `GET /api/jobs/:id/events`: a job's progress as server-sent events (`status` and `stage`),
 * ending after its terminal status. `instrumentSse` keeps `sse.clients{stream="jobs"}` and
 * `sse.events_total{stream="jobs",event}`.
 */
export function streamJob(store: JobStore, job: Job, res: ServerResponse): void {
  const sse = instrumentSse(res, { stream: 'jobs' });
  sse.send('status', jobView(job));
  if (TERMINAL_STATUSES.has(job.status)) return sse.close();

  const onStatus = (e: { id: string }) => {
    if (e.id !== job.id) return;
    sse.send('status', jobView(job));
    if (TERMINAL_STATUSES.has(job.status)) end();
  };
  const onStage = (e: StageEvent) => {
    if (e.id === job.id) sse.send('stage', e);
  };
  const end = () => {
    store.events.off('job.status', onStatus);
    store.events.off('job.stage', onStage);
    sse.close();
  };
  store.events.on('job.status', onStatus);
  store.events.on('job.stage', onStage);
  res.once('close', end);
}
