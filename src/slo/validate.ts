import { DEFAULT_BUCKETS_MS } from '../core/buckets';
import { CATALOG, catalogEntry } from '../core/catalog';
import type { MetricDefinition } from '../core/types';
import { exportName } from '../core/export-name';
import { closest } from './did-you-mean';
import { parseDuration } from './duration';
import { parseMatchers, parseSelector, type Matcher } from './selector';
import { isLatencySli, type Slo } from './slo';
import { checkTemplate } from './template';
import { BURN_RATE_ALERTS, burnFactor, DEFAULT_PERIOD, SLO_WINDOWS } from './windows';

/** Finds how a metric is defined: in a registry first, then in the catalog. */
export type MetricLookup = (name: string) => MetricDefinition | undefined;

/** What SLOs are checked against. */
export interface ValidationContext {
  readonly lookup: MetricLookup;
  /** Names a misspelt metric may have meant, besides the catalog's. */
  readonly names?: () => Iterable<string>;
  /** The scope of an SLO that has none. */
  readonly scope: readonly string[];
}

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

export type Severity = 'page' | 'ticket';

/** An SLO checked against the metrics it reads: every field present and of its type. */
export interface ValidSlo {
  readonly name: string;
  readonly objective: number;
  /** `1 - objective`, rounded so that `0.999` gives `0.001`, not `0.0010000000000000009`. */
  readonly budget: number;
  readonly period: string;
  readonly periodMs: number;
  readonly by: readonly string[];
  readonly scope: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly severityLabels: Readonly<Record<Severity, Readonly<Record<string, string>>>>;
  readonly alertName: string;
  readonly runbookUrl?: string;
  readonly dashboardUrl?: string;
  readonly description?: string;
  readonly sli: ValidRatioSli | ValidLatencySli;
}

/** Every problem found in a list of SLOs, one line each; thrown before anything is written. */
export class SloConfigError extends TypeError {
  constructor(readonly problems: readonly string[]) {
    super(problems.map((p) => `obsweave: ${p}`).join('\n'));
    this.name = 'SloConfigError';
  }
}

/** The alert every SLO raises unless it names its own, told apart by `slo` and `severity`. */
export const SLO_ALERT_NAME = 'ErrorBudgetBurn';

type Fail = (why: string) => never;

/** One refused field; caught per part of an SLO, so that every part is checked. */
class Refused extends Error {}

const SLO_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const ALERT_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
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
  'scope',
  'labels',
  'severityLabels',
  'alertName',
  'runbookUrl',
  'dashboardUrl',
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

/** Checks every SLO; throws one `SloConfigError` listing every problem of every SLO. */
export function validateSlos(slos: readonly Slo[], ctx: ValidationContext): ValidSlo[] {
  const problems: string[] = [];
  const valid = slos.map((slo, i) => validateSlo(slo, i, ctx, problems));
  const seen = new Set<string>();
  for (const s of valid) {
    if (s === undefined) continue;
    if (seen.has(s.name)) problems.push(`SLO "${s.name}" is declared twice`);
    seen.add(s.name);
  }
  if (problems.length > 0) throw new SloConfigError(problems);
  return valid as ValidSlo[];
}

