/**
 * Simulated latency and faults for the provider clients: a seeded random source, waits that
 * stop when their signal aborts, and the failure rates of each kind of fault.
 */

/** Probabilities (0–1) of each simulated fault, per call. */
export interface FaultRates {
  /** The downloader fails (video unavailable, connection reset). */
  downloadError: number;
  /** The downloader hangs until its deadline. */
  downloadHang: number;
  /** The prober rejects the file as invalid data. */
  probeError: number;
  /** The speech-to-text provider answers 429 Too Many Requests. */
  asrRateLimit: number;
  /** The speech-to-text provider answers 5xx. */
  asrError: number;
  /** The speech-to-text provider hangs until its deadline. */
  asrHang: number;
  /** The storage client's connection is reset. */
  storageError: number;
  /** The storage client hangs until its deadline. */
  storageHang: number;
  /** A worker loses a job after its download (a crash): its lease expires, it is recovered. */
  abandon: number;
  /** The event store fails to persist a lifecycle event. */
  persistFail: number;
}

export const DEFAULT_FAULTS: Readonly<FaultRates> = Object.freeze({
  downloadError: 0.04,
  downloadHang: 0.02,
  probeError: 0.03,
  asrRateLimit: 0.15,
  asrError: 0.03,
  asrHang: 0.02,
  storageError: 0.05,
  storageHang: 0.02,
  abandon: 0.04,
  persistFail: 0.02,
});

/** No faults at all: every job completes. */
export const NO_FAULTS: Readonly<FaultRates> = Object.freeze(
  Object.fromEntries(Object.keys(DEFAULT_FAULTS).map((k) => [k, 0])) as unknown as FaultRates,
);

/**
 * The speech-to-text provider throttles 15% of its calls (429). Retries absorb nearly all
 * of them (a job fails only when three attempts in a row are throttled, about 1 in 300), so the
 * `asr` calls burn their error budget while the API and the other providers keep theirs, and the
 * jobs fail well within their 99 % objective (in windows as short as the tests' scaled ones,
 * one failed job may still ticket them). Flip it
 * with `app.setFaults(ASR_THROTTLING)` on top of `NO_FAULTS`, and back with `setFaults(NO_FAULTS)`.
 */
export const ASR_THROTTLING: Readonly<Partial<FaultRates>> = Object.freeze({ asrRateLimit: 0.15 });

export interface SimulatorOptions {
  /** Seed of the random source; the same seed draws the same numbers. */
  seed?: number;
  /** Multiplies every simulated latency (not the deadlines): 0.2 runs five times faster. */
  latencyScale?: number;
  faults?: Partial<FaultRates>;
}

/** An error as a provider or a CLI tool reports it: a short `code`, maybe an HTTP status. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';

  constructor(
    message: string,
    readonly code: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export class Simulator {
  private rates: Readonly<FaultRates>;
  private readonly scale: number;
  private state: number;

  constructor({ seed = Date.now(), latencyScale = 1, faults = {} }: SimulatorOptions = {}) {
    this.state = seed >>> 0;
    this.scale = latencyScale;
    this.rates = { ...DEFAULT_FAULTS, ...faults };
  }

  get faults(): Readonly<FaultRates> {
    return this.rates;
  }

  /** The fault switch: changes the given rates from the next call on, keeps the others. */
  setFaults(faults: Partial<FaultRates>): void {
    this.rates = { ...this.rates, ...faults };
  }

  /** A number in [0, 1) (mulberry32). */
  random(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(fault: keyof FaultRates): boolean {
    return this.random() < this.faults[fault];
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.random();
  }

  /** Waits a scaled latency drawn in [min, max] ms; rejects with the reason if `signal` aborts. */
  work(min: number, max: number, signal?: AbortSignal): Promise<void> {
    return wait(this.between(min, max) * this.scale, signal);
  }

  /** Never answers: settles only when `signal` aborts (a deadline), or after a minute. */
  hang(signal?: AbortSignal): Promise<void> {
    return wait(60000, signal);
  }
}

/** A timer that rejects with `signal.reason` as soon as the signal aborts. */
export function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}
