import type { Exemplar } from '../core/exemplars';
import { ExportNames } from '../core/export-name';
import type { FamilyView } from '../core/family-view';
import { OVERFLOW_VALUE } from '../core/series-table';
import { labelValue, redactPrefix } from '../redact/redact';
import type { GaugeAggregation } from './aggregation';
import { MergedNative, type WireNative } from './native-merge';
import {
  add,
  combine,
  views,
  type MergedFamily,
  type MergedHistogram,
  type MergedScalar,
} from './merged-family';
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

/** Why a part of a worker's answer was left out of the merged scrape, or folded. */
export type MergeDrop = 'conflict' | 'worker_error' | 'overflow';

export interface MergeOptions {
  /** How the series of a gauge merge. */
  aggregation(name: string): GaugeAggregation;
  /** Series one worker brings to one family; the rest fold into `__overflow__`. */
  maxSeriesPerMetric: number;
  /** Reports what was left out or folded, once per family, worker and reason in a merge. */
  drop(reason: MergeDrop, subject: string, why: string): void;
  /** A worker's label value as it is stored: `labelValue`, or one that remembers. */
  labelValue?: (raw: string) => string;
}

/**
 * Series one worker brings to the whole merge, whatever its families: past it, each family's
 * further series fold into its `__overflow__` series, so a worker answering with a flood costs
 * a bounded merge and a bounded scrape.
 */
export const MAX_SERIES_PER_WORKER = 100_000;

/** The longest HELP taken from a worker, after redaction. */
const MAX_HELP = 1024;

/** `obsweave.*` families are the primary's: its drops, its exports. */
const RESERVED = /^obsweave[._]/;

/** The family whose series are read last, once every drop of the merge has been counted. */
const DROPPED_TOTAL = 'obsweave.dropped_total';

const SEP = '\u0000';

/**
 * The primary's own families (as the worker `primary`, trusted: its registry checked them),
 * then each worker's answer, merged into one set of families as the exporters read them.
 * Counters and histograms add up, bucket by bucket; gauges follow `aggregation(name)`.
 *
 * The first source to define a family (the primary, then the workers in order) sets its type,
 * labels, HELP and, series by series, its buckets. A worker's answer is read as local input is:
 * a family or a histogram series that contradicts the merged one, a series sent twice, or an
 * exported name another family holds is left out for that worker alone (`worker_error`); its
 * label values are redacted and cut; past `maxSeriesPerMetric` series in a family (or
 * `MAX_SERIES_PER_WORKER` in all) the rest fold into one `__overflow__` series (`overflow`);
 * its `obsweave.*` families are not read. The primary's `obsweave.dropped_total` is read last,
 * so that it already counts this merge's drops.
 */
export function mergeWithPrimary(
  own: readonly FamilyView[],
  sources: readonly Source[],
  opts: MergeOptions,
): FamilyView[] {
  const merge = new Merge(opts);
  const late = own.find((f) => f.name === DROPPED_TOTAL);
  merge.add('primary', encode(own), true, late?.name);
  for (const s of sources) merge.add(s.worker, s.families, false);
  if (late !== undefined) merge.addLate(encode([late]));
  return merge.views();
}

/**
 * A source's native buckets into a merged series (just added to by that source): merged to the
 * coarser schema; a source without them leaves the series classic, as text would show it.
 */
function addNative(h: MergedHistogram, w: WireNative | null): void {
  if (h.nativeLost) return;
  if (w === null) {
    h.native = undefined;
    h.nativeLost = true;
  } else if (h.native === undefined) {
    // The series is new (its first source) unless an earlier one lost it, handled above.
    h.native = new MergedNative(w);
  } else h.native.add(w);
}

class Merge {
  private readonly families = new Map<string, MergedFamily>();
  private readonly exported = new ExportNames();
  private src = -1;
  private worker = '';
  private trusted = true;
  /** Series the current source may still bring to the merge. */
  private budget = 0;
  /** What was reported for the current source: each family, once per reason. */
  private readonly reported = new Set<string>();
  /** Label values of one series, cleaned; copied when the series is new. */
  private readonly scratch: string[] = [];
  private readonly clean: (raw: string) => string;

  constructor(private readonly opts: MergeOptions) {
    this.clean = opts.labelValue ?? labelValue;
  }

