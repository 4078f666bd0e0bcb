import type { Exemplar } from '../core/exemplars';
import type { MetricType } from '../core/types';
import { ExportNames } from '../core/export-name';
import type { FamilyView } from '../core/family-view';
import type { GaugeAggregation } from './aggregation';
import {
  encode,
  EXEMPLAR_SLOTS,
  exemplarAt,
  sameBounds,
  type WireFamily,
  type WireHistogram,
  type WireScalar,
} from './wire';

/** One process's families, and the value its series take in a `worker` label. */
export interface Source {
  readonly worker: string;
  readonly families: readonly WireFamily[];
}

interface MergedScalar {
  readonly values: string[];
  /** The last source that added to it: a source that names a series twice is refused. */
  src: number;
  v: number;
  /** Sources that had the series, for `avg`. */
  n: number;
}

interface MergedHistogram {
  readonly values: string[];
  src: number;
  readonly bounds: readonly number[];
  readonly counts: number[];
  sum: number;
  count: number;
  exemplars?: (Exemplar | undefined)[];
}

interface MergedFamily {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** As the sources declare them, to compare; `labelNames` adds `worker` for `perWorker`. */
  readonly declared: string;
  readonly labelNames: readonly string[];
  readonly agg: GaugeAggregation | undefined;
  readonly series: Map<string, MergedScalar | MergedHistogram>;
  dead: boolean;
  deadSeries?: Set<string>;
}

const SEP = '\u0000';

/**
 * Every source's families merged into one set of families, as the exporters read them.
 * Counters and histograms add up, bucket by bucket; gauges follow `aggregation(name)`. A family
 * whose sources disagree on its type or labels, or whose exported name clashes with another,
 * is left out; so is a histogram series whose sources disagree on its buckets. Each is
 * reported through `reject`. HELP comes from the first source that defines the family, and
 * the sources are read in order, so the first is the one whose definitions win.
 */
export function mergeSources(
  sources: readonly Source[],
  aggregation: (name: string) => GaugeAggregation,
  reject: (name: string, why: string) => void,
): FamilyView[] {
  const families = new Map<string, MergedFamily>();
  const exported = new ExportNames();
  for (let si = 0; si < sources.length; si++) {
    const src = sources[si];
    for (const w of src.families) {
      let f = families.get(w.n);
      if (f === undefined) {
        f = family(w, w.t === 'gauge' ? aggregation(w.n) : undefined);
        families.set(w.n, f);
        const clash = exported.claim(w.n, w.t);
        if (clash !== undefined) kill(f, clash, reject);
        else if (f.agg === 'perWorker' && w.l.includes('worker'))
          kill(f, 'has a label "worker" already; perWorker cannot add one', reject);
      } else if (!f.dead && (f.type !== w.t || f.declared !== w.l.join(','))) {
        kill(
          f,
          `workers disagree: a ${f.type} with labels [${f.declared}] and a ${w.t} with labels [${w.l.join(',')}]`,
          reject,
        );
      }
      if (f.dead) continue;
      if (w.t === 'histogram') addHistograms(f, w, src.worker, si, reject);
      else addScalars(f, w, src.worker, si, reject);
    }
  }
  const out: FamilyView[] = [];
  for (const f of families.values()) {
    if (f.dead) continue;
    if (f.agg === 'avg')
      for (const s of f.series.values()) (s as MergedScalar).v /= (s as MergedScalar).n;
    const dead = f.deadSeries;
    out.push({
      name: f.name,
      help: f.help,
      type: f.type,
      labelNames: f.labelNames,
      forEach(fn: (values: readonly string[], s: never) => void) {
        for (const [key, s] of f.series)
          if (dead === undefined || !dead.has(key)) fn(s.values, s as never);
      },
    } as FamilyView);
  }
  return out;
}

/**
 * The primary's own (live) families first, as the worker `primary`, then the workers'. What
 * is left out is reported through `drop` before the primary's families are read again, so
 * that the merged `obsweave.dropped_total` already counts it.
 */
export function mergeWithPrimary(
  own: readonly FamilyView[],
  sources: readonly Source[],
  aggregation: (name: string) => GaugeAggregation,
  drop: (name: string, why: string) => void,
): FamilyView[] {
  const rejected: [string, string][] = [];
  const merged = mergeSources(
    [{ worker: 'primary', families: encode(own) }, ...sources],
    aggregation,
    (name, why) => rejected.push([name, why]),
  );
  if (rejected.length === 0) return merged;
  for (const [name, why] of rejected) drop(name, why);
  return mergeSources(
    [{ worker: 'primary', families: encode(own) }, ...sources],
    aggregation,
    () => {},
  );
}

