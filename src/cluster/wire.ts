import type { Exemplar } from '../core/exemplars';
import type { BucketSeries, FamilyView } from '../core/family-view';
import { encodeNative, type WireNative } from './native-merge';

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
 * parsing text. Values stay in the metric's own unit; the primary's writers scale them. The
 * keys are one letter each because every answer carries them once per family.
 */
interface WireFamilyBase {
  /** Name, help, label names. */
  n: string;
  h: string;
  l: string[];
  /** Label values of every series, flat: series i holds `v[i * l.length ... (i + 1) * l.length)`. */
  v: string[];
}

/** A counter or a gauge: one value per series. */
export interface WireScalar extends WireFamilyBase {
  t: 'counter' | 'gauge';
  x: number[];
}

/** A histogram's series that share one set of bucket bounds. */
export interface WireHistogram extends WireFamilyBase {
  t: 'histogram';
  /** Bucket bounds, shared by every series of this entry (+Inf implied). */
  b: number[];
  /** Per-bucket (not cumulative) counts, flat: `b.length + 1` per series. */
  c: number[];
  /** Sums and counts, one per series. */
  s: number[];
  k: number[];
  /**
   * Exemplars, flat, seven slots each: series index, bucket index, traceId, spanId, value, ms,
   * correlation id (`""` when none was known).
   */
  e?: (string | number)[];
  /** Native buckets, one per series (`null` for a series without), when any series has them. */
  z?: (WireNative | null)[];
}

export type WireFamily = WireScalar | WireHistogram;

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
    const entries: { bounds: readonly number[]; w: WireHistogram }[] = [];
    f.forEach((values, s) => {
      let entry = entries.find((en) => sameBounds(en.bounds, s.bounds));
      if (entry === undefined) {
        const w = histogramEntry(f, s.bounds.slice());
        entries.push((entry = { bounds: s.bounds, w }));
        out.push(w);
      }
      addHistogram(entry.w, values, s);
    });
    // Defined, no series yet: the primary still writes its HELP and TYPE.
    if (entries.length === 0) out.push(histogramEntry(f, []));
  }
  return out;
}

function histogramEntry(f: FamilyView, b: number[]): WireHistogram {
  return {
    n: f.name,
    h: f.help,
    t: 'histogram',
    l: f.labelNames as string[],
    v: [],
    b,
    c: [],
    s: [],
    k: [],
  };
}

function addHistogram(w: WireHistogram, values: readonly string[], s: BucketSeries): void {
  const index = w.k.length;
  for (let i = 0; i < values.length; i++) w.v.push(values[i]);
  const c = w.c;
  const counts = s.counts;
  for (let i = 0; i < counts.length; i++) c.push(counts[i]);
  w.s.push(s.sum);
  w.k.push(s.count);
  if (s.native !== undefined) {
    const z = (w.z ??= new Array<WireNative | null>(index).fill(null));
    z.push(encodeNative(s.native));
  } else if (w.z !== undefined) w.z.push(null);
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
