import type * as Yaml from 'yaml';
import { DEFAULT_SLOS } from './default-slos';
import { resolveRules, type AlertingRule, type RuleFile, type SloRulesOptions } from './rules';
import { parseDuration } from './duration';
import { totalSeries } from './promql';
import { accepts, seriesText, sliSeries, testGroups, type TestSeries } from './series';
import { parseSelector } from './selector';
import type { Slo } from './slo';
import type { Severity, ValidSlo } from './validate';
import { ABSENT_FOR, BURN_RATE_ALERTS, burnFactor } from './windows';
import { describeValue } from '../core/describe';

export interface SloTestsOptions extends Omit<SloRulesOptions, 'windowScale'> {
  /** The rule file the tests load, as `promtool test rules` finds it. Default `slo-rules.yml`. */
  rulesFile?: string;
}

/** Samples and evaluations every 2 minutes: the 5m window holds more than two samples. */
const STEP_MIN = 2;
const EVENTS_PER_STEP = 1000;

interface Phase {
  minutes: number;
  /** Bad events over the budget: 1 spends it exactly over the period. */
  burn: number;
  /** No events at all: the counters stay where they are. */
  idle?: boolean;
}

interface Check {
  at: number;
  firing: Severity[];
  /** The value the alerts show (a burn rate), and the burn over the period so far. */
  burn?: number;
  periodBurn?: number;
}

interface Scenario {
  name: string;
  phases: Phase[];
  checks: Check[];
}

/** Go's `%.<p>g`, as Prometheus' `humanizePercentage` (`%.4g`) formats. */
function goG(v: number, p: number): string {
  const [mantissa, e] = v.toExponential(p - 1).split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= p) {
    const m = mantissa.includes('.') ? mantissa.replace(/\.?0+$/, '') : mantissa;
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(Number(v.toPrecision(p)));
}

function values(s: TestSeries, phases: readonly Phase[], budget: number): string {
  const out: number[] = [0];
  let v = 0;
  for (const { minutes, burn, idle } of phases) {
    const events = idle === true ? 0 : EVENTS_PER_STEP;
    const bad = events * Math.min(1, burn * budget);
    for (let i = 0; i < minutes / STEP_MIN; i++) {
      out.push((v += s.perGood * (events - bad) + s.perBad * bad));
    }
  }
  return out.map((x) => Number(x.toPrecision(12))).join(' ');
}

/** Expands the templates obsweave writes and `{{ $labels.x }}`; refuses any other. */
function render(
  slo: string,
  template: string,
  labels: Readonly<Record<string, string>>,
  c: Partial<Check>,
): string {
  const out = template
    .replace(
      /^\{\{ with printf .*\{\{ end \}\}$/s,
      () => `${goG((1 - (c.periodBurn ?? 0)) * 100, 4)}%`,
    )
    .replace('{{ printf "%.1f" $value }}', () => (c.burn ?? 0).toFixed(1))
    .replace(/\{\{-?\s*\$labels\.(\w+)\s*-?\}\}/g, (_, l: string) => labels[l] ?? '');
  if (out.includes('{{')) {
    throw new TypeError(
      `obsweave: sloTests: SLO "${slo}": cannot foresee what ${describeValue(template)} expands to (only {{ $labels.name }} is); write its test by hand`,
    );
  }
  return out;
}

function renderAll(
  slo: string,
  map: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
  c: Partial<Check>,
): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, render(slo, v, labels, c)]));
}

/** Labels an `absent(selector)` result carries: its equality matchers. */
function absentLabels(selector: string): Record<string, string> {
  const sel = parseSelector(selector);
  if (typeof sel === 'string') return {};
  return Object.fromEntries(
    sel.matchers.filter((m) => m.op === '=').map((m) => [m.label, JSON.parse(m.value) as string]),
  );
}