/** Checks one declared SLO, adding a line to `problems` per thing wrong with it. */
export function validateSlo(
  slo: Slo,
  index: number,
  ctx: ValidationContext,
  problems: string[],
): ValidSlo | undefined {
  if (slo === null || typeof slo !== 'object' || Array.isArray(slo)) {
    problems.push(`SLO #${index + 1} must be an object`);
    return undefined;
  }
  const who = typeof slo.name === 'string' && slo.name !== '' ? `"${slo.name}"` : `#${index + 1}`;
  const before = problems.length;
  const fail: Fail = (why) => {
    throw new Refused(why);
  };
  const part = <T>(check: () => T): T | undefined => {
    try {
      return check();
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
      problems.push(`SLO ${who}: ${e.message}`);
      return undefined;
    }
  };
  for (const key of Object.keys(slo)) {
    if (!FIELDS.has(key)) {
      const near = closest(key, FIELDS);
      problems.push(
        `SLO ${who}: unknown field "${key}"${near === undefined ? '' : ` (did you mean "${near}"?)`}`,
      );
    }
  }
  const name = part(() => {
    if (typeof slo.name !== 'string' || !SLO_NAME.test(slo.name)) {
      fail(`name must be letters, digits, "-", "_" or ".", got ${JSON.stringify(slo.name)}`);
    }
    return slo.name;
  });
  const objective = part(() => {
    const o = slo.objective;
    if (typeof o !== 'number' || !(o > 0 && o < 1)) {
      fail(`objective must be a number between 0 and 1 (0.999), got ${JSON.stringify(o)}`);
    }
    return o;
  });
  const period = slo.period ?? DEFAULT_PERIOD;
  const periodMs = part(() => {
    const ms = parseDuration(period);
    if (ms === undefined) {
      fail(
        `period must be a duration such as "30d" or "4w", at most 292y, got ${JSON.stringify(period)}`,
      );
    }
    if (ms < LONGEST_WINDOW_MS) {
      fail(`period ${period} is shorter than the longest alert window, ${LONGEST_WINDOW}`);
    }
    return ms;
  });
  const budget = objective === undefined ? undefined : Number((1 - objective).toPrecision(12));
  if (budget !== undefined && periodMs !== undefined)
    part(() => canPage(budget, period, periodMs, fail));
  const by = part(() => labelList('by', slo.by, [], fail)) ?? [];
  const scope = part(() => labelList('scope', slo.scope ?? ctx.scope, by, fail)) ?? [];
  const labels = part(() => labelMap('labels', slo.labels, [...by, ...scope], fail));
  const severityLabels = part(() => perSeverity(slo.severityLabels, [...by, ...scope], fail));
  const alertName = part(() => {
    const a = slo.alertName ?? SLO_ALERT_NAME;
    if (typeof a !== 'string' || !ALERT_NAME.test(a)) {
      fail(
        `alertName must be a metric-like name (letters, digits, "_", ":"), got ${JSON.stringify(a)}`,
      );
    }
    return a;
  });
  for (const key of ['runbookUrl', 'dashboardUrl', 'description'] as const) {
    part(() => text(key, slo[key], fail));
  }
  const sli = part(() => {
    const s = slo.sli as unknown;
    if (s === null || typeof s !== 'object') {
      fail('sli must be { errors, total } or { latency: { metric, thresholdMs } }');
    }
    return s as Slo['sli'];
  });
  const validSli =
    sli === undefined
      ? undefined
      : isLatencySli(sli)
        ? part(() => latencySli(sli.latency, sli, by, ctx, fail))
        : ratioSli(sli as unknown as Record<string, unknown>, by, ctx, part, fail);
  if (problems.length > before) return undefined;
  return {
    name: name!,
    objective: objective!,
    budget: budget!,
    period,
    periodMs: periodMs!,
    by,
    scope,
    labels: labels!,
    severityLabels: severityLabels!,
    alertName: alertName!,
    runbookUrl: slo.runbookUrl,
    dashboardUrl: slo.dashboardUrl,
    description: slo.description,
    sli: validSli!,
  };
}

/** Refuses an objective so low that a page would need more than every event to fail. */
function canPage(budget: number, period: string, periodMs: number, fail: Fail): void {
  for (const a of BURN_RATE_ALERTS) {
    if (a.severity !== 'page') continue;
    const factor = burnFactor(a, periodMs);
    if (factor * budget >= 1) {
      const lowest = Number(
        (1 - 1 / Math.max(...BURN_RATE_ALERTS.map((x) => burnFactor(x, periodMs)))).toPrecision(6),
      );
      fail(
        `objective ${Number((1 - budget).toPrecision(12))} can never page over ${period}: the ${a.long} page ` +
          `fires above ${factor}x the budget, an error ratio of ${Number((factor * budget * 100).toPrecision(6))}%; ` +
          `the objective must be above ${lowest}`,
      );
    }
  }
}

function text(key: string, value: unknown, fail: Fail): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value === '') fail(`${key} must be a non-empty string`);
  const why = checkTemplate(value);
  if (why !== undefined) fail(`${key}: not a template Prometheus reads: ${why}`);
}

function labelList(what: string, list: unknown, taken: readonly string[], fail: Fail): string[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) return fail(`${what} must be an array of label names`);
  const seen = new Set<string>();
  for (const l of list as unknown[]) {
    if (typeof l !== 'string' || !LABEL_NAME.test(l) || l.startsWith('__') || RESERVED.has(l)) {
      return fail(`${what}: ${JSON.stringify(l)} cannot be a label to group by`);
    }
    if (seen.has(l) || taken.includes(l)) fail(`${what}: "${l}" is listed twice`);
    seen.add(l);
  }
  return [...seen];
}

