import type { Exemplar } from '../core/exemplars';
import { checkLabelNames, checkMetricName } from '../core/names';
import type { MetricType } from '../core/types';
import type { BucketSeries, FamilyView } from '../core/family-view';

/**
 * The messages between a primary and its workers. Every one carries an `obsweave` key naming
 * its kind, so that an application's own messages on the same channel are left alone.
 *
 * primary → worker: `{ obsweave: 'hello' }` (who shares?), `{ obsweave: 'collect', id }`.
 * worker → primary: `{ obsweave: 'ready' }`, `{ obsweave: 'bye' }`,
 * `{ obsweave: 'metrics', id, f }` or `{ obsweave: 'metrics', id, error }`.
 */
export type Kind = 'hello' | 'collect' | 'ready' | 'bye' | 'metrics';

export interface Answer {
  obsweave: 'metrics';
  id: number;
  f?: WireFamily[];
  error?: string;
}

/**
 * One family as flat arrays: cheaper to build than text (no number formatting, no escaping,
 * no unit scaling) and to serialise (JSON or structured clone alike), and read back without
 * parsing text. Values stay in the metric's own unit; the primary's writers scale them.
 */
export interface WireFamily {
  /** name, help, type, label names */
  n: string;
  h: string;
  t: MetricType;
  l: string[];
  /** Label values of every series, flat: series i holds `v[i * l.length ... (i + 1) * l.length)`. */
  v: string[];
  /** Counter and gauge values, one per series. */
  x?: number[];
  /** Histogram bucket bounds, shared by every series of this entry (+Inf implied). */
  b?: number[];
  /** Per-bucket (not cumulative) counts, flat: `b.length + 1` per series. */
  c?: number[];
  /** Histogram sums and counts, one per series. */
  s?: number[];
  k?: number[];
  /**
   * Exemplars, flat, seven slots each: series index, bucket index, traceId, spanId, value, ms,
   * correlation id (`""` when none was known).
   */
  e?: (string | number)[];
}

/** The kind of a message, or `undefined` when it is not one of obsweave's. */
export function kindOf(msg: unknown): Kind | undefined {
  if (msg === null || typeof msg !== 'object') return undefined;
  const k = (msg as { obsweave?: unknown }).obsweave;
  return k === 'hello' || k === 'collect' || k === 'ready' || k === 'bye' || k === 'metrics'
    ? k
    : undefined;
}

/** A registry's families as wire families: one pass, label values and numbers copied. */
export function encode(families: readonly FamilyView[]): WireFamily[] {
  const out: WireFamily[] = [];
  for (const f of families) {
    const l = f.labelNames as string[];
    if (f.type !== 'histogram') {
      const v: string[] = [];
      const x: number[] = [];
      f.forEach((values, s) => {
        for (let i = 0; i < values.length; i++) v.push(values[i]);
        x.push(s.v);
      });
      out.push({ n: f.name, h: f.help, t: f.type, l, v, x });
      continue;
    }
    // Registry series share one bounds array; a collected series may bring other bounds, and
    // then gets an entry of its own under the same name.
    const entries: { bounds: readonly number[]; w: WireFamily }[] = [];
    f.forEach((values, s) => {
      let entry = entries.find((en) => sameBounds(en.bounds, s.bounds));
      if (entry === undefined) {
        const w: WireFamily = { n: f.name, h: f.help, t: 'histogram', l, v: [] };
        w.b = s.bounds.slice();
        w.c = [];
        w.s = [];
        w.k = [];
        entries.push((entry = { bounds: s.bounds, w }));
        out.push(w);
      }
      addHistogram(entry.w, values, s);
    });
    if (entries.length === 0) {
      // Defined, no series yet: the primary still writes its HELP and TYPE.
      out.push({ n: f.name, h: f.help, t: 'histogram', l, v: [], b: [], c: [], s: [], k: [] });
    }
  }
  return out;
}

function addHistogram(w: WireFamily, values: readonly string[], s: BucketSeries): void {
  const index = w.k!.length;
  for (let i = 0; i < values.length; i++) w.v.push(values[i]);
  const c = w.c!;
  for (let i = 0; i < s.counts.length; i++) c.push(s.counts[i]);
  w.s!.push(s.sum);
  w.k!.push(s.count);
  const ex = s.exemplars;
  if (ex === undefined) return;
  for (let i = 0; i < ex.length; i++) {
    const e = ex[i];
    if (e !== undefined)
      (w.e ??= []).push(index, i, e.traceId, e.spanId, e.value, e.timestamp, e.correlationId ?? '');
  }
}