function absentAlert(slo: ValidSlo, rule: AlertingRule) {
  const labels = absentLabels(totalSeries(slo));
  return {
    exp_labels: { ...labels, ...renderAll(slo.name, rule.labels, labels, {}) },
    exp_annotations: renderAll(slo.name, rule.annotations, labels, {}),
  };
}

/** Whether any of `series` is one the selector `selector` reads. */
function feeds(selector: string, series: readonly TestSeries[]): boolean {
  const sel = parseSelector(selector);
  if (typeof sel === 'string') return false;
  return series.some(
    (s) => s.name === sel.metric && sel.matchers.every((m) => accepts(m, s.labels[m.label] ?? '')),
  );
}

function scenarios(slo: ValidSlo): Scenario[] {
  const factor = (severity: Severity, long: string) =>
    burnFactor(
      BURN_RATE_ALERTS.find((a) => a.severity === severity && a.long === long)!,
      slo.periodMs,
    );
  const page = Math.max(factor('page', '1h'), factor('page', '6h'));
  // Above every factor, yet no more errors than events (validation keeps page * budget < 1).
  const fast = Number(Math.min(page * 1.4, (page + 1 / slo.budget) / 2).toPrecision(3));
  const slowest = factor('ticket', '3d');
  // Twice the 3d ticket's factor: under the 1d ticket's (3x it) and every page's.
  const slow = Number((2 * slowest).toPrecision(3));
  const quiet = slowest >= 1 ? 1 : Number((slowest * 0.9).toPrecision(3));
  const absentAt =
    Math.ceil(parseDuration(ABSENT_FOR)! / 60_000 / STEP_MIN) * STEP_MIN + 2 * STEP_MIN;
  return [
    {
      name: `fast burn (${fast}x): page, then it resolves`,
      phases: [
        { minutes: 60, burn: fast },
        // Then no traffic: the ratio over the period holds still between its evaluations, 5
        // minutes apart, so the budget left that the ticket shows is known.
        { minutes: 370, burn: 0, idle: true },
      ],
      checks: [
        { at: 60, firing: ['page', 'ticket'], burn: fast, periodBurn: fast },
        // The page has resolved; the ticket's 1d window holds the whole burn.
        { at: 100, firing: ['ticket'], burn: fast, periodBurn: fast },
        { at: 430, firing: [] },
      ],
    },
    {
      name: `slow burn (${slow}x): ticket only, then it resolves`,
      phases: [
        { minutes: 180, burn: slow },
        // Traffic goes on without errors: the 6h window forgets the burn by 400m.
        { minutes: 220, burn: 0 },
      ],
      checks: [
        { at: 180, firing: ['ticket'], burn: slow, periodBurn: slow },
        { at: 400, firing: [] },
      ],
    },
    {
      name:
        quiet === 1
          ? 'at the objective (1x): nothing fires'
          : `below the slowest ticket's factor (${quiet}x): nothing fires`,
      phases: [{ minutes: 120, burn: quiet }],
      checks: [10, 60, 120].map((at) => ({ at, firing: [] })),
    },
    {
      name: 'no traffic: nothing fires',
      phases: [{ minutes: 30, burn: 0, idle: true }],
      checks: [10, absentAt, 30].map((at) => ({ at, firing: [] })),
    },
    { name: 'no data: the absent alert fires', phases: [], checks: [{ at: absentAt, firing: [] }] },
  ];
}

/**
 * The tests of one SLO: for each scenario, its input series and the alerts expected when.
 * Every SLO of `all` is loaded with it; those whose series are absent raise their absent alert.
 */
