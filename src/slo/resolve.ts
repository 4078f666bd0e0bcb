import { DEFAULT_BUCKETS_MS } from '../core/buckets';
import { CATALOG, catalogEntry } from '../core/catalog';
import type { MetricDefinition } from '../core/types';
import { exportName } from '../core/export-name';
import { formatNumber, scale } from '../export/text';
import { parseDuration } from './duration';
import { formatMatchers, parseMatchers, parseSelector, type Matcher } from './selector';
import { isLatencySli, type LatencySli, type RatioSli, type Slo } from './slo';
import { DEFAULT_PERIOD, SLO_WINDOWS } from './windows';

/** Finds how a metric is defined: in a registry first, then in the catalog. */
export type MetricLookup = (name: string) => MetricDefinition | undefined;

/** An SLO checked against the metrics it reads, with what its rules are written from. */
export interface ResolvedSlo {
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
  /** The PromQL error ratio over `range`, one series per value of the `by` labels. */
  errorRatio(range: string): string;
}

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
const LONGEST_WINDOW_MS = parseDuration(SLO_WINDOWS[SLO_WINDOWS.length - 1])!;

/** The catalog's definition of `name`; its histograms have the default bounds. */
export function catalogDefinition(name: string): MetricDefinition | undefined {
  const e = catalogEntry(name);
  if (e === undefined) return undefined;
  const def = { name, type: e.type, labelNames: e.labelNames };
  return e.type === 'histogram' ? { ...def, buckets: DEFAULT_BUCKETS_MS } : def;
}

/** Checks one declared SLO; throws an `obsweave:` error naming the SLO and what is wrong. */
export function resolveSlo(slo: Slo, index: number, lookup: MetricLookup): ResolvedSlo {
  if (slo === null || typeof slo !== 'object' || Array.isArray(slo)) {
    throw new TypeError(`obsweave: SLO #${index + 1} must be an object`);
  }
  const fail = (why: string): never => {
    const name = typeof slo.name === 'string' ? `"${slo.name}"` : `#${index + 1}`;
    throw new TypeError(`obsweave: SLO ${name}: ${why}`);
  };
  for (const key of Object.keys(slo)) if (!FIELDS.has(key)) fail(`unknown field "${key}"`);
  if (typeof slo.name !== 'string' || !SLO_NAME.test(slo.name)) {
    fail(`name must be letters, digits, "-", "_" or ".", got ${JSON.stringify(slo.name)}`);
  }
  const { objective } = slo;
  if (typeof objective !== 'number' || !(objective > 0 && objective < 1)) {
    fail(`objective must be a number between 0 and 1 (0.999), got ${JSON.stringify(objective)}`);
  }
  const period = slo.period ?? DEFAULT_PERIOD;
  const periodMs = parseDuration(period);
  if (periodMs === undefined) {
    fail(`period must be a duration such as "30d" or "4w", got ${JSON.stringify(period)}`);
  }
  if (periodMs! < LONGEST_WINDOW_MS) {
    fail(`period ${period} is shorter than the longest alert window, 3d`);
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
  const errorRatio = isLatencySli(slo.sli)
    ? latencyRatio(slo.sli, by, lookup, fail)
    : eventRatio(slo.sli, by, lookup, fail);
  return {
    name: slo.name,
    objective,
    budget: Number((1 - objective).toPrecision(12)),
    period,
    periodMs: periodMs!,
    by,
    labels,
    runbookUrl: slo.runbookUrl,
    description: slo.description,
    errorRatio,
  };
}

type Fail = (why: string) => never;

function labelList(by: unknown, fail: Fail): string[] {
  if (by === undefined) return [];
  if (!Array.isArray(by)) return fail('by must be an array of label names');
  const seen = new Set<string>();
  for (const l of by) {
    if (typeof l !== 'string' || !LABEL_NAME.test(l) || l.startsWith('__') || RESERVED.has(l)) {
      fail(`by: ${JSON.stringify(l)} cannot be a label to group by`);
    }
    if (seen.has(l)) fail(`by: "${l}" is listed twice`);
    seen.add(l);
  }
  return [...by] as string[];
}

function fixedLabels(labels: unknown, by: readonly string[], fail: Fail): Record<string, string> {
  if (labels === undefined) return {};
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    return fail('labels must be an object of label names to strings');
  }
  for (const [k, v] of Object.entries(labels)) {
    if (!LABEL_NAME.test(k) || k.startsWith('__') || RESERVED.has(k) || by.includes(k)) {
      fail(`labels: "${k}" cannot be set (reserved, invalid, or one of "by")`);
    }
    if (typeof v !== 'string') fail(`labels: "${k}" must be a string`);
  }
  return { ...(labels as Record<string, string>) };
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
  for (const m of matchers) {
    if (!def.labelNames.includes(m.label) && !TARGET_LABELS.includes(m.label)) {
      fail(
        `${what}: "${def.name}" has no label "${m.label}" (labels: ${def.labelNames.join(', ') || 'none'})`,
      );
    }
  }
  for (const l of by) {
    if (!def.labelNames.includes(l) && !TARGET_LABELS.includes(l)) {
      fail(
        `by: "${def.name}" has no label "${l}" (labels: ${def.labelNames.join(', ') || 'none'})`,
      );
    }
  }
}

