import { stat } from 'node:fs/promises';
import { ExternalCall } from 'obsweave';
import { ProviderError, type Simulator } from '../simulator';
import type { CallOptions } from './call-options';

export interface MediaInfo {
  durationSec: number;
  codec: string;
  bytes: number;
}

/** An ffprobe-like prober: reads a media file's duration and codec. */
export class FfprobeClient {
  constructor(private readonly sim: Simulator) {}

  @ExternalCall('ffprobe', { op: 'probe', timeoutMs: 500 })
  async probe(path: string, { signal }: CallOptions): Promise<MediaInfo> {
    const { size } = await stat(path);
    await this.sim.work(20, 60, signal);
    if (this.sim.chance('probeError')) {
      throw new ProviderError(`${path}: Invalid data found when processing input`, 'EINVALIDDATA');
    }
    return { durationSec: Math.round(size / 256), codec: 'opus', bytes: size };
  }
}
