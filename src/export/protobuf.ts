import type { Exemplar } from '../core/exemplars';
import { exportName, type ExportName } from '../core/export-name';
import {
  NO_DEFAULT_LABELS,
  familyDefaults,
  ownValue,
  type BucketSeries,
  type DefaultLabels,
  type FamilyDefaults,
  type FamilyView,
  type NativeSideView,
  type NativeView,
} from '../core/family-view';
import { ProtoWriter } from './proto-writer';
import { scale } from './text';

/** What Prometheus asks for with `--enable-feature=native-histograms`, and what is answered. */
export const PROTOBUF_CONTENT_TYPE =
  'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

// Field numbers of io.prometheus.client's metrics.proto.
const FAMILY = { name: 1, help: 2, type: 3, metric: 4 } as const;
const TYPE = { counter: 0, gauge: 1, histogram: 4 } as const;
const METRIC = { label: 1, gauge: 2, counter: 3, histogram: 7 } as const;
const HISTOGRAM = {
  sampleCount: 1,
  sampleSum: 2,
  bucket: 3,
  schema: 5,
  zeroThreshold: 6,
  zeroCount: 7,
  negativeSpan: 9,
  negativeDelta: 10,
  positiveSpan: 12,
  positiveDelta: 13,
  created: 15,
  exemplars: 16,
} as const;
const BUCKET = { cumulativeCount: 1, upperBound: 2, exemplar: 3 } as const;

/**
 * Every family as length-delimited `io.prometheus.client.MetricFamily` messages: names and
 * units as in the text formats, classic and native buckets, exemplars, and when each histogram
 * series started counting.
 */
export function toProtobuf(
  families: readonly FamilyView[],
  labels: DefaultLabels = NO_DEFAULT_LABELS,
): Buffer {
  const w = new ProtoWriter();
  for (const f of families) {
    const n = exportName(f.name, f.type);
    const d = familyDefaults(f.labelNames, labels);
    const mark = w.begin();
    w.string(FAMILY.name, n.sample);
    w.string(FAMILY.help, f.help);
    w.uint(FAMILY.type, TYPE[f.type]);
    if (f.type === 'histogram') {
      f.forEach((values, s) => {
        const m = w.begin(FAMILY.metric);
        labelPairs(w, f.labelNames, values, d);
        histogram(w, s, n);
        w.end(m);
      });
    } else {
      const field = f.type === 'counter' ? METRIC.counter : METRIC.gauge;
      f.forEach((values, s) => {
        const m = w.begin(FAMILY.metric);
        labelPairs(w, f.labelNames, values, d);
        const v = w.begin(field);
        w.double(1, scale(s.v, n.mul, n.div));
        if (field === METRIC.counter && s.created !== undefined) timestamp(w, 3, s.created);
        w.end(v);
        w.end(m);
      });
    }
    w.end(mark);
  }
  return w.finish();
}

function labelPairs(
  w: ProtoWriter,
  names: readonly string[],
  values: readonly string[],
  d: FamilyDefaults,
): void {
  for (let i = 0; i < names.length; i++) pair(w, METRIC.label, names[i], ownValue(d, i, values[i]));
  for (let i = 0; i < d.names.length; i++) pair(w, METRIC.label, d.names[i], d.values[i]);
}

function pair(w: ProtoWriter, field: number, name: string, value: string): void {
  const m = w.begin(field);
  w.string(1, name);
  w.string(2, value);
  w.end(m);
}

function histogram(w: ProtoWriter, s: BucketSeries, n: ExportName): void {
  const h = w.begin(METRIC.histogram);
  w.uint(HISTOGRAM.sampleCount, s.count);
  w.double(HISTOGRAM.sampleSum, scale(s.sum, n.mul, n.div));
  // The +Inf bucket is left out, as client_golang does: Prometheus reads it from the count.
  const counts = s.counts;
  let cum = 0;
  for (let i = 0; i < s.bounds.length; i++) {
    cum += counts[i];
    const b = w.begin(HISTOGRAM.bucket);
    w.uint(BUCKET.cumulativeCount, cum);
    w.double(BUCKET.upperBound, scale(s.bounds[i], n.mul, n.div));
    const e = s.exemplars?.[i];
    if (e !== undefined) exemplar(w, BUCKET.exemplar, e, n);
    w.end(b);
  }
  if (s.created !== undefined) timestamp(w, HISTOGRAM.created, s.created);
  if (s.native !== undefined) {
    native(w, s.native);
    // Without classic buckets, the exemplar has no bucket to ride on: Prometheus 2.47+ reads it here.
    const e = s.bounds.length === 0 ? s.exemplars?.[0] : undefined;
    if (e !== undefined) exemplar(w, HISTOGRAM.exemplars, e, n);
  }
  w.end(h);
}

