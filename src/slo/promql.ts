import { exportName } from '../core/export-name';
import { formatNumber, scale } from '../export/text';
import { formatMatchers, type Matcher } from './selector';
import type { ValidSlo } from './validate';

/** `sum by (...) (rate(series{matchers}[range]))`, by nothing when `by` is empty. */
function sumRate(series: string, matchers: readonly Matcher[], by: readonly string[]) {
  const sel = matchers.length === 0 ? series : `${series}{${formatMatchers(matchers)}}`;
  const sum = by.length === 0 ? 'sum' : `sum by (${by.join(', ')}) `;
  return (range: string) => `${sum}(rate(${sel}[${range}]))`;
}

/** The PromQL error ratio of `slo` over `range`, one series per value of its `by` labels. */
export function errorRatio(slo: ValidSlo, range: string): string {
  const { sli, by } = slo;
  if (sli.kind === 'ratio') {
    const rate = (s: typeof sli.errors) =>
      sumRate(exportName(s.def.name, 'counter').sample, s.matchers, by)(range);
    return `${rate(sli.errors)} / ${rate(sli.total)}`;
  }
  const n = exportName(sli.def.name, 'histogram');
  const le = formatNumber(scale(sli.bound, n.mul, n.div));
  const count = sumRate(`${n.family}_count`, sli.matchers, by)(range);
  const fast = sumRate(
    `${n.family}_bucket`,
    [...sli.matchers, { label: 'le', op: '=', value: `"${le}"` }],
    by,
  )(range);
  // (all - fast) / all rather than 1 - fast / all: exact when all events are slow or none.
  return `(${count} - ${fast}) / ${count}`;
}
