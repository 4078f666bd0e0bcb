import { SAMPLER_SEAMS, type SamplerSeams } from '../../src/runtime/sampler-seams';
import type { ResourceSamplerOptions } from '../../src/runtime/resource-sampler';

/**
 * Counts every probe run that settled, through the sampler's internal hook, and lets a test
 * wait for a condition on those counts: it is checked after each settle, so nothing sleeps.
 */
export class SettleLog {
  private readonly counts = new Map<string, number>();
  private readonly waiters = new Set<() => void>();

  readonly onSettled = (probe: string): void => {
    this.counts.set(probe, this.count(probe) + 1);
    for (const w of [...this.waiters]) w();
  };

  count(probe: string): number {
    return this.counts.get(probe) ?? 0;
  }

  probes(): string[] {
    return [...this.counts.keys()];
  }

  /** Resolves once `check()` holds after a settle; rejects after `ms` (a guard, not a wait). */
  until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(`timed out waiting for ${what}; settled: ${JSON.stringify([...this.counts])}`),
        );
      }, ms);
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      this.waiters.add(waiter);
    });
  }
}

/** Sampler options with the internal seams set (not public API). */
export function withSeams(
  opts: ResourceSamplerOptions,
  seams: SamplerSeams,
): ResourceSamplerOptions {
  return { ...opts, [SAMPLER_SEAMS]: seams } as ResourceSamplerOptions;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
