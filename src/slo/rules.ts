import { metrics, type MetricsRegistry } from '../core/metrics-registry';
import { DEFAULT_SLOS } from './default-slos';
import { formatDuration, parseDuration } from './duration';
import { errorRatio } from './promql';
import { catalogDefinition, validateSlo, type ValidSlo } from './validate';
import type { Slo } from './slo';
import { BURN_RATE_ALERTS, SLO_WINDOWS, type BurnRateAlert } from './windows';

export interface SloRulesOptions {
  /**
   * Multiplies every window, the period's included, for tests and demos: `1 / 60` turns 1h
   * into 1m and 30d into 12h. Rule names keep the unscaled window (`ratio_rate1h`), so queries
   * and dashboards read the same at any scale. Between 0 and 1; default 1.
   */
  windowScale?: number;
  /** Where SLI metrics are looked up before the catalog. Default: the process-wide `metrics`. */
  registry?: MetricsRegistry;
}

/** A Prometheus rule file, as `promtool check rules` and `rule_files` read it. */
export interface RuleFile {
  groups: RuleGroup[];
}

export interface RuleGroup {
  name: string;
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
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The alert every SLO raises, told apart by its `slo` and `severity` labels. */
export const SLO_ALERT_NAME = 'ErrorBudgetBurn';

const MIN_WINDOW_MS = 1000;

/**
 * Recording rules of each SLO's error ratio over every alert window and its period, and its
 * multi-window, multi-burn-rate alerts: one rule group per SLO, recordings first (a group
 * evaluates its rules in order, so the alerts read this evaluation's ratios). Throws an
 * `obsweave:` error, before anything is written, for an SLO that cannot work.
 */
export function sloRules(
  slos: readonly Slo[] = DEFAULT_SLOS,
  { windowScale = 1, registry = metrics }: SloRulesOptions = {},
): RuleFile {
  if (!Array.isArray(slos)) throw new TypeError('obsweave: sloRules takes an array of SLOs');
  if (typeof windowScale !== 'number' || !(windowScale > 0 && windowScale <= 1)) {
    throw new TypeError(
      `obsweave: windowScale must be a number in (0, 1], got ${JSON.stringify(windowScale)}`,
    );
  }
  const shortest = Math.round(parseDuration(SLO_WINDOWS[0])! * windowScale);
  if (shortest < MIN_WINDOW_MS) {
    throw new TypeError(
      `obsweave: windowScale ${windowScale} makes the ${SLO_WINDOWS[0]} window shorter than 1s`,
    );
  }
  const lookup = (name: string) => registry.definition(name) ?? catalogDefinition(name);
  const resolved = slos.map((slo, i) => validateSlo(slo, i, lookup));
  const seen = new Set<string>();
  for (const r of resolved) {
    if (seen.has(r.name)) throw new TypeError(`obsweave: SLO "${r.name}" is declared twice`);
    seen.add(r.name);
  }
  const range = (window: string) =>
    formatDuration(Math.round(parseDuration(window)! * windowScale));
  return { groups: resolved.map((r) => group(r, range)) };
}

function group(slo: ValidSlo, range: (window: string) => string): RuleGroup {
  const labels = { slo: slo.name, ...slo.labels };
  const windows = [...new Set([...SLO_WINDOWS, slo.period])];
  const rules: (RecordingRule | AlertingRule)[] = windows.map((w) => ({
    record: `slo:sli_error:ratio_rate${w}`,
    expr: errorRatio(slo, range(w)),
    labels,
  }));
  rules.push(
    { record: 'slo:objective:ratio', expr: `vector(${slo.objective})`, labels },
    {
      record: 'slo:period_error_budget_remaining:ratio',
      expr: `1 - ${ratio(slo, slo.period)} / ${slo.budget}`,
      labels,
    },
  );
  for (const severity of ['page', 'ticket'] as const) {
    const pairs = BURN_RATE_ALERTS.filter((a) => a.severity === severity);
    rules.push({
      alert: SLO_ALERT_NAME,
      expr: pairs
        .map((a) => `(${burning(slo, a.long, a.factor)} and ${burning(slo, a.short, a.factor)})`)
        .join(' or '),
      labels: { ...labels, severity },
      annotations: annotations(slo, severity, pairs),
    });
  }
  return { name: `obsweave-slo-${slo.name}`, rules };
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

function annotations(
  slo: ValidSlo,
  severity: BurnRateAlert['severity'],
  pairs: readonly BurnRateAlert[],
): Record<string, string> {
  const who =
    slo.by.length === 0
      ? slo.name
      : `${slo.name} (${slo.by.map((l) => `${l}={{ $labels.${l} }}`).join(', ')})`;
  const speed = severity === 'page' ? 'fast' : 'steadily';
  const windows = pairs.map((a) => `${a.factor}x over ${a.long} and ${a.short}`).join(', or ');
  const action =
    severity === 'page'
      ? 'At this rate the budget is gone within days: act now, find what changed (a deploy, a dependency) and mitigate.'
      : 'The budget will run out before the period ends: plan a fix in working hours.';
  // The remaining budget of the alert's own series (same `by` values), read when it fires.
  const matchers = [`slo=%q`, ...slo.by.map((l) => `${l}=%q`)].join(',');
  const args = [JSON.stringify(slo.name), ...slo.by.map((l) => `$labels.${l}`)].join(' ');
  const remaining =
    `{{ with printf "slo:period_error_budget_remaining:ratio{${matchers}}" ${args} | query }}` +
    '{{ . | first | value | humanizePercentage }}{{ else }}unknown{{ end }}';
  const out: Record<string, string> = {
    summary: `SLO ${who} burns its ${slo.period} error budget ${speed}: {{ printf "%.1f" $value }}x the sustainable rate`,
    description:
      `${slo.description === undefined ? '' : `${slo.description} `}` +
      `Fires when the burn rate is above ${windows}. ${action}`,
    objective: percent(slo.objective),
    error_budget_remaining: remaining,
  };
  if (slo.runbookUrl !== undefined) out.runbook_url = slo.runbookUrl;
  return out;
}
