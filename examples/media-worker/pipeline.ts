import { join } from 'node:path';
import { Stage } from 'obsweave';
import type { Job } from './job-store';
import type { AsrClient, Transcript } from './providers/asr.client';
import type { CallOptions } from './providers/call-options';
import type { FfprobeClient, MediaInfo } from './providers/ffprobe.client';
import type { StorageClient, StoredObject } from './providers/storage.client';
import type { Download, YtDlpClient } from './providers/yt-dlp.client';
import { codeOf, retry } from './retry';

export interface ProviderClients {
  ytdlp: YtDlpClient;
  ffprobe: FfprobeClient;
  asr: AsrClient;
  storage: StorageClient;
}

/** Where a job's media is downloaded. A function, not a method: every method below is a stage. */
export function scratchFile(scratchDir: string, jobId: string): string {
  return join(scratchDir, `${jobId}.opus`);
}

const isReset = (err: unknown) => codeOf(err) === 'ECONNRESET';
const isRateLimited = (err: unknown) => codeOf(err) === 'ERATELIMIT';

/**
 * The four stages of a transcription job. `@Stage()` on the class times every method as a
 * stage named after it (`worker.stage_latency_ms{stage="download"}`) and counts failures by
 * error code (`worker.stage_failures_total{stage,code}`). A stage spans its retries, so it can
 * succeed while some of its external calls failed.
 */
@Stage()
export class MediaPipeline {
  constructor(
    private readonly clients: ProviderClients,
    private readonly scratchDir: string,
  ) {}

  async download(job: Job, { signal }: CallOptions): Promise<Download> {
    const dest = scratchFile(this.scratchDir, job.id);
    return retry(() => this.clients.ytdlp.download(job.url, dest, { signal }), {
      attempts: 2,
      when: isReset,
      backoffMs: 50,
      signal,
    });
  }

  async probe(media: Download, { signal }: CallOptions): Promise<MediaInfo> {
    return this.clients.ffprobe.probe(media.path, { signal });
  }

  async transcribe(job: Job, info: MediaInfo, { signal }: CallOptions): Promise<Transcript> {
    return retry(
      () => this.clients.asr.transcribe(info.durationSec, { language: job.language, signal }),
      { attempts: 3, when: isRateLimited, backoffMs: 100, signal },
    );
  }

  async upload(job: Job, transcript: Transcript, { signal }: CallOptions): Promise<StoredObject> {
    const body = JSON.stringify({ job: job.id, ...transcript });
    return retry(() => this.clients.storage.put(`transcripts/${job.id}.json`, body, { signal }), {
      attempts: 2,
      when: isReset,
      backoffMs: 50,
      signal,
    });
  }
}