function labelMap(
  what: string,
  labels: unknown,
  grouped: readonly string[],
  fail: Fail,
  mayReplace: readonly string[] = [],
): Record<string, string> {
  if (labels === undefined) return {};
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    return fail(`${what} must be an object of label names to strings`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) {
    const reserved = RESERVED.has(k) && !mayReplace.includes(k);
    if (!LABEL_NAME.test(k) || k.startsWith('__') || reserved || grouped.includes(k)) {
      fail(`${what}: "${k}" cannot be set (reserved, invalid, or one of "by" and "scope")`);
    }
    if (typeof v !== 'string') fail(`${what}: "${k}" must be a string`);
    const why = checkTemplate(v);
    if (why !== undefined) fail(`${what}: "${k}" is not a template Prometheus reads: ${why}`);
    out[k] = v;
  }
  return out;
}

function perSeverity(
  value: unknown,
  grouped: readonly string[],
  fail: Fail,
): Record<Severity, Record<string, string>> {
  if (value === undefined) return { page: {}, ticket: {} };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail('severityLabels must be { page?: {...}, ticket?: {...} }');
  }
  for (const key of Object.keys(value)) {
    if (key !== 'page' && key !== 'ticket') fail(`severityLabels: unknown severity "${key}"`);
  }
  const v = value as Record<Severity, unknown>;
  return {
    page: labelMap('severityLabels.page', v.page, grouped, fail, ['severity']),
    ticket: labelMap('severityLabels.ticket', v.ticket, grouped, fail, ['severity']),
  };
}

function metric(name: string, ctx: ValidationContext, fail: Fail): MetricDefinition {
  const def = ctx.lookup(name);
  if (def !== undefined) return def;
  const exported = CATALOG.find((e) => {
    const n = exportName(e.name, e.type);
    return [n.family, n.sample, `${n.family}_bucket`, `${n.family}_count`].includes(name);
  });
  if (exported !== undefined) {
    fail(
      `metric "${name}" is not in the registry or the catalog (SLIs use obsweave's names: "${exported.name}")`,
    );
  }
  const near = closest(name, [...CATALOG.map((e) => e.name), ...(ctx.names?.() ?? [])]);
  return fail(
    `metric "${name}" is not in the registry or the catalog` +
      (near === undefined ? '' : ` (did you mean "${near}"?)`),
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
  sli: Record<string, unknown>,
  by: readonly string[],
  ctx: ValidationContext,
  part: <T>(check: () => T) => T | undefined,
  fail: Fail,
): ValidRatioSli | undefined {
  for (const key of Object.keys(sli)) {
    if (key !== 'errors' && key !== 'total') part(() => fail(`sli: unknown field "${key}"`));
  }
  const counters = (key: 'errors' | 'total') =>
    part((): CounterSelection => {
      const sel = parseSelector(sli[key]);
      if (typeof sel === 'string') return fail(`sli.${key}: ${sel}`);
      const def = metric(sel.metric, ctx, fail);
      if (def.type !== 'counter') fail(`sli.${key}: "${def.name}" is a ${def.type}, not a counter`);
      checkLabels(`sli.${key}`, def, sel.matchers, by, fail);
      return { def, matchers: sel.matchers };
    });
  const errors = counters('errors');
  const total = counters('total');
  return errors && total && { kind: 'ratio', errors, total };
}

function latencySli(
  latency: unknown,
  sli: object,
  by: readonly string[],
  ctx: ValidationContext,
  fail: Fail,
): ValidLatencySli {
  const l = latency as Record<string, unknown>;
  if (l === null || typeof l !== 'object')
    return fail('sli.latency must be { metric, thresholdMs }');
  for (const key of Object.keys(sli)) if (key !== 'latency') fail(`sli: unknown field "${key}"`);
  for (const key of Object.keys(l)) {
    if (!['metric', 'thresholdMs', 'match'].includes(key)) {
      fail(`sli.latency: unknown field "${key}"`);
    }
  }
  if (typeof l.metric !== 'string') return fail('sli.latency.metric must be a metric name');
  const def = metric(l.metric, ctx, fail);
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
