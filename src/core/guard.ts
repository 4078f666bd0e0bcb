import type { Logger } from './types';

/** Why a call was dropped or folded; each is a value of `obsweave.dropped_total{reason}`. */
export type DropReason =
  'invalid_value' | 'undeclared_label' | 'overflow' | 'conflict' | 'collector_error' | 'evicted';

export const DROP_REASONS: readonly DropReason[] = [
  'invalid_value',
  'undeclared_label',
  'overflow',
  'conflict',
  'collector_error',
  'evicted',
];

export const defaultLogger: Logger = (msg) => console.warn(`obsweave: ${msg}`);

/**
 * The never-throw policy in one place: every problem is counted, and reported through the
 * logger once per subject (a metric name) and kind, so a bad call in a hot loop costs a log
 * line once, not a flood. The logger itself may throw; that is swallowed too.
 */
export class Guard {
  private readonly seen = new Set<string>();
  /** Set by the registry once its `obsweave.dropped_total` exists. */
  onDrop: (reason: DropReason) => void = () => {};

  constructor(private readonly logger: Logger) {}

  drop(reason: DropReason, subject: string, detail: string): void {
    this.onDrop(reason);
    this.once(`${reason}\u0000${subject}`, `${subject}: ${detail}`);
  }

  once(key: string, msg: string): void {
    if (this.seen.has(key)) return;
    // Bounded: a flood of distinct subjects must not grow memory without end.
    if (this.seen.size >= 10000) return;
    this.seen.add(key);
    try {
      this.logger(msg);
    } catch {
      // a logger that throws must not take the caller down
    }
  }
}
