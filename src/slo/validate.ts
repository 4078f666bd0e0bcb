import { DEFAULT_BUCKETS_MS } from '../core/buckets';
import { CATALOG, catalogEntry } from '../core/catalog';
import type { MetricDefinition } from '../core/types';
import { exportName } from '../core/export-name';
import { parseDuration } from './duration';
import { parseMatchers, parseSelector, type Matcher } from './selector';
import { isLatencySli, type LatencySli, type RatioSli, type Slo } from './slo';
import { DEFAULT_PERIOD, SLO_WINDOWS } from './windows';

/** Finds how a metric is defined: in a registry first, then in the catalog. */
export type MetricLookup = (name: string) => MetricDefinition | undefined;

/** Counters read through one selector. */
export interface CounterSelection {
  readonly def: MetricDefinition;
  readonly matchers: readonly Matcher[];
}

/** Bad events over all events, each a sum of counters. */
export interface ValidRatioSli {
  readonly kind: 'ratio';
  readonly errors: CounterSelection;
  readonly total: CounterSelection;
}

/** The share of a duration histogram's observations above one of its bucket bounds. */
export interface ValidLatencySli {
  readonly kind: 'latency';
  readonly def: MetricDefinition;
  readonly matchers: readonly Matcher[];
  /** The bound in the histogram's own unit (ms for `_ms`, seconds for `_seconds`). */
  readonly bound: number;
}

/** An SLO checked against the metrics it reads: every field present and of its type. */
export interface ValidSlo {
  readonly name: string;
  readonly objective: number;
  /** `1 - objective`, rounded so that `0.999` gives `0.001`, not `0.0010000000000000009`. */
  readonly budget: number;
  readonly period: string;
  readonly periodMs: number;
  readonly by: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly runbookUrl?: string;
  readonly description?: string;
  readonly sli: ValidRatioSli | ValidLatencySli;
}

type Fail = (why: string) => never;

const SLO_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Labels the rules set themselves, or that mean something else to every Prometheus tool. */
const RESERVED = new Set(['slo', 'severity', 'alertname', 'le', 'quantile']);
/** Labels Prometheus adds to every scraped series: a selector may match on them. */
const TARGET_LABELS = ['job', 'instance'];
const FIELDS = new Set([
  'name',
  'objective',
  'period',
  'sli',
  'by',
  'labels',
  'runbookUrl',
  'description',
]);
const LONGEST_WINDOW = SLO_WINDOWS[SLO_WINDOWS.length - 1];
const LONGEST_WINDOW_MS = parseDuration(LONGEST_WINDOW)!;

/** The catalog's definition of `name`; its histograms have the default bounds. */
export function catalogDefinition(name: string): MetricDefinition | undefined {
  const e = catalogEntry(name);
  if (e === undefined) return undefined;
  const def = { name, type: e.type, labelNames: e.labelNames };
  return e.type === 'histogram' ? { ...def, buckets: DEFAULT_BUCKETS_MS } : def;
}

/** Checks one declared SLO; throws an `obsweave:` error naming the SLO and what is wrong. */
export function validateSlo(slo: Slo, index: number, lookup: MetricLookup): ValidSlo {
  if (slo === null || typeof slo !== 'object' || Array.isArray(slo)) {
    throw new TypeError(`obsweave: SLO #${index + 1} must be an object`);
  }
  const fail: Fail = (why) => {
    const name = typeof slo.name === 'string' ? `"${slo.name}"` : `#${index + 1}`;
    throw new TypeError(`obsweave: SLO ${name}: ${why}`);
  };
  for (const key of Object.keys(slo)) if (!FIELDS.has(key)) fail(`unknown field "${key}"`);
  const { name, objective } = slo;
  if (typeof name !== 'string' || !SLO_NAME.test(name)) {
    fail(`name must be letters, digits, "-", "_" or ".", got ${JSON.stringify(name)}`);
  }
  if (typeof objective !== 'number' || !(objective > 0 && objective < 1)) {
    fail(`objective must be a number between 0 and 1 (0.999), got ${JSON.stringify(objective)}`);
  }
  const period = slo.period ?? DEFAULT_PERIOD;
  const periodMs = parseDuration(period);
  if (periodMs === undefined) {
    fail(`period must be a duration such as "30d" or "4w", got ${JSON.stringify(period)}`);
  }
  if (periodMs < LONGEST_WINDOW_MS) {
    fail(`period ${period} is shorter than the longest alert window, ${LONGEST_WINDOW}`);
  }
  const by = labelList(slo.by, fail);
  const labels = fixedLabels(slo.labels, by, fail);
  for (const key of ['runbookUrl', 'description'] as const) {
    if (slo[key] !== undefined && (typeof slo[key] !== 'string' || slo[key] === '')) {
      fail(`${key} must be a non-empty string`);
    }
  }
  const sli = slo.sli as unknown;
  if (sli === null || typeof sli !== 'object') {
    fail('sli must be { errors, total } or { latency: { metric, thresholdMs } }');
  }
  return {
    name,
    objective,
    budget: Number((1 - objective).toPrecision(12)),
    period,
    periodMs,
    by,
    labels,
    runbookUrl: slo.runbookUrl,
    description: slo.description,
    sli: isLatencySli(slo.sli)
      ? latencySli(slo.sli, by, lookup, fail)
      : ratioSli(slo.sli, by, lookup, fail),
  };
}

