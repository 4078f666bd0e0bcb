import { Injectable } from '@nestjs/common';
import { ExternalCall, TimeoutError } from 'obsweave';

export interface TranscribeOptions {
  language?: string;
  /** Aborted by `@ExternalCall` when `timeoutMs` passes: hand it to the real HTTP client. */
  signal?: AbortSignal;
}

/** A speech-to-text provider's client, injected into the controller. */
@Injectable()
export class TranscriptionClient {
  @ExternalCall('asr', { op: 'transcribe', timeoutMs: 300 })
  async transcribe(url: string, { language = 'en', signal }: TranscribeOptions): Promise<string> {
    // A URL with "slow" in it takes longer than the deadline: outcome="timeout".
    const ms = url.includes('slow') ? 2000 : 10;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason instanceof TimeoutError ? signal.reason : new Error('aborted'));
      });
    });
    return `[${language}] transcript of ${new URL(url).pathname}`;
  }
}
