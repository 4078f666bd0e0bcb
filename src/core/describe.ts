import { cut, redact, redactPrefix } from '../redact/redact';

/**
 * How a log line shows a value it was given: a string quoted, redacted and then cut to 40
 * characters, an object by its kind; never throws, whatever the value (a hostile getter, a revoked
 * proxy).
 */
export function describeValue(v: unknown): string {
  try {
    // Redacted before it is cut: half a URL would no longer show where its password ends.
    if (typeof v === 'string') {
      const shown = redactPrefix(v, 41);
      return JSON.stringify(shown.length > 40 ? `${cut(shown, 40)}…` : shown);
    }
    if (v instanceof Error) return describeError(v);
    return typeof v === 'object' && v !== null ? Object.prototype.toString.call(v) : String(v);
  } catch {
    return typeof v;
  }
}

/**
 * `Name: message` of a thrown value, redacted, for a log line or anything else handed on;
 * never throws, whatever was thrown.
 */
export function describeError(e: unknown): string {
  try {
    return redact(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  } catch {
    return typeof e;
  }
}
