import { MAX_SCHEMA, MIN_SCHEMA } from './native-index';

/** How a native histogram is kept; `native: true` takes every default. */
export interface NativeHistogramOptions {
  /** Resolution, -4..8: each bucket is `2^(2^-schema)` times as wide as the last. Default 3 (~9 %). */
  schema?: number;
  /** Populated buckets kept before the resolution is halved (or the series reset). Default 160. */
  maxBuckets?: number;
  /**
   * Observations whose magnitude is at most this (in base units: seconds for a `_ms` histogram)
   * are counted in the zero bucket. Default `2^-128`, as the Prometheus clients.
   */
  zeroThreshold?: number;
  /**
   * Past `maxBuckets`, reset the series (count, sum and buckets) instead of halving the
   * resolution, when at least this long has passed since its last reset. Default 0: never.
   */
  minResetMs?: number;
}

/** A checked configuration, shared by every series of one histogram. */
export interface NativeConfig {
  readonly schema: number;
  readonly maxBuckets: number;
  readonly zeroThreshold: number;
  readonly minResetMs: number;
}

export const DEFAULT_NATIVE: NativeConfig = Object.freeze({
  schema: 3,
  maxBuckets: 160,
  zeroThreshold: 2 ** -128,
  minResetMs: 0,
});

/**
 * The native configuration of histogram `name` from its own `native` option, else the
 * registry's `nativeHistograms`; `undefined` when neither asks for one. Throws an `obsweave:`
 * error on a schema outside -4..8, `maxBuckets` below 1, or a negative threshold or interval.
 */
export function nativeConfig(
  name: string,
  own: boolean | NativeHistogramOptions | undefined,
  registryWide: NativeConfig | undefined,
): NativeConfig | undefined {
  if (own === undefined) return registryWide;
  if (own === false) return undefined;
  if (own === true) return registryWide ?? DEFAULT_NATIVE;
  return checkNative(`histogram "${name}": native`, own, registryWide ?? DEFAULT_NATIVE);
}

/** The registry's `nativeHistograms` option, checked. */
export function registryNative(
  opt: boolean | NativeHistogramOptions | undefined,
): NativeConfig | undefined {
  if (opt === undefined || opt === false) return undefined;
  if (opt === true) return DEFAULT_NATIVE;
  return checkNative('nativeHistograms', opt, DEFAULT_NATIVE);
}

function checkNative(what: string, o: unknown, base: NativeConfig): NativeConfig {
  if (o === null || typeof o !== 'object') {
    throw new TypeError(`obsweave: ${what} must be true, false or an options object`);
  }
  const { schema, maxBuckets, zeroThreshold, minResetMs } = o as NativeHistogramOptions;
  const out = {
    schema: schema ?? base.schema,
    maxBuckets: maxBuckets ?? base.maxBuckets,
    zeroThreshold: zeroThreshold ?? base.zeroThreshold,
    minResetMs: minResetMs ?? base.minResetMs,
  };
  if (!Number.isInteger(out.schema) || out.schema < MIN_SCHEMA || out.schema > MAX_SCHEMA) {
    throw new TypeError(
      `obsweave: ${what}.schema must be an integer from ${MIN_SCHEMA} to ${MAX_SCHEMA}, got ${String(schema)}`,
    );
  }
  if (!Number.isInteger(out.maxBuckets) || out.maxBuckets < 1) {
    throw new TypeError(
      `obsweave: ${what}.maxBuckets must be an integer of at least 1, got ${String(maxBuckets)}`,
    );
  }
  if (
    typeof out.zeroThreshold !== 'number' ||
    !(out.zeroThreshold >= 0) ||
    out.zeroThreshold === Infinity
  ) {
    throw new TypeError(
      `obsweave: ${what}.zeroThreshold must be a finite number >= 0, got ${String(zeroThreshold)}`,
    );
  }
  if (typeof out.minResetMs !== 'number' || !(out.minResetMs >= 0) || out.minResetMs === Infinity) {
    throw new TypeError(
      `obsweave: ${what}.minResetMs must be a finite number >= 0, got ${String(minResetMs)}`,
    );
  }
  return Object.freeze(out);
}
