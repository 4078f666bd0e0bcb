import { stringify } from 'yaml';
import type { AlertingRule, RuleFile, Slo } from '../../src/slo';

/**
 * `promtool test rules` files generated from SLOs. A fixture says which input series an SLO
 * reads and how each grows with good and bad events; the scenarios then run the SLO at a
 * chosen burn rate (bad share / error budget) and say which alerts must be firing when.
 */

/** Per series, its increase per good event and per bad event. */
export type Increments = Record<string, [perGood: number, perBad: number]>;

export interface Fixture {
  slo: Slo;
  /** The series of one value of the SLO's `by` labels (`{}` without `by`). */
  series(by: Record<string, string>): Increments;
  /** Two values of the `by` labels: the first burns, the second stays clean. */
  by?: [Record<string, string>, Record<string, string>];
}

const EVENTS_PER_STEP = 1000;
/**
 * Samples and evaluations every 2 minutes: the 5m window still holds more than two samples,
 * and the scenarios (hours, for the 6h window to forget) run in well under a second.
 */
const STEP_MIN = 2;

interface Phase {
  minutes: number;
  burn: number;
}

interface Check {
  at: number;
  firing: ('page' | 'ticket')[];
  /** Burn rate the alerts show (their value), and the error ratio over the period so far. */
  burn?: number;
  periodBurn?: number;
}

interface Scenario {
  name: string;
  phases: Phase[];
  checks: Check[];
}

/** Go's `%.4g`, as `humanizePercentage` formats, for the values these scenarios reach. */
const g4 = (v: number) => String(Number(v.toPrecision(4)));

function values(inc: [number, number], phases: Phase[], budget: number): string {
  const out: number[] = [0];
  let v = 0;
  for (const { minutes, burn } of phases) {
    const bad = EVENTS_PER_STEP * Math.min(1, burn * budget);
    const good = EVENTS_PER_STEP - bad;
    for (let i = 0; i < minutes / STEP_MIN; i++) out.push((v += inc[0] * good + inc[1] * bad));
  }
  return out.map((x) => Number(x.toPrecision(12))).join(' ');
}

function render(template: string, labels: Record<string, string>, c: Check): string {
  return template
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l: string) => labels[l])
    .replace('{{ printf "%.1f" $value }}', (c.burn ?? 0).toFixed(1))
    .replace(/^\{\{ with printf .*\{\{ end \}\}$/s, `${g4((1 - (c.periodBurn ?? 0)) * 100)}%`);
}

/**
 * A promtool test file for `fixture`'s SLO over the rules in `rulesPath` (the SLO's group of
 * `rules`: another SLO's groups only cost time).
 */
export function ruleTests(fixture: Fixture, rules: RuleFile, rulesPath: string): string {
  const { slo } = fixture;
  const budget = Number((1 - slo.objective).toPrecision(12));
  // The fastest burn the objective allows: 0.9 cannot burn 14.4x, its page fires on 6x.
  const fast = Math.min(20, 1 / budget);
  const scenarios: Scenario[] = [
    {
      name: `fast burn ${fast}x: page, then it resolves`,
      phases: [
        { minutes: 60, burn: fast },
        { minutes: 370, burn: 0 },
      ],
      checks: [
        { at: 60, firing: ['page', 'ticket'], burn: fast, periodBurn: fast },
        { at: 100, firing: ['ticket'], burn: fast * 0.6, periodBurn: (fast * 60) / 100 },
        { at: 430, firing: [] },
      ],
    },
    {
      name: 'slow burn 2x: ticket only, then it resolves',
      phases: [
        { minutes: 180, burn: 2 },
        { minutes: 220, burn: 0 },
      ],
      checks: [
        { at: 180, firing: ['ticket'], burn: 2, periodBurn: 2 },
        { at: 400, firing: [] },
      ],
    },
    {
      name: 'at the objective (1x): nothing',
      phases: [{ minutes: 240, burn: 1 }],
      checks: [10, 60, 240].map((at) => ({ at, firing: [] })),
    },
    {
      name: 'below the objective (0.5x): nothing',
      phases: [{ minutes: 120, burn: 0.5 }],
      checks: [10, 120].map((at) => ({ at, firing: [] })),
    },
  ];
  const group = rules.groups.find((g) => g.name === `obsweave-slo-${slo.name}`)!;
  const alert = (severity: string) =>
    group.rules.find((r): r is AlertingRule => 'alert' in r && r.labels.severity === severity)!;
  const [burning, quiet] = fixture.by ?? [{}, undefined];

  const tests = scenarios.map((s) => {
    const input_series = Object.entries(fixture.series(burning)).map(([series, inc]) => ({
      series,
      values: values(inc, s.phases, budget),
    }));
    if (quiet !== undefined) {
      for (const [series, inc] of Object.entries(fixture.series(quiet))) {
        input_series.push({ series, values: values(inc, [{ minutes: 430, burn: 0 }], budget) });
      }
    }
    return {
      name: `${slo.name}: ${s.name}`,
      interval: `${STEP_MIN}m`,
      input_series,
      alert_rule_test: s.checks.map((c) => ({
        eval_time: `${c.at}m`,
        alertname: alert('page').alert,
        exp_alerts: c.firing.map((severity) => {
          const rule = alert(severity);
          const labels = { ...rule.labels, ...burning };
          // Where the page resolved, the ticket shows its 1d window: the burn since the start.
          const check = severity === 'ticket' && c.at === 100 ? { ...c, burn: c.periodBurn } : c;
          return {
            exp_labels: labels,
            exp_annotations: Object.fromEntries(
              Object.entries(rule.annotations).map(([k, v]) => [k, render(v, labels, check)]),
            ),
          };
        }),
      })),
    };
  });
  return stringify(
    { rule_files: [rulesPath], evaluation_interval: `${STEP_MIN}m`, tests },
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
}
