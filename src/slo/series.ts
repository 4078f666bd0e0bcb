import { exportName } from '../core/export-name';
import { formatNumber, scale } from '../export/text';
import { matcherValue, type Matcher } from './selector';
import type { ValidSlo } from './validate';

/** A series of a promtool test: its name and labels, and how it grows per good and bad event. */
export interface TestSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly perGood: number;
  readonly perBad: number;
}

function regex(pattern: string): RegExp {
  const flags = /^\(\?([imsU]+)\)/.exec(pattern);
  const body = flags === null ? pattern : pattern.slice(flags[0].length);
  return new RegExp(`^(?:${body})$`, `u${flags?.[1].includes('i') ? 'i' : ''}`);
}

/** Whether a label's value `v` passes matcher `m`. */
export function accepts(m: Matcher, v: string): boolean {
  const want = matcherValue(m);
  switch (m.op) {
    case '=':
      return v === want;
    case '!=':
      return v !== want;
    case '=~':
      return regex(want).test(v);
    case '!~':
      return !regex(want).test(v);
  }
}

/** Values worth trying for a label: those its matchers name, then plain words. */
function candidates(matchers: readonly Matcher[]): string[] {
  const out: string[] = [];
  for (const m of matchers) {
    const v = matcherValue(m);
    if (m.op === '=' || m.op === '!=') out.push(v);
    if (m.op === '=~' || m.op === '!~') {
      out.push(...v.split('|').filter((a) => /^[\w\-./: ]+$/.test(a)));
    }
    out.push(`not-${v.replace(/\W/g, '')}`);
  }
  return [...out, 'a', 'b', 'test', 'other', 'x1', 'x2'];
}

/**
 * Label values that pass every matcher in `pass` and fail `fail` (when given), with `fixed`
 * taken as they are; `undefined` when none of the tried values fits.
 */
function solve(
  pass: readonly Matcher[],
  fixed: Readonly<Record<string, string>>,
  fail?: Matcher,
): Record<string, string> | undefined {
  const out: Record<string, string> = { ...fixed };
  const labels = new Set([...pass.map((m) => m.label), ...(fail ? [fail.label] : [])]);
  for (const label of labels) {
    const on = pass.filter((m) => m.label === label);
    const ok = (v: string) =>
      on.every((m) => accepts(m, v)) && (fail?.label !== label || !accepts(fail, v));
    if (label in fixed) {
      if (!ok(fixed[label])) return undefined;
      continue;
    }
    const v = candidates([...on, ...(fail?.label === label ? [fail] : [])]).find(ok);
    if (v === undefined) return undefined;
    out[label] = v;
  }
  return out;
}

/** `name{a="x",b="y"}` as promtool reads an input series. */
export function seriesText(name: string, labels: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

/**
 * Series that feed the SLI of `slo` for one value of its scope and `by` labels (`group`), or
 * why they cannot be made: a good event counts in the total only, a bad one in both.
 */
export function sliSeries(slo: ValidSlo, group: Readonly<Record<string, string>>): TestSeries[] {
  const { sli } = slo;
  const cannot = (what: string) =>
    new TypeError(
      `obsweave: sloTests: SLO "${slo.name}": no label values found for ${what}; write its test by hand`,
    );
  if (sli.kind === 'latency') {
    const n = exportName(sli.def.name, 'histogram');
    const labels = solve(sli.matchers, group);
    if (labels === undefined) throw cannot('the latency match');
    const le = formatNumber(scale(sli.bound, n.mul, n.div));
    return [
      { name: `${n.family}_bucket`, labels: { ...labels, le }, perGood: 1, perBad: 0 },
      { name: `${n.family}_count`, labels, perGood: 1, perBad: 1 },
    ];
  }
  const errorsName = exportName(sli.errors.def.name, 'counter').sample;
  const totalName = exportName(sli.total.def.name, 'counter').sample;
  if (errorsName !== totalName) {
    const bad = solve(sli.errors.matchers, group);
    const all = solve(sli.total.matchers, group);
    if (bad === undefined || all === undefined) throw cannot('the errors or the total');
    return [
      { name: errorsName, labels: bad, perGood: 0, perBad: 1 },
      { name: totalName, labels: all, perGood: 1, perBad: 1 },
    ];
  }
  const bad = solve([...sli.errors.matchers, ...sli.total.matchers], group);
  const good = sli.errors.matchers
    .map((m) =>
      solve([...sli.errors.matchers.filter((x) => x !== m), ...sli.total.matchers], group, m),
    )
    .find((l) => l !== undefined);
  if (bad === undefined || good === undefined) throw cannot('a good and a bad series');
  return [
    { name: totalName, labels: good, perGood: 1, perBad: 0 },
    { name: errorsName, labels: bad, perGood: 0, perBad: 1 },
  ];
}

/** Values of the scope and `by` labels: the first group burns, the second (if any) does not. */
export function testGroups(slo: ValidSlo): Record<string, string>[] {
  const scope = Object.fromEntries(slo.scope.map((l) => [l, 'obsweave-test']));
  if (slo.by.length === 0) return [scope];
  const one = (v: string) => ({ ...scope, ...Object.fromEntries(slo.by.map((l) => [l, v])) });
  return [one('a'), one('b')];
}