function sloCases(slo: ValidSlo, all: readonly ValidSlo[], file: RuleFile) {
  const rules = (s: ValidSlo) =>
    file.groups
      .find((g) => g.name === `obsweave-slo-${s.name}`)!
      .rules.filter((r): r is AlertingRule => 'alert' in r);
  const [pageRule, ticketRule, absentRule] = rules(slo);
  const [burning, calm] = testGroups(slo);
  const hot = sliSeries(slo, burning);
  const cold = calm === undefined ? [] : sliSeries(slo, calm);
  const seriesLabels = { slo: slo.name, ...slo.labels, ...burning };
  return scenarios(slo).map((s) => {
    const absent = s.phases.length === 0;
    const minutes = s.phases.reduce((n, p) => n + p.minutes, 0);
    const inputs = absent
      ? [{ series: 'obsweave_test_unrelated', values: '1+0x60' }]
      : [
          ...hot.map((x) => ({
            series: seriesText(x.name, x.labels),
            values: values(x, s.phases, slo.budget),
          })),
          ...cold.map((x) => ({
            series: seriesText(x.name, x.labels),
            values: values(x, [{ minutes, burn: 0, idle: s.phases[0].idle }], slo.budget),
          })),
        ];
    const fed = absent ? [] : [...hot, ...cold];
    const tests = s.checks.map((c) => ({
      eval_time: `${c.at}m`,
      alertname: pageRule.alert,
      exp_alerts: c.firing.map((severity) => {
        const rule = severity === 'page' ? pageRule : ticketRule;
        return {
          exp_labels: { ...burning, ...renderAll(slo.name, rule.labels, seriesLabels, c) },
          exp_annotations: renderAll(slo.name, rule.annotations, seriesLabels, c),
        };
      }),
    }));
    if (absent || s.name.startsWith('no traffic')) {
      // Each SLO whose total no input series feeds says its data is absent.
      const at = s.checks[s.checks.length - 1 - (absent ? 0 : 1)].at;
      tests.push({
        eval_time: `${at}m`,
        alertname: absentRule.alert,
        exp_alerts: all
          .filter((o) => !feeds(totalSeries(o), fed))
          .map((o) => absentAlert(o, rules(o)[2])),
      });
    }
    return {
      name: `${slo.name}: ${s.name}`,
      interval: `${STEP_MIN}m`,
      input_series: inputs,
      alert_rule_test: tests,
    };
  });
}

let yaml: typeof Yaml | undefined;

/**
 * Unit tests of the rules `sloRules(slos)` writes, as a file `promtool test rules` runs: for
 * each SLO, a fast burn pages (and resolves), a slow burn only tickets, a burn at the objective
 * and no traffic fire nothing, and when its series are absent its absent alert fires. The input
 * series are made up from the SLIs' selectors; SLOs that read the same series are best tested
 * one at a time. Throws an `obsweave:` error where an SLO cannot be tested this way (a template
 * beyond `{{ $labels.name }}`, matchers no simple value passes).
 *
 * @example
 * ```ts
 * import { writeFileSync } from 'node:fs';
 * import { DEFAULT_SLOS, sloRulesYaml, sloTests } from 'obsweave/slo';
 *
 * writeFileSync('slo-rules.yml', sloRulesYaml(DEFAULT_SLOS));
 * writeFileSync('slo-tests.yml', sloTests(DEFAULT_SLOS, { rulesFile: 'slo-rules.yml' }));
 * // then: promtool test rules slo-tests.yml
 * ```
 */
export function sloTests(slos: readonly Slo[] = DEFAULT_SLOS, opts: SloTestsOptions = {}): string {
  const { rulesFile = 'slo-rules.yml', ...rest } = opts;
  const { valid, file } = resolveRules(slos, rest);
  const tests = valid.flatMap((slo) => sloCases(slo, valid, file));
  yaml ??= require('yaml') as typeof Yaml;
  const doc = new yaml.Document(
    { rule_files: [rulesFile], evaluation_interval: `${STEP_MIN}m`, tests },
    { aliasDuplicateObjects: false },
  );
  doc.commentBefore =
    ' Generated by obsweave (sloTests): run with `promtool test rules <this file>`.';
  return doc.toString({ lineWidth: 0 });
}