function sumRate(series: string, matchers: readonly Matcher[], by: readonly string[]) {
  const sel = matchers.length === 0 ? series : `${series}{${formatMatchers(matchers)}}`;
  const sum = by.length === 0 ? 'sum' : `sum by (${by.join(', ')}) `;
  return (range: string) => `${sum}(rate(${sel}[${range}]))`;
}

function eventRatio(sli: RatioSli, by: readonly string[], lookup: MetricLookup, fail: Fail) {
  for (const key of Object.keys(sli)) {
    if (key !== 'errors' && key !== 'total') fail(`sli: unknown field "${key}"`);
  }
  const rates = (['errors', 'total'] as const).map((key) => {
    const sel = parseSelector(sli[key]);
    if (typeof sel === 'string') return fail(`sli.${key}: ${sel}`);
    const def = metric(sel.metric, lookup, fail);
    if (def.type !== 'counter') fail(`sli.${key}: "${def.name}" is a ${def.type}, not a counter`);
    checkLabels(`sli.${key}`, def, sel.matchers, by, fail);
    return sumRate(exportName(def.name, 'counter').sample, sel.matchers, by);
  });
  const [errors, total] = rates;
  return (range: string) => `${errors(range)} / ${total(range)}`;
}

function latencyRatio(sli: LatencySli, by: readonly string[], lookup: MetricLookup, fail: Fail) {
  const l = sli.latency as unknown as Record<string, unknown>;
  if (l === null || typeof l !== 'object')
    return fail('sli.latency must be { metric, thresholdMs }');
  for (const key of Object.keys(sli)) if (key !== 'latency') fail(`sli: unknown field "${key}"`);
  for (const key of Object.keys(l)) {
    if (!['metric', 'thresholdMs', 'match'].includes(key))
      fail(`sli.latency: unknown field "${key}"`);
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
    fail(
      `sli.latency.thresholdMs ${thresholdMs} is not a bucket bound of "${def.name}" ` +
        `(bounds in ms: ${ms.join(', ')}): the share above it cannot be read`,
    );
  }
  const n = exportName(def.name, 'histogram');
  const le = formatNumber(scale(bound!, n.mul, n.div));
  const count = sumRate(`${n.family}_count`, matchers, by);
  const fast = sumRate(
    `${n.family}_bucket`,
    [...matchers, { label: 'le', op: '=', value: `"${le}"` }],
    by,
  );
  // (all - fast) / all rather than 1 - fast / all: exact when all events are slow or none.
  return (range: string) => `(${count(range)} - ${fast(range)}) / ${count(range)}`;
}
