import { correlationId, ExternalCall, type Classify } from 'obsweave';
import { ProviderError, type Simulator } from '../simulator';
import type { CallOptions } from './call-options';

export interface Transcript {
  language: string;
  words: number;
  text: string;
}

/**
 * 429 Too Many Requests is the provider pacing us, not a broken request: it is counted as a
 * `timeout` (the provider could not serve in time), so that `error` means real failures.
 * Anything else falls back to the default rule (`undefined`).
 */
export const classifyAsrFailure: Classify = (err) =>
  err instanceof ProviderError && err.status === 429 ? 'timeout' : undefined;

/** A speech-to-text provider's client. */
export class AsrClient {
  /** The correlation id of the last request sent, as a real client would send it in a header. */
  lastRequestId: string | undefined;

  constructor(private readonly sim: Simulator) {}

  @ExternalCall('asr', { op: 'transcribe', timeoutMs: 2000, classify: classifyAsrFailure })
  async transcribe(
    durationSec: number,
    { language = 'en', signal }: CallOptions & { language?: string },
  ): Promise<Transcript> {
    this.lastRequestId = correlationId();
    if (this.sim.chance('asrRateLimit')) {
      await this.sim.work(5, 20, signal);
      throw new ProviderError('429 Too Many Requests', 'ERATELIMIT', 429);
    }
    if (this.sim.chance('asrHang')) await this.sim.hang(signal);
    await this.sim.work(300, 900, signal);
    if (this.sim.chance('asrError')) {
      throw new ProviderError('503 Service Unavailable', 'EUPSTREAM', 503);
    }
    const words = Math.round(durationSec * 2.5);
    return { language, words, text: `(${words} words of transcript)` };
  }
}