function family(w: WireFamily, agg: GaugeAggregation | undefined): MergedFamily {
  return {
    name: w.n,
    help: w.h,
    type: w.t,
    declared: w.l.join(','),
    labelNames: agg === 'perWorker' ? [...w.l, 'worker'] : w.l,
    agg,
    series: new Map(),
    dead: false,
  };
}

function kill(f: MergedFamily, why: string, reject: (name: string, why: string) => void): void {
  f.dead = true;
  reject(f.name, `${why}; left out of the merged scrape`);
}

/** The series' key in its family: its label values (and, for `perWorker`, the worker). */
function keyOf(v: readonly string[], at: number, n: number, worker: string | undefined): string {
  let key = worker ?? '';
  for (let j = 0; j < n; j++) key += SEP + v[at + j];
  return key;
}

function valuesOf(
  v: readonly string[],
  at: number,
  n: number,
  worker: string | undefined,
): string[] {
  const values = v.slice(at, at + n);
  if (worker !== undefined) values.push(worker);
  return values;
}

function addScalars(
  f: MergedFamily,
  w: WireScalar,
  worker: string,
  src: number,
  reject: (name: string, why: string) => void,
): void {
  const n = w.l.length;
  const x = w.x;
  const own = f.agg === 'perWorker' ? worker : undefined;
  const agg = f.agg;
  for (let i = 0; i < x.length; i++) {
    const key = keyOf(w.v, i * n, n, own);
    const s = f.series.get(key) as MergedScalar | undefined;
    if (s === undefined) {
      f.series.set(key, { values: valuesOf(w.v, i * n, n, own), src, v: x[i], n: 1 });
    } else if (s.src === src) {
      twice(f, key, s.values, worker, reject);
    } else {
      s.src = src;
      if (agg === 'max') {
        if (x[i] > s.v) s.v = x[i];
      } else if (agg === 'min') {
        if (x[i] < s.v) s.v = x[i];
      } else {
        s.v += x[i];
        s.n++;
      }
    }
  }
}

function addHistograms(
  f: MergedFamily,
  w: WireHistogram,
  worker: string,
  src: number,
  reject: (name: string, why: string) => void,
): void {
  const n = w.l.length;
  const { b: bounds, c, s: sums, k: counts } = w;
  const width = bounds.length + 1;
  const series = counts.length;
  // Where each of this source's series went, for its exemplars; undefined when left out.
  const into: (MergedHistogram | undefined)[] = new Array(series);
  for (let i = 0; i < series; i++) {
    const key = keyOf(w.v, i * n, n, undefined);
    if (f.deadSeries?.has(key)) continue;
    const s = f.series.get(key) as MergedHistogram | undefined;
    const at = i * width;
    if (s === undefined) {
      const h: MergedHistogram = {
        values: valuesOf(w.v, i * n, n, undefined),
        src,
        bounds,
        counts: c.slice(at, at + width),
        sum: sums[i],
        count: counts[i],
      };
      f.series.set(key, h);
      into[i] = h;
    } else if (s.src === src) {
      twice(f, key, s.values, worker, reject);
    } else if (!sameBounds(s.bounds, bounds)) {
      (f.deadSeries ??= new Set()).add(key);
      reject(
        f.name,
        `worker ${worker} has buckets [${bounds.join(',')}] where another has [${s.bounds.join(',')}]; ` +
          `series {${s.values.join(',')}} left out of the merged scrape`,
      );
    } else {
      s.src = src;
      for (let j = 0; j < width; j++) s.counts[j] += c[at + j];
      s.sum += sums[i];
      s.count += counts[i];
      into[i] = s;
    }
  }
  const e = w.e;
  if (e === undefined) return;
  // A bucket shows one exemplar: the most recent of all the workers'.
  for (let i = 0; i < e.length; i += EXEMPLAR_SLOTS) {
    const s = into[e[i] as number];
    if (s === undefined) continue;
    const slots = (s.exemplars ??= new Array<Exemplar | undefined>(width).fill(undefined));
    const b = e[i + 1] as number;
    const cur = slots[b];
    if (cur === undefined || cur.timestamp < (e[i + 5] as number)) slots[b] = exemplarAt(e, i);
  }
}

/** One source naming a series twice would be added twice: the series is left out. */
function twice(
  f: MergedFamily,
  key: string,
  values: readonly string[],
  worker: string,
  reject: (name: string, why: string) => void,
): void {
  (f.deadSeries ??= new Set()).add(key);
  reject(
    f.name,
    `worker ${worker} sent series {${values.join(',')}} twice; left out of the merged scrape`,
  );
}
