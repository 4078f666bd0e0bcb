import { acceptableCorrelationId } from '../context/correlation-id';
import { checkLabelNames, checkMetricName } from '../core/names';
import { redactPrefix } from '../redact/redact';
import { checkNative } from './native-merge';
import { EXEMPLAR_SLOTS, type Answer, type WireFamily } from './wire';

/**
 * Families one answer may hold: far more than a service defines, few enough that checking an
 * answer stays cheap. An answer with more is garbage.
 */
export const MAX_FAMILIES_PER_ANSWER = 10_000;

/** Definitions already checked, so a scrape checks each name once, not once per worker. */
const checked = new Set<string>();

/**
 * A worker's answer checked through and through: anything else is garbage, and the whole
 * answer is left out (a half-read answer would make wrong sums that look right). Returns the
 * families, or why the answer was refused.
 */
export function decode(msg: Answer): WireFamily[] | string {
  // Redacted before it is cut: a key cut in half no longer looks like a key.
  if (typeof msg.error === 'string') return `failed to export: ${redactPrefix(msg.error, 200)}`;
  const fams: unknown = msg.f;
  if (!Array.isArray(fams)) return 'answered without families';
  if (fams.length > MAX_FAMILIES_PER_ANSWER) {
    return `answered with ${fams.length} families, more than ${MAX_FAMILIES_PER_ANSWER}`;
  }
  for (let i = 0; i < fams.length; i++) {
    const why = checkFamily(fams[i]);
    if (why !== undefined) return `answered garbage (family #${i}: ${why})`;
  }
  return fams as WireFamily[];
}

/** Why `w` is not a wire family, or `undefined` when it is one. */
function checkFamily(w: unknown): string | undefined {
  if (w === null || typeof w !== 'object') return 'not an object';
  const { n, h, t, l, v } = w as Partial<Record<keyof WireFamily, unknown>>;
  if (typeof n !== 'string' || typeof h !== 'string') return 'name or help is not a string';
  if (t !== 'counter' && t !== 'gauge' && t !== 'histogram') return 'unknown type';
  if (!Array.isArray(l) || !Array.isArray(v)) return 'labels are not arrays';
  const def = `${t} ${n} ${l.join(',')}`;
  if (!checked.has(def)) {
    try {
      checkMetricName(n, t);
      checkLabelNames(n, l);
    } catch (e) {
      return (e as Error).message;
    }
    if (checked.size < 10000) checked.add(def);
  }
  if (!v.every((s) => typeof s === 'string')) return 'a label value is not a string';
  return t === 'histogram'
    ? checkHistogram(w, l.length, v.length)
    : checkScalar(w, t, l.length, v.length);
}

function checkScalar(
  w: object,
  t: 'counter' | 'gauge',
  labels: number,
  values: number,
): string | undefined {
  const { x } = w as { x?: unknown };
  if (!Array.isArray(x) || values !== x.length * labels || (labels === 0 && x.length > 1))
    return 'series do not line up';
  const least = t === 'counter' ? 0 : -Infinity;
  for (let i = 0; i < x.length; i++) if (!isNum(x[i], least)) return 'a value is not valid';
  return undefined;
}

function checkHistogram(w: object, labels: number, values: number): string | undefined {
  const { b, c, s, k, e, z } = w as Partial<Record<'b' | 'c' | 's' | 'k' | 'e' | 'z', unknown>>;
  if (!Array.isArray(b) || !Array.isArray(c) || !Array.isArray(s) || !Array.isArray(k))
    return 'histogram arrays missing';
  if (b.length === 0 && k.length === 0) return undefined;
  for (let i = 0; i < b.length; i++)
    if (!isNum(b[i], -Infinity) || (i > 0 && b[i] <= b[i - 1])) return 'bounds are not valid';
  const n1 = b.length + 1;
  const series = k.length;
  // No classic bounds only for a native histogram (`buckets: false`).
  if ((b.length === 0 && z === undefined) || s.length !== series || c.length !== series * n1) {
    return 'buckets do not line up';
  }
  if (z !== undefined) {
    if (!Array.isArray(z) || z.length !== series) return 'native buckets do not line up';
    for (const x of z) {
      const why = x === null ? undefined : checkNative(x);
      if (why !== undefined) return why;
    }
  }
  if (values !== series * labels || (labels === 0 && series > 1)) return 'series do not line up';
  for (let i = 0; i < c.length; i++) if (!isNum(c[i], 0)) return 'a bucket count is not valid';
  for (let i = 0; i < series; i++)
    if (!isNum(s[i], -Infinity) || !isNum(k[i], 0)) return 'a sum or count is not valid';
  if (e === undefined) return undefined;
  if (!Array.isArray(e) || e.length % EXEMPLAR_SLOTS !== 0) return 'exemplars do not line up';
  for (let i = 0; i < e.length; i += EXEMPLAR_SLOTS) {
    const why = checkExemplar(e, i, series, n1);
    if (why !== undefined) return why;
  }
  return undefined;
}

function checkExemplar(e: unknown[], i: number, series: number, n1: number): string | undefined {
  const [si, bi, trace, span, value, ts, id] = e.slice(i, i + EXEMPLAR_SLOTS);
  if (!Number.isInteger(si) || (si as number) < 0 || (si as number) >= series)
    return 'an exemplar names no series';
  if (!Number.isInteger(bi) || (bi as number) < 0 || (bi as number) >= n1)
    return 'an exemplar names no bucket';
  if (!isTraceRef(trace) || !isTraceRef(span)) return 'an exemplar id is not valid';
  if (!isNum(value, -Infinity) || !isNum(ts, 0)) return 'an exemplar is not valid';
  // The id a local exemplar could carry: none, or one an incoming header would be taken with.
  if (typeof id !== 'string' || (id !== '' && !acceptableCorrelationId(id))) {
    return 'an exemplar id is not valid';
  }
  return undefined;
}

const HEX_ID = /^[0-9a-f]{1,64}$/i;

/**
 * A trace or span id a local exemplar could hold: hex, as tracers write them (a long hex run is
 * what `redact()` takes out, so it is not asked), else what an incoming correlation id may be.
 */
function isTraceRef(x: unknown): boolean {
  return typeof x === 'string' && x.length <= 64 && (HEX_ID.test(x) || acceptableCorrelationId(x));
}

/** A finite number not below `least`: NaN fails the comparison, ±Infinity the subtraction. */
function isNum(x: unknown, least: number): x is number {
  return typeof x === 'number' && x - x === 0 && x >= least;
}