export function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Definitions already checked, so a scrape checks each name once, not once per worker. */
const checked = new Set<string>();

/**
 * A worker's answer checked through and through: anything else is garbage, and the whole
 * answer is left out (a half-read answer would make wrong sums that look right). Returns the
 * families, or why the answer was refused.
 */
export function decode(msg: Answer): WireFamily[] | string {
  if (typeof msg.error === 'string') return `failed to export: ${msg.error.slice(0, 200)}`;
  const fams = msg.f;
  if (!Array.isArray(fams)) return 'answered without families';
  for (let i = 0; i < fams.length; i++) {
    const why = checkFamily(fams[i]);
    if (why !== undefined) return `answered garbage (family #${i}: ${why})`;
  }
  return fams;
}

function checkFamily(w: WireFamily): string | undefined {
  if (w === null || typeof w !== 'object') return 'not an object';
  const { n, h, t, l, v } = w;
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
  if (t !== 'histogram') {
    const x = w.x;
    if (!Array.isArray(x) || v.length !== x.length * l.length || (l.length === 0 && x.length > 1))
      return 'series do not line up';
    const least = t === 'counter' ? 0 : -Infinity;
    for (let i = 0; i < x.length; i++) if (!isNum(x[i], least)) return 'a value is not valid';
    return undefined;
  }
  const { b, c, s, k, e } = w;
  if (!Array.isArray(b) || !Array.isArray(c) || !Array.isArray(s) || !Array.isArray(k))
    return 'histogram arrays missing';
  if (b.length === 0 && k.length === 0) return undefined;
  for (let i = 0; i < b.length; i++)
    if (!isNum(b[i], -Infinity) || (i > 0 && b[i] <= b[i - 1])) return 'bounds are not valid';
  const n1 = b.length + 1;
  const series = k.length;
  if (b.length === 0 || s.length !== series || c.length !== series * n1) {
    return 'buckets do not line up';
  }
  if (v.length !== series * l.length || (l.length === 0 && series > 1))
    return 'series do not line up';
  for (let i = 0; i < c.length; i++) if (!isNum(c[i], 0)) return 'a bucket count is not valid';
  for (let i = 0; i < series; i++)
    if (!isNum(s[i], -Infinity) || !isNum(k[i], 0)) return 'a sum or count is not valid';
  if (e === undefined) return undefined;
  if (!Array.isArray(e) || e.length % EXEMPLAR_SLOTS !== 0) return 'exemplars do not line up';
  for (let i = 0; i < e.length; i += EXEMPLAR_SLOTS) {
    const [si, bi, trace, span, value, ts, id] = e.slice(i, i + EXEMPLAR_SLOTS);
    if (!Number.isInteger(si) || (si as number) < 0 || (si as number) >= series)
      return 'an exemplar names no series';
    if (!Number.isInteger(bi) || (bi as number) < 0 || (bi as number) >= n1)
      return 'an exemplar names no bucket';
    if (typeof trace !== 'string' || typeof span !== 'string' || trace.length > 64)
      return 'an exemplar id is not valid';
    if (span.length > 64 || !isNum(value, -Infinity) || !isNum(ts, 0))
      return 'an exemplar is not valid';
    if (typeof id !== 'string' || id.length > 128) return 'an exemplar id is not valid';
  }
  return undefined;
}

/** A finite number not below `least`: NaN fails the comparison, ±Infinity the subtraction. */
function isNum(x: unknown, least: number): x is number {
  return typeof x === 'number' && x - x === 0 && x >= least;
}

/** How many slots one exemplar takes in a message's `e`. */
export const EXEMPLAR_SLOTS = 7;

/** The exemplar whose slots start at `i` of `e`. */
export function exemplarAt(e: readonly (string | number)[], i: number): Exemplar {
  return {
    traceId: e[i + 2] as string,
    spanId: e[i + 3] as string,
    value: e[i + 4] as number,
    timestamp: e[i + 5] as number,
    correlationId: (e[i + 6] as string) || undefined,
  };
}
