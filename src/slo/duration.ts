const UNITS: readonly [unit: string, ms: number][] = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];
const MS = new Map(UNITS);
const DURATION = /^([1-9][0-9]*)(ms|s|m|h|d|w|y)$/;

/** Prometheus holds a duration in int64 nanoseconds: about 292 years. */
export const MAX_DURATION_MS = Math.floor((2 ** 63 - 1) / 1e6);

/**
 * A Prometheus duration of one unit (`30d`, `5m`) in ms, or `undefined` if it is not one or
 * is longer than Prometheus can hold.
 */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = DURATION.exec(text);
  if (m === null) return undefined;
  const ms = Number(m[1]) * MS.get(m[2])!;
  return Number.isSafeInteger(ms) && ms <= MAX_DURATION_MS ? ms : undefined;
}

/** `ms` as a Prometheus duration in its largest whole unit (weeks and years left out). */
export function formatDuration(ms: number): string {
  for (const [unit, size] of UNITS) {
    if (unit === 'y' || unit === 'w') continue;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
