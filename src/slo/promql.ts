import { exportName } from '../core/export-name';
import { formatNumber, scale } from '../export/text';
import { formatMatchers, type Matcher } from './selector';
import type { CounterSelection, ValidSlo } from './validate';

/** The labels an SLO's ratios and alerts are per: its scope, then its `by` labels. */
export function grouping(slo: ValidSlo): readonly string[] {
  return [...slo.scope, ...slo.by];
}

function selector(series: string, matchers: readonly Matcher[]): string {
  return matchers.length === 0 ? series : `${series}{${formatMatchers(matchers)}}`;
}

function sumRate(sel: string, by: readonly string[], range: string): string {
  const sum = by.length === 0 ? 'sum' : `sum by (${by.join(', ')}) `;
  return `${sum}(rate(${sel}[${range}]))`;
}

const counters = (s: CounterSelection) =>
  selector(exportName(s.def.name, 'counter').sample, s.matchers);

/**
 * `v` as Prometheus 3 stores an `le` it scrapes from the text format: Go's shortest `%g`, with
 * `.0` when that has neither a point nor an exponent (`1` is `1.0`, `1000000` is `1e+06`).
 */
export function prometheus3Float(v: number): string {
  if (!Number.isFinite(v)) return formatNumber(v);
  const [mantissa, e] = v.toExponential().split('e');
  const exp = Number(e);
  if (exp < -4 || exp >= 6) {
    return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** The `le` matcher of `bound`, in both spellings when Prometheus 2 and 3 write it apart. */
function leMatcher(bound: number): Matcher {
  const spellings = [...new Set([formatNumber(bound), prometheus3Float(bound)])];
  if (spellings.length === 1) return { label: 'le', op: '=', value: `"${spellings[0]}"` };
  // A regex in a PromQL string: `\\.` is the regex's `\.`.
  const alternatives = spellings.map((s) => s.replace(/[.+]/g, (c) => `\\\\${c}`));
  return { label: 'le', op: '=~', value: `"${alternatives.join('|')}"` };
}

/**
 * The PromQL error ratio of `slo` over `range`, one series per value of its scope and `by`
 * labels. Errors not counted yet (no series) are 0 where the total has traffic; with no
 * traffic in the window the ratio is 0/0, NaN, and no comparison with it is true.
 */
export function errorRatio(slo: ValidSlo, range: string): string {
  const { sli } = slo;
  const by = grouping(slo);
  if (sli.kind === 'ratio') {
    const total = sumRate(counters(sli.total), by, range);
    return `(${sumRate(counters(sli.errors), by, range)} or 0 * ${total}) / ${total}`;
  }
  const n = exportName(sli.def.name, 'histogram');
  const count = sumRate(selector(`${n.family}_count`, sli.matchers), by, range);
  const le = leMatcher(scale(sli.bound, n.mul, n.div));
  const fast = sumRate(selector(`${n.family}_bucket`, [...sli.matchers, le]), by, range);
  // (all - fast) / all rather than 1 - fast / all: exact when all events are slow or none. A
  // bucket missing where the count is not (a bound the app does not have) reads as all slow:
  // loud, where a missing ratio would keep every alert quiet.
  return `(${count} - (${fast} or 0 * ${count})) / ${count}`;
}

/** The series whose absence means the SLI cannot be read: its total, or its count. */
export function totalSeries(slo: ValidSlo): string {
  const { sli } = slo;
  if (sli.kind === 'ratio') return counters(sli.total);
  return selector(`${exportName(sli.def.name, 'histogram').family}_count`, sli.matchers);
}
