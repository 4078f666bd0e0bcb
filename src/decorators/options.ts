import { describeValue } from '../core/describe';
import { metrics, type MetricsRegistry } from '../core/metrics-registry';

/** Options every decorator and functional twin takes. */
export interface RegistryOption {
  /** Where the metrics go; default the process-wide `metrics`. */
  registry?: MetricsRegistry;
}

/** Checks an options argument when the decorator is applied, naming the decorator on misuse. */
export function optionsOf<T extends object>(decorator: string, opts: T | undefined): T {
  if (opts === undefined) return {} as T;
  if (opts === null || typeof opts !== 'object') {
    throw new TypeError(`obsweave: ${decorator}: options must be an object`);
  }
  return opts;
}

export function registryOf(decorator: string, opts: RegistryOption): MetricsRegistry {
  const r = opts.registry;
  if (r === undefined) return metrics;
  if (
    r === null ||
    typeof r !== 'object' ||
    typeof (r as MetricsRegistry).histogram !== 'function'
  ) {
    throw new TypeError(`obsweave: ${decorator}: registry must be a MetricsRegistry`);
  }
  return r;
}

export function nonEmptyString(decorator: string, what: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') {
    throw new TypeError(
      `obsweave: ${decorator}: ${what} must be a non-empty string, got ${describeValue(v)}`,
    );
  }
  return v;
}