  add(worker: string, families: readonly WireFamily[], trusted: boolean, late?: string): void {
    this.src++;
    this.worker = worker;
    this.trusted = trusted;
    this.budget = trusted ? Infinity : MAX_SERIES_PER_WORKER;
    this.reported.clear();
    for (const w of families) {
      const f = this.familyOf(w);
      if (f === undefined || w.n === late) continue;
      if (w.t === 'histogram') this.addHistograms(f, w);
      else this.addScalars(f, w);
    }
  }

  /** The primary's families held back by `add`, now that every drop is counted. */
  addLate(families: readonly WireFamily[]): void {
    this.src = 0;
    this.worker = 'primary';
    this.trusted = true;
    this.budget = Infinity;
    for (const w of families) {
      const f = this.familyOf(w);
      if (f !== undefined && w.t !== 'histogram') this.addScalars(f, w);
    }
  }

  views(): FamilyView[] {
    return views(this.families.values());
  }

  /** The merged family `w` adds to, or `undefined` when this source's `w` is left out. */
  private familyOf(w: WireFamily): MergedFamily | undefined {
    if (!this.trusted && RESERVED.test(w.n)) return undefined;
    const declared = w.l.join(',');
    let f = this.families.get(w.n);
    if (f === undefined) {
      const agg = w.t === 'gauge' ? this.opts.aggregation(w.n) : undefined;
      if (agg === 'perWorker' && w.l.includes('worker')) {
        this.reject('conflict', w.n, 'has a label "worker" already; perWorker cannot add one');
        return undefined;
      }
      const clash = this.exported.claim(w.n, w.t);
      if (clash !== undefined) {
        this.reject(this.trusted ? 'conflict' : 'worker_error', w.n, clash);
        return undefined;
      }
      f = {
        name: w.n,
        help: this.trusted ? w.h : redactPrefix(w.h, MAX_HELP),
        type: w.t,
        declared,
        labelNames: agg === 'perWorker' ? [...w.l, 'worker'] : w.l,
        agg,
        series: new Map(),
        src: -1,
        taken: 0,
      };
      this.families.set(w.n, f);
    } else if (f.type !== w.t || f.declared !== declared) {
      this.reject(
        'worker_error',
        w.n,
        `is a ${w.t} with labels [${declared}] where the merged scrape has a ${f.type} with labels [${f.declared}]`,
      );
      return undefined;
    }
    if (f.src !== this.src) {
      f.src = this.src;
      f.taken = 0;
    }
    return f;
  }

  /** Whether one more series of this source may be keyed in `f`; else it folds. */
  private room(f: MergedFamily): boolean {
    if (this.trusted) return true;
    if (f.taken >= this.opts.maxSeriesPerMetric || this.budget <= 0) return false;
    f.taken++;
    this.budget--;
    return true;
  }

  /** The cleaned label values of series `i` in `scratch`, and its key in its family. */
  private keyOf(f: MergedFamily, v: readonly string[], i: number, n: number): string {
    const values = this.scratch;
    values.length = 0;
    for (let j = 0; j < n; j++) {
      const raw = v[i * n + j];
      values.push(this.trusted ? raw : this.clean(raw));
    }
    return this.keyOfScratch(f);
  }

  private overflowKey(f: MergedFamily, n: number): string {
    const values = this.scratch;
    values.length = 0;
    for (let j = 0; j < n; j++) values.push(OVERFLOW_VALUE);
    return this.keyOfScratch(f);
  }

  private keyOfScratch(f: MergedFamily): string {
    const values = this.scratch;
    if (f.agg === 'perWorker') values.push(this.worker);
    let key = '';
    for (let j = 0; j < values.length; j++) key += SEP + values[j];
    return key;
  }

