import { describeValue } from '../core/describe';
import { metrics, MetricsRegistry } from '../core/metrics-registry';
import { DEFAULT_SLOS } from './default-slos';
import { formatDuration, parseDuration } from './duration';
import type { MetricSource } from './scrape';
import { errorRatio, grouping, totalSeries } from './promql';
import type { Slo } from './slo';
import {
  catalogDefinition,
  validateSlos,
  type Severity,
  type ValidationContext,
  type ValidSlo,
} from './validate';
import {
  ABSENT_FOR,
  BURN_RATE_ALERTS,
  burnFactor,
  PERIOD_INTERVAL,
  SLO_WINDOWS,
  type BurnRateAlert,
} from './windows';

export interface SloRulesOptions {
  /**
   * Multiplies every window, the period's included, for tests and demos: `1 / 60` turns 1h
   * into 1m and 30d into 12h. Rule names keep the unscaled window (`ratio_rate1h`), so queries
   * and dashboards read the same at any scale. Between 0 and 1; default 1.
   */
  windowScale?: number;
  /**
   * Where SLI metrics are looked up before the catalog: a registry, or any source of
   * definitions (the CLI's reads a running app). Default: the process-wide `metrics`.
   */
  registry?: MetricsRegistry | MetricSource;
  /**
   * The scope of every SLO that sets none: the labels that tell services apart, so that an
   * alert says which one burns its budget. Default `['job']`; `[]` sums every target.
   */
  scope?: readonly string[];
}

/** A Prometheus rule file, as `promtool check rules` and `rule_files` read it. */
export interface RuleFile {
  groups: RuleGroup[];
}