function labelList(by: unknown, fail: Fail): string[] {
  if (by === undefined) return [];
  if (!Array.isArray(by)) return fail('by must be an array of label names');
  const seen = new Set<string>();
  for (const l of by as unknown[]) {
    if (typeof l !== 'string' || !LABEL_NAME.test(l) || l.startsWith('__') || RESERVED.has(l)) {
      return fail(`by: ${JSON.stringify(l)} cannot be a label to group by`);
    }
    if (seen.has(l)) fail(`by: "${l}" is listed twice`);
    seen.add(l);
  }
  return [...seen];
}

function fixedLabels(labels: unknown, by: readonly string[], fail: Fail): Record<string, string> {
  if (labels === undefined) return {};
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    return fail('labels must be an object of label names to strings');
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_NAME.test(k) || k.startsWith('__') || RESERVED.has(k) || by.includes(k)) {
      fail(`labels: "${k}" cannot be set (reserved, invalid, or one of "by")`);
    }
    if (typeof v !== 'string') fail(`labels: "${k}" must be a string`);
    out[k] = v;
  }
  return out;
}

function metric(name: string, lookup: MetricLookup, fail: Fail): MetricDefinition {
  const def = lookup(name);
  if (def !== undefined) return def;
  const known = CATALOG.find((e) => {
    const n = exportName(e.name, e.type);
    return [n.family, n.sample, `${n.family}_bucket`, `${n.family}_count`].includes(name);
  });
  return fail(
    `metric "${name}" is not in the registry or the catalog` +
      (known === undefined ? '' : ` (SLIs use obsweave's names: "${known.name}")`),
  );
}

function checkLabels(
  what: string,
  def: MetricDefinition,
  matchers: readonly Matcher[],
  by: readonly string[],
  fail: Fail,
): void {
  const has = (l: string) => def.labelNames.includes(l) || TARGET_LABELS.includes(l);
  const names = def.labelNames.join(', ') || 'none';
  for (const m of matchers) {
    if (!has(m.label)) fail(`${what}: "${def.name}" has no label "${m.label}" (labels: ${names})`);
  }
  for (const l of by) {
    if (!has(l)) fail(`by: "${def.name}" has no label "${l}" (labels: ${names})`);
  }
}

function ratioSli(
  sli: RatioSli,
  by: readonly string[],
  lookup: MetricLookup,
  fail: Fail,
): ValidRatioSli {
  for (const key of Object.keys(sli)) {
    if (key !== 'errors' && key !== 'total') fail(`sli: unknown field "${key}"`);
  }
  const counters = (key: 'errors' | 'total'): CounterSelection => {
    const sel = parseSelector(sli[key]);
    if (typeof sel === 'string') return fail(`sli.${key}: ${sel}`);
    const def = metric(sel.metric, lookup, fail);
    if (def.type !== 'counter') fail(`sli.${key}: "${def.name}" is a ${def.type}, not a counter`);
    checkLabels(`sli.${key}`, def, sel.matchers, by, fail);
    return { def, matchers: sel.matchers };
  };
  return { kind: 'ratio', errors: counters('errors'), total: counters('total') };
}

function latencySli(
  sli: LatencySli,
  by: readonly string[],
  lookup: MetricLookup,
  fail: Fail,
): ValidLatencySli {
  const l = sli.latency as unknown as Record<string, unknown>;
  if (l === null || typeof l !== 'object')
    return fail('sli.latency must be { metric, thresholdMs }');
  for (const key of Object.keys(sli)) if (key !== 'latency') fail(`sli: unknown field "${key}"`);
  for (const key of Object.keys(l)) {
    if (!['metric', 'thresholdMs', 'match'].includes(key)) {
      fail(`sli.latency: unknown field "${key}"`);
    }
  }
  if (typeof l.metric !== 'string') return fail('sli.latency.metric must be a metric name');
  const def = metric(l.metric, lookup, fail);
  if (def.type !== 'histogram')
    fail(`sli.latency: "${def.name}" is a ${def.type}, not a histogram`);
  const inMs = def.name.endsWith('_ms');
  if (!inMs && !def.name.endsWith('_seconds')) {
    fail(
      `sli.latency: "${def.name}" is not a duration (its name ends in neither _ms nor _seconds)`,
    );
  }
  const thresholdMs = l.thresholdMs;
  if (typeof thresholdMs !== 'number' || !Number.isFinite(thresholdMs) || thresholdMs <= 0) {
    return fail(
      `sli.latency.thresholdMs must be a positive number, got ${JSON.stringify(thresholdMs)}`,
    );
  }
  const matchers = l.match === undefined ? [] : parseMatchers(l.match);
  if (typeof matchers === 'string') return fail(`sli.latency.match: ${matchers}`);
  if (matchers.some((m) => m.label === 'le'))
    fail('sli.latency.match: "le" is set from thresholdMs');
  checkLabels('sli.latency.match', def, matchers, by, fail);
  const wanted = inMs ? thresholdMs : thresholdMs / 1000;
  const bounds = def.buckets ?? [];
  const bound = bounds.find((b) => Math.abs(b - wanted) <= 1e-9 * Math.max(1, Math.abs(b)));
  if (bound === undefined) {
    const ms = bounds.map((b) => (inMs ? b : b * 1000));
    return fail(
      `sli.latency.thresholdMs ${thresholdMs} is not a bucket bound of "${def.name}" ` +
        `(bounds in ms: ${ms.join(', ')}): the share above it cannot be read`,
    );
  }
  return { kind: 'latency', def, matchers, bound };
}
