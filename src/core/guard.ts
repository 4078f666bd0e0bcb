import { cut, redactPrefix } from '../redact/redact';
import type { Logger } from './types';

/** Why a call was dropped or folded; each is a value of `obsweave.dropped_total{reason}`. */
export const DROP_REASONS = [
  'invalid_value',
  'undeclared_label',
  'overflow',
  'conflict',
  'collector_error',
  'evicted',
  // A push to a Pushgateway that failed after its retries.
  'push_error',
  // A cluster worker left out of a merged scrape: no answer in time, or a bad one (or it died).
  'worker_timeout',
  'worker_error',
  // A ResourceSampler probe that threw, or did not answer within its timeout.
  'probe_timeout',
  'probe_error',
] as const;

export type DropReason = (typeof DROP_REASONS)[number];

export const defaultLogger: Logger = (msg) => console.warn(`obsweave: ${msg}`);

/**
 * The never-throw policy in one place: every problem is counted, and reported through the
 * logger once per subject (a metric name) and kind, so a bad call in a hot loop costs a log
 * line once, not a flood. Every line is redacted here. The logger itself may throw; that is
 * swallowed too.
 */
export class Guard {
  private readonly seen = new Set<string>();
  /** Subjects already reported, per reason: a repeated drop builds no string at all. */
  private readonly dropped = new Map<DropReason, Set<string>>();
  /** Set by the registry once its `obsweave.dropped_total` exists. */
  onDrop: (reason: DropReason) => void = () => {};

  constructor(private logger: Logger) {}

  setLogger(logger: Logger): void {
    this.logger = logger;
  }

  /**
   * Counts a dropped call and reports it once per subject and reason. `detail` may be a
   * function, called only for that one report, so a bad call repeated in a loop costs a count
   * and a set lookup, not a message.
   */
  drop(reason: DropReason, subject: string, detail: string | (() => string)): void {
    this.onDrop(reason);
    let seen = this.dropped.get(reason);
    if (seen === undefined) this.dropped.set(reason, (seen = new Set()));
    if (!remember(seen, subject)) return;
    // Each part on its own: `name: detail` must not read as a `key: secret` pair.
    this.log(() => {
      const text = typeof detail === 'function' ? detail() : detail;
      return cut(`${clean(subject)}: ${clean(text)}`, MAX_MESSAGE);
    });
  }

  once(key: string, msg: string): void {
    if (remember(this.seen, key)) this.log(() => clean(msg));
  }

  private log(line: () => string): void {
    try {
      this.logger(line());
    } catch {
      // a logger (or a message) that throws must not take the caller down
    }
  }
}

/** Longest log message, in characters; a longer one is cut, as a label value is. */
const MAX_MESSAGE = 2048;

/**
 * Every line the guard logs passes here, so no caller can forget: a rejected value, a
 * collector's error message or a collected series key may carry a credential.
 */
function clean(text: string): string {
  return redactPrefix(text, MAX_MESSAGE);
}

/** Adds `key`; false when it was there, or when the set is full: a flood of distinct subjects must not grow memory without end. */
function remember(set: Set<string>, key: string): boolean {
  if (set.has(key) || set.size >= 10000) return false;
  set.add(key);
  return true;
}
