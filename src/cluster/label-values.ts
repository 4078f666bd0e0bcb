import { labelValue } from '../redact/redact';

/** Distinct raw values remembered, and the longest: a worker's values repeat every scrape. */
const MAX_REMEMBERED = 10_000;
const MAX_REMEMBERED_LENGTH = 256;

/**
 * `labelValue` (redacted, then cut) for the label values of workers' answers, remembered
 * between scrapes: each worker sends the same values every time, and redacting them afresh
 * would cost every scrape as much as the merge itself. Bounded: a flood of distinct values
 * starts the memory over instead of growing it.
 */
export function rememberedLabelValues(): (raw: string) => string {
  const seen = new Map<string, string>();
  return (raw) => {
    if (typeof raw !== 'string' || raw.length > MAX_REMEMBERED_LENGTH) return labelValue(raw);
    let v = seen.get(raw);
    if (v === undefined) {
      v = labelValue(raw);
      if (seen.size >= MAX_REMEMBERED) seen.clear();
      seen.set(raw, v);
    }
    return v;
  };
}
