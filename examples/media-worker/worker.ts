import { rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { runWithCorrelationId } from 'obsweave';
import type { Job, JobStore, StageName } from './job-store';
import { scratchFile, type MediaPipeline } from './pipeline';
import { codeOf } from './retry';
import type { Simulator } from './simulator';

export interface WorkerOptions {
  /** Jobs run at once. */
  concurrency: number;
  /** How long a claimed job stays leased without a heartbeat. */
  leaseMs: number;
  scratchDir: string;
}

/** Thrown into running jobs when the worker stops. */
class ShutdownError extends Error {
  override readonly name = 'ShutdownError';
}

/**
 * Claims queued jobs and runs them through the pipeline, each under the correlation id of the
 * request that created it. Running jobs are leased and heartbeated; a reaper puts jobs whose
 * lease expired (their worker crashed: fault `abandon`) back in the queue, reporting
 * `job.recovered` with reason `lease_expired`.
 */
export class MediaWorker {
  private readonly owner = `worker-${process.pid}`;
  private readonly running = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private reaper: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: JobStore,
    private readonly pipeline: MediaPipeline,
    private readonly sim: Simulator,
    private readonly opts: WorkerOptions,
  ) {}

  get active(): number {
    return this.running.size;
  }

  start(): this {
    this.store.events.on('job.queued', this.pump);
    this.reaper = setInterval(() => this.reap(), this.opts.leaseMs / 2).unref();
    this.pump();
    return this;
  }

  /** Stops claiming jobs, cancels those running and waits for them to wind down. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.store.events.off('job.queued', this.pump);
    clearInterval(this.reaper);
    this.shutdown.abort(new ShutdownError('worker stopped'));
    await Promise.allSettled([...this.running]);
  }

  private readonly pump = (): void => {
    // Deferred, so a job never runs inside the request that queued it.
    setImmediate(() => {
      while (!this.stopped && this.running.size < this.opts.concurrency) {
        const job = this.store.claim(this.owner, this.opts.leaseMs);
        if (job === undefined) return;
        const run = this.runUnder(job).finally(() => {
          this.running.delete(run);
          this.pump();
        });
        this.running.add(run);
      }
    });
  };

  private runUnder(job: Job): Promise<void> {
    const id = job.correlationId;
    return id === undefined ? this.run(job) : runWithCorrelationId(id, () => this.run(job));
  }

  private async run(job: Job): Promise<void> {
    const { signal } = this.shutdown;
    const heartbeat = setInterval(
      () => this.store.renew(job, this.opts.leaseMs),
      this.opts.leaseMs / 3,
    ).unref();
    let lost = false;
    try {
      const media = await this.step(job, 'download', () => this.pipeline.download(job, { signal }));
      if (job.attempts === 1 && this.sim.chance('abandon')) {
        // A crash: no heartbeat, no status. The lease expires and the reaper recovers the job.
        lost = true;
        return;
      }
      const info = await this.step(job, 'probe', () => this.pipeline.probe(media, { signal }));
      const transcript = await this.step(job, 'transcribe', () =>
        this.pipeline.transcribe(job, info, { signal }),
      );
      const stored = await this.step(job, 'upload', () =>
        this.pipeline.upload(job, transcript, { signal }),
      );
      this.store.complete(job, {
        transcriptUrl: stored.url,
        words: transcript.words,
        durationSec: info.durationSec,
        correlationId: stored.metadata['correlation-id'],
      });
    } catch (err) {
      if (signal.aborted) this.store.cancel(job);
      else this.store.fail(job, job.error ?? { stage: 'download', code: codeOf(err) ?? 'unknown' });
    } finally {
      clearInterval(heartbeat);
      if (!lost) await rm(scratchFile(this.opts.scratchDir, job.id), { force: true });
    }
  }

  /** Runs one stage, reporting its progress on the job (the timing is the decorator's). */
  private async step<T>(job: Job, stage: StageName, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    this.store.stage({ id: job.id, stage, state: 'started' });
    try {
      const out = await fn();
      this.store.stage({ id: job.id, stage, state: 'done', ms: performance.now() - start });
      return out;
    } catch (err) {
      this.store.stage({ id: job.id, stage, state: 'failed', ms: performance.now() - start });
      job.error = { stage, code: codeOf(err) ?? (err as Error)?.name ?? 'unknown' };
      throw err;
    }
  }

  private reap(): void {
    for (const job of this.store.expired()) this.store.recover(job, 'lease_expired');
  }
}