function native(w: ProtoWriter, v: NativeView): void {
  w.sint(HISTOGRAM.schema, v.schema);
  w.double(HISTOGRAM.zeroThreshold, v.zeroThreshold);
  w.uint(HISTOGRAM.zeroCount, v.zeroCount);
  const neg = spans(w, HISTOGRAM.negativeSpan, v.negative);
  if (neg) deltas(w, HISTOGRAM.negativeDelta, v.negative!);
  const pos = spans(w, HISTOGRAM.positiveSpan, v.positive);
  if (pos) deltas(w, HISTOGRAM.positiveDelta, v.positive!);
  if (!neg && !pos && v.zeroThreshold === 0 && v.zeroCount === 0) {
    // As client_golang: an empty span marks a histogram with nothing in it yet as native.
    const m = w.begin(HISTOGRAM.positiveSpan);
    w.sint(1, 0);
    w.uint(2, 0);
    w.end(m);
  }
}

/**
 * A gap of up to this many empty buckets is written as zero deltas rather than a new span,
 * as client_golang does: two zeros cost less than a span.
 */
const MAX_FILLED_GAP = 2;

/** The spans of the populated buckets; false when there is none. */
function spans(w: ProtoWriter, field: number, side: NativeSideView | undefined): boolean {
  if (side === undefined) return false;
  const c = side.counts;
  let mark = -1;
  let length = 0;
  let next = 0; // the key after the current span; the first span's offset is its first key
  for (let i = 0; i < c.length; i++) {
    if (c[i] === 0) continue;
    const key = side.offset + i;
    if (mark >= 0 && key - next <= MAX_FILLED_GAP) {
      length += key - next + 1;
    } else {
      if (mark >= 0) closeSpan(w, mark, length);
      mark = w.begin(field);
      w.sint(1, key - next);
      length = 1;
    }
    next = key + 1;
  }
  if (mark < 0) return false;
  closeSpan(w, mark, length);
  return true;
}

function closeSpan(w: ProtoWriter, mark: number, length: number): void {
  w.uint(2, length);
  w.end(mark);
}

/** Per-bucket counts as packed differences from the bucket before (0 before the first). */
function deltas(w: ProtoWriter, field: number, side: NativeSideView): void {
  const c = side.counts;
  const m = w.begin(field);
  let prev = 0;
  let started = false;
  let next = 0;
  for (let i = 0; i < c.length; i++) {
    if (c[i] === 0) continue;
    const key = side.offset + i;
    if (started && key - next <= MAX_FILLED_GAP) {
      for (let g = next; g < key; g++) {
        w.zigzag(-prev);
        prev = 0;
      }
    }
    w.zigzag(c[i] - prev);
    prev = c[i];
    started = true;
    next = key + 1;
  }
  w.end(m);
}

/** `google.protobuf.Timestamp` from ms since the epoch. */
function timestamp(w: ProtoWriter, field: number, ms: number): void {
  const m = w.begin(field);
  const seconds = Math.floor(ms / 1000);
  w.uint(1, seconds);
  w.uint(2, Math.round((ms - seconds * 1000) * 1e6));
  w.end(m);
}

function exemplar(w: ProtoWriter, field: number, e: Exemplar, n: ExportName): void {
  const m = w.begin(field);
  pair(w, 1, 'trace_id', e.traceId);
  pair(w, 1, 'span_id', e.spanId);
  const id = e.correlationId;
  // Prometheus refuses exemplar labels past 128 characters in all: the id is left out first.
  const size = 'trace_idspan_id'.length + e.traceId.length + e.spanId.length;
  if (id !== undefined && size + 'correlation_id'.length + id.length <= 128) {
    pair(w, 1, 'correlation_id', id);
  }
  w.double(2, scale(e.value, n.mul, n.div));
  timestamp(w, 3, e.timestamp);
  w.end(m);
}
