import { writeFile } from 'node:fs/promises';
import { ExternalCall } from 'obsweave';
import { ProviderError, type Simulator } from '../simulator';
import type { CallOptions } from './call-options';

export interface Download {
  path: string;
  bytes: number;
}

/** A yt-dlp-like downloader: fetches a video's audio track into the scratch folder. */
export class YtDlpClient {
  constructor(private readonly sim: Simulator) {}

  // `timeoutMs`: past it the call rejects with TimeoutError and `signal` aborts the work.
  @ExternalCall('yt-dlp', { op: 'download', timeoutMs: 1500 })
  async download(url: string, dest: string, { signal }: CallOptions): Promise<Download> {
    if (this.sim.chance('downloadHang')) await this.sim.hang(signal);
    await this.sim.work(150, 400, signal);
    if (this.sim.chance('downloadError')) {
      throw this.sim.random() < 0.5
        ? new ProviderError(
            `ERROR: [youtube] ${new URL(url).hostname}: Video unavailable`,
            'EUNAVAILABLE',
          )
        : new ProviderError('Connection reset by peer', 'ECONNRESET');
    }
    const bytes = Math.round(this.sim.between(16, 64)) * 1024;
    await writeFile(dest, Buffer.alloc(bytes), { signal });
    return { path: dest, bytes };
  }
}
