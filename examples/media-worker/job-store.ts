import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { EventLog } from './event-log';

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
export type StageName = 'download' | 'probe' | 'transcribe' | 'upload';

export const TERMINAL_STATUSES: ReadonlySet<JobStatus> = new Set([
  'completed',
  'failed',
  'cancelled',
]);

export interface Job {
  id: string;
  url: string;
  language: string;
  status: JobStatus;
  /** The correlation id of the request that created the job; the worker runs under it. */
  correlationId: string | undefined;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  stages: Partial<Record<StageName, { ms: number; ok: boolean }>>;
  result?: { transcriptUrl: string; words: number; durationSec: number; correlationId: string };
  error?: { stage: StageName; code: string };
  /** Who holds the job while it runs, and until when (ms since epoch). */
  lease?: { owner: string; expiresAt: number };
}

/** `job.stage`: progress inside a run, streamed to SSE clients. */
export interface StageEvent {
  id: string;
  stage: StageName;
  state: 'started' | 'done' | 'failed';
  ms?: number;
}

/**
 * Jobs and their queue, in memory. Every lifecycle change is emitted on `events`
 * (`job.created {id}`, `job.status {id, from, to}`, `job.recovered {id, reason}`,
 * `job.persist_failed {id, event, code}`, `job.stage`) and then persisted to the event log;
 * a failed write is reported as `job.persist_failed` and the job goes on.
 */
export class JobStore {
  readonly events = new EventEmitter().setMaxListeners(0);
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];

  constructor(
    private readonly log: EventLog,
    /** Finished jobs kept for `GET /api/jobs/:id`; the oldest are forgotten past it. */
    private readonly capacity = 5000,
  ) {}

  create(url: string, language: string, correlationId: string | undefined): Job {
    const now = new Date().toISOString();
    const job: Job = {
      id: randomUUID(),
      url,
      language,
      status: 'queued',
      correlationId,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      stages: {},
    };
    this.jobs.set(job.id, job);
    this.forgetOldJobs();
    this.record('job.created', { id: job.id });
    this.enqueue(job);
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** The most recent jobs, newest first. */
  recent(n: number): Job[] {
    return [...this.jobs.values()].slice(-n).reverse();
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Jobs not in a terminal status yet: queued, running, or lost and waiting for recovery. */
  get unfinished(): number {
    let n = 0;
    for (const job of this.jobs.values()) if (!TERMINAL_STATUSES.has(job.status)) n++;
    return n;
  }

  /** Takes the next queued job and leases it to `owner` for `leaseMs`. */
  claim(owner: string, leaseMs: number): Job | undefined {
    const job = this.queue.shift();
    if (job === undefined) return undefined;
    job.attempts++;
    job.lease = { owner, expiresAt: Date.now() + leaseMs };
    this.transition(job, 'running');
    return job;
  }

  renew(job: Job, leaseMs: number): void {
    if (job.lease !== undefined) job.lease.expiresAt = Date.now() + leaseMs;
  }

  /** Running jobs whose lease has expired: their worker is gone. */
  expired(now = Date.now()): Job[] {
    const out: Job[] = [];
    for (const job of this.jobs.values()) {
      if (job.status === 'running' && job.lease !== undefined && job.lease.expiresAt < now) {
        out.push(job);
      }
    }
    return out;
  }

  /** Puts a job whose lease expired back in the queue. */
  recover(job: Job, reason: string): void {
    job.lease = undefined;
    this.record('job.recovered', { id: job.id, reason });
    this.transition(job, 'queued');
    this.enqueue(job);
  }

  stage(event: StageEvent): void {
    const job = this.jobs.get(event.id);
    if (job !== undefined && event.state !== 'started') {
      job.stages[event.stage] = { ms: event.ms ?? 0, ok: event.state === 'done' };
    }
    this.record('job.stage', event);
  }

  complete(job: Job, result: NonNullable<Job['result']>): void {
    job.result = result;
    this.finish(job, 'completed');
  }

  fail(job: Job, error: NonNullable<Job['error']>): void {
    job.error = error;
    this.finish(job, 'failed');
  }

  cancel(job: Job): void {
    this.finish(job, 'cancelled');
  }

  private finish(job: Job, status: JobStatus): void {
    job.lease = undefined;
    this.transition(job, status);
  }

  private transition(job: Job, to: JobStatus): void {
    const from = job.status;
    job.status = to;
    job.updatedAt = new Date().toISOString();
    this.record('job.status', { id: job.id, from, to });
  }

  private enqueue(job: Job): void {
    this.queue.push(job);
    this.events.emit('job.queued', job);
  }

  private record<T extends { id: string }>(event: string, payload: T): void {
    this.events.emit(event, payload);
    this.log.append(event, payload).catch((err: { code?: string }) => {
      this.events.emit('job.persist_failed', { id: payload.id, event, code: err.code });
    });
  }

  private forgetOldJobs(): void {
    if (this.jobs.size <= this.capacity) return;
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= this.capacity) break;
      if (TERMINAL_STATUSES.has(job.status)) this.jobs.delete(id);
    }
  }
}
