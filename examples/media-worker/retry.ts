import { wait } from './simulator';

export interface RetryOptions {
  attempts: number;
  /** Whether a failure is worth another attempt. */
  when: (err: unknown) => boolean;
  backoffMs: number;
  signal?: AbortSignal;
}

/** Calls `fn` until it succeeds, a failure is not retryable, or the attempts run out. */
export async function retry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= opts.attempts || !opts.when(err)) throw err;
      await wait(opts.backoffMs * 2 ** (attempt - 1), opts.signal);
    }
  }
}

/** The error's `code`, if it has one. */
export function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