  private addScalars(f: MergedFamily, w: WireScalar): void {
    const n = w.l.length;
    const x = w.x;
    let folded: number | undefined;
    for (let i = 0; i < x.length; i++) {
      if (!this.room(f)) {
        folded = folded === undefined ? x[i] : combine(f.agg, folded, x[i]);
        continue;
      }
      const key = this.keyOf(f, w.v, i, n);
      const s = f.series.get(key) as MergedScalar | undefined;
      if (s === undefined) f.series.set(key, this.scalar(x[i]));
      else if (s.src === this.src) this.twice(f);
      else add(f.agg, s, x[i], this.src);
    }
    if (folded === undefined) return;
    this.folded(f);
    const key = this.overflowKey(f, n);
    const s = f.series.get(key) as MergedScalar | undefined;
    if (s === undefined) f.series.set(key, this.scalar(folded));
    else if (s.src === this.src) s.v = combine(f.agg, s.v, folded);
    else add(f.agg, s, folded, this.src);
  }

  private scalar(v: number): MergedScalar {
    return { values: this.scratch.slice(), src: this.src, v, n: 1 };
  }

  private addHistograms(f: MergedFamily, w: WireHistogram): void {
    const n = w.l.length;
    const { b: bounds, c, s: sums, k: counts } = w;
    const width = bounds.length + 1;
    // Where each of this source's series went, for its exemplars; undefined when left out.
    const into: (MergedHistogram | undefined)[] | undefined =
      w.e === undefined ? undefined : new Array(counts.length);
    let fold: MergedHistogram | undefined;
    for (let i = 0; i < counts.length; i++) {
      const at = i * width;
      if (!this.room(f)) {
        // Folded series keep their classic buckets; native ones would need merging one by one.
        fold ??= {
          values: [],
          src: this.src,
          bounds,
          counts: new Array(width).fill(0),
          sum: 0,
          count: 0,
        };
        for (let j = 0; j < width; j++) fold.counts[j] += c[at + j];
        fold.sum += sums[i];
        fold.count += counts[i];
        continue;
      }
      const key = this.keyOf(f, w.v, i, n);
      const h = this.addHistogram(f, key, bounds, c, at, sums[i], counts[i], false);
      if (h !== undefined) addNative(h, w.z?.[i] ?? null);
      if (into !== undefined) into[i] = h;
    }
    if (fold !== undefined) {
      this.folded(f);
      const key = this.overflowKey(f, n);
      const h = this.addHistogram(f, key, bounds, fold.counts, 0, fold.sum, fold.count, true);
      if (h !== undefined) addNative(h, null);
    }
    const e = w.e;
    if (e === undefined || into === undefined) return;
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

  /** Adds one series (its labels in `scratch`); `again` lets this source add to it twice. */
  private addHistogram(
    f: MergedFamily,
    key: string,
    bounds: readonly number[],
    c: readonly number[],
    at: number,
    sum: number,
    count: number,
    again: boolean,
  ): MergedHistogram | undefined {
    const width = bounds.length + 1;
    const s = f.series.get(key) as MergedHistogram | undefined;
    if (s === undefined) {
      const h: MergedHistogram = {
        values: this.scratch.slice(),
        src: this.src,
        bounds,
        counts: c.slice(at, at + width),
        sum,
        count,
      };
      f.series.set(key, h);
      return h;
    }
    if (s.src === this.src && !again) return void this.twice(f);
    if (!sameBounds(s.bounds, bounds)) {
      this.reject(
        'worker_error',
        f.name,
        `has buckets [${bounds.join(',')}] for series {${this.scratch.join(',')}} where the merged scrape has [${s.bounds.join(',')}]`,
      );
      return undefined;
    }
    s.src = this.src;
    for (let j = 0; j < width; j++) s.counts[j] += c[at + j];
    s.sum += sum;
    s.count += count;
    return s;
  }

  /** A source naming a series twice would be added twice: the first is taken. */
  private twice(f: MergedFamily): void {
    this.reject(
      'worker_error',
      f.name,
      `sends series {${this.scratch.join(',')}} twice; the first is taken`,
    );
  }

  private folded(f: MergedFamily): void {
    this.reject(
      'overflow',
      f.name,
      `brings more than ${this.opts.maxSeriesPerMetric} series (or more than ${MAX_SERIES_PER_WORKER} in all); the rest fold into ${OVERFLOW_VALUE}`,
    );
  }

  private reject(reason: MergeDrop, name: string, why: string): void {
    const key = reason + SEP + name;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const rest = reason === 'overflow' ? '' : '; left out of the merged scrape for this worker';
    this.opts.drop(reason, `${name} from worker ${this.worker}`, why + rest);
  }
}