export interface RuleGroup {
  name: string;
  /** How often the group is evaluated; Prometheus' global `evaluation_interval` when absent. */
  interval?: string;
  rules: (RecordingRule | AlertingRule)[];
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The alert an SLO raises when the series its SLI reads are gone. */
export const SLO_ABSENT_ALERT_NAME = 'SloDataAbsent';

const MIN_WINDOW_MS = 1000;

/**
 * Recording rules of each SLO's error ratio over every alert window and its period, and its
 * multi-window, multi-burn-rate alerts: one rule group per SLO, recordings first (a group
 * evaluates its rules in order, so the alerts read this evaluation's ratios), and a second
 * group, evaluated every 5 minutes, for the ratio over the whole period and the budget left.
 * Throws an `obsweave:` error listing every problem, before anything is written, when an SLO
 * cannot work.
 *
 * @example
 * ```ts
 * import { DEFAULT_SLOS, sloRules } from 'obsweave/slo';
 *
 * const file = sloRules([
 *   ...DEFAULT_SLOS,
 *   {
 *     name: 'checkout',
 *     objective: 0.995,
 *     sli: { latency: { metric: 'http.request_latency_ms', thresholdMs: 500 } },
 *   },
 * ]);
 * console.log(file.groups.map((g) => g.name)); // ['obsweave-slo-http-availability', ...]
 * ```
 */
export function sloRules(
  slos: readonly Slo[] = DEFAULT_SLOS,
  opts: SloRulesOptions = {},
): RuleFile {
  return resolveRules(slos, opts).file;
}

/** The checked SLOs and their rule file. */
export function resolveRules(
  slos: readonly Slo[],
  { windowScale = 1, registry = metrics, scope = ['job'] }: SloRulesOptions,
): { valid: ValidSlo[]; file: RuleFile } {
  if (!Array.isArray(slos)) throw new TypeError('obsweave: sloRules takes an array of SLOs');
  if (typeof windowScale !== 'number' || !(windowScale > 0 && windowScale <= 1)) {
    throw new TypeError(
      `obsweave: windowScale must be a number in (0, 1], got ${describeValue(windowScale)}`,
    );
  }
  const shortest = Math.round(parseDuration(SLO_WINDOWS[0])! * windowScale);
  if (shortest < MIN_WINDOW_MS) {
    throw new TypeError(
      `obsweave: windowScale ${windowScale} makes the ${SLO_WINDOWS[0]} window shorter than 1s`,
    );
  }
  const ctx: ValidationContext = {
    lookup: (name) => registry.definition(name) ?? catalogDefinition(name),
    names: () => {
      if (!(registry instanceof MetricsRegistry)) return registry.names?.() ?? [];
      const snap = registry.snapshot();
      return [snap.counters, snap.histograms].flatMap((m) =>
        Object.keys(m).map((k) => k.split('|')[0]),
      );
    },
    scope,
  };
  const valid = validateSlos(slos, ctx);
  const range = (window: string) =>
    formatDuration(Math.max(MIN_WINDOW_MS, Math.round(parseDuration(window)! * windowScale)));
  return { valid, file: { groups: valid.flatMap((slo) => groups(slo, range)) } };
}

function groups(slo: ValidSlo, range: (window: string) => string): RuleGroup[] {
  const labels = { slo: slo.name, ...slo.labels };
  const rules: (RecordingRule | AlertingRule)[] = SLO_WINDOWS.map((w) => ({
    record: `slo:sli_error:ratio_rate${w}`,
    expr: errorRatio(slo, range(w)),
    labels,
  }));
  for (const severity of ['page', 'ticket'] as const) {
    const pairs = BURN_RATE_ALERTS.filter((a) => a.severity === severity);
    rules.push({
      alert: slo.alertName,
      expr: pairs
        .map((a) => {
          const factor = burnFactor(a, slo.periodMs);
          return `(${burning(slo, a.long, factor)} and ${burning(slo, a.short, factor)})`;
        })
        .join(' or '),
      labels: alertLabels(slo, severity),
      annotations: annotations(slo, severity, pairs),
    });
  }
  rules.push(absentAlert(slo));
  const period: RuleGroup = {
    name: `obsweave-slo-${slo.name}-period`,
    interval: range(PERIOD_INTERVAL),
    rules: [
      // A rate over the whole period: weighted by events, where an average of ratios is not.
      // A period of 3d is already recorded with the windows.
      ...(SLO_WINDOWS.includes(slo.period)
        ? []
        : [
            {
              record: `slo:sli_error:ratio_rate${slo.period}`,
              expr: errorRatio(slo, range(slo.period)),
              labels,
            },
          ]),
      { record: 'slo:objective:ratio', expr: `vector(${slo.objective})`, labels },
      {
        record: 'slo:period_error_budget_remaining:ratio',
        expr: `1 - ${ratio(slo, slo.period)} / ${slo.budget}`,
        labels,
      },
    ],
  };
  return [{ name: `obsweave-slo-${slo.name}`, rules }, period];
}

function alertLabels(slo: ValidSlo, severity: Severity): Record<string, string> {
  return { slo: slo.name, ...slo.labels, severity, ...slo.severityLabels[severity] };
}

function ratio(slo: ValidSlo, window: string): string {
  return `slo:sli_error:ratio_rate${window}{slo="${slo.name}"}`;
}

/** The burn rate over `window` where it is above `factor`: the alert's value is a burn rate. */
function burning(slo: ValidSlo, window: string, factor: number): string {
  return `${ratio(slo, window)} / ${slo.budget} > ${factor}`;
}

function percent(v: number): string {
  return `${Number((v * 100).toPrecision(10))}%`;
}

/** `name (job={{ $labels.job }}, service={{ $labels.service }})`: which series burns. */
function who(slo: ValidSlo): string {
  const by = grouping(slo);
  return by.length === 0
    ? slo.name
    : `${slo.name} (${by.map((l) => `${l}={{ $labels.${l} }}`).join(', ')})`;
}

function links(slo: ValidSlo): Record<string, string> {
  const out: Record<string, string> = {};
  if (slo.runbookUrl !== undefined) out.runbook_url = slo.runbookUrl;
  if (slo.dashboardUrl !== undefined) out.dashboard_url = slo.dashboardUrl;
  return out;
}

function annotations(
  slo: ValidSlo,
  severity: Severity,
  pairs: readonly BurnRateAlert[],
): Record<string, string> {
  const speed = severity === 'page' ? 'fast' : 'steadily';
  const windows = pairs
    .map((a) => `${burnFactor(a, slo.periodMs)}x over ${a.long} and ${a.short}`)
    .join(', or ');
  const action =
    severity === 'page'
      ? 'At this rate the budget is gone within days: act now, find what changed (a deploy, a dependency) and mitigate.'
      : 'The budget will run out before the period ends: plan a fix in working hours.';
  // The remaining budget of the alert's own series (same scope and `by` values), read when it fires.
  const by = grouping(slo);
  const matchers = [`slo=%q`, ...by.map((l) => `${l}=%q`)].join(',');
  const args = [JSON.stringify(slo.name), ...by.map((l) => `$labels.${l}`)].join(' ');
  const remaining =
    `{{ with printf "slo:period_error_budget_remaining:ratio{${matchers}}" ${args} | query }}` +
    '{{ . | first | value | humanizePercentage }}{{ else }}unknown{{ end }}';
  return {
    summary: `SLO ${who(slo)} burns its ${slo.period} error budget ${speed}: {{ printf "%.1f" $value }}x the sustainable rate`,
    description:
      `${slo.description === undefined ? '' : `${slo.description} `}` +
      `Fires when the burn rate is above ${windows}. ${action}`,
    objective: percent(slo.objective),
    error_budget_remaining: remaining,
    ...links(slo),
  };
}

/** Fires when no series of the SLI's total is left: its burn-rate alerts could not fire. */
function absentAlert(slo: ValidSlo): AlertingRule {
  const series = totalSeries(slo);
  return {
    alert: SLO_ABSENT_ALERT_NAME,
    expr: `absent(${series})`,
    // Not scaled: at a demo's scale a slow first scrape would pass for an absence.
    for: ABSENT_FOR,
    labels: alertLabels(slo, 'ticket'),
    annotations: {
      summary: `SLO ${slo.name} has no data: no series of ${series}`,
      description:
        `The error budget of ${slo.name} cannot be read, so its burn-rate alerts cannot fire. ` +
        'Check that the target is scraped (up), and that the metric and its labels have not been renamed.',
      ...links(slo),
    },
  };
}
