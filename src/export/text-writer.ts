import type { Exemplar } from '../core/exemplars';
import { exportName, type ExportName } from '../core/export-name';
import {
  NO_DEFAULT_LABELS,
  familyDefaults,
  type DefaultLabels,
  type FamilyView,
} from '../core/family-view';
import { defaultPairs, formatNumber, labelPairs, scale } from './text';

/** What differs between Prometheus 0.0.4 and OpenMetrics 1.0; the sample lines do not. */
export interface Dialect {
  header(f: FamilyView, n: ExportName): string;
  /** The ` # {…} value ts` suffix of a bucket line, or '' where the format has none. */
  exemplar(e: Exemplar | undefined, n: ExportName): string;
  readonly trailer: string;
}

/** Every family's samples, each series with the default labels after its own (exemplars keep theirs). */
export function writeText(
  families: readonly FamilyView[],
  dialect: Dialect,
  labels: DefaultLabels = NO_DEFAULT_LABELS,
): string {
  let out = '';
  for (const f of families) {
    const n = exportName(f.name, f.type);
    const d = familyDefaults(f.labelNames, labels);
    const tail = defaultPairs(d);
    out += dialect.header(f, n);
    if (f.type === 'histogram') {
      f.forEach((values, s) => {
        const pairs = labelPairs(f.labelNames, values, d, tail);
        const prefix = `${n.sample}_bucket{${pairs === '' ? '' : `${pairs},`}le="`;
        const counts = s.counts;
        let cum = 0;
        for (let i = 0; i < counts.length; i++) {
          cum += counts[i];
          const le = i < s.bounds.length ? formatNumber(scale(s.bounds[i], n.mul, n.div)) : '+Inf';
          out += `${prefix}${le}"} ${cum}${dialect.exemplar(s.exemplars?.[i], n)}\n`;
        }
        const braces = pairs === '' ? '' : `{${pairs}}`;
        out += `${n.sample}_sum${braces} ${formatNumber(scale(s.sum, n.mul, n.div))}\n`;
        out += `${n.sample}_count${braces} ${s.count}\n`;
      });
    } else {
      f.forEach((values, s) => {
        const pairs = labelPairs(f.labelNames, values, d, tail);
        out += `${n.sample}${pairs === '' ? '' : `{${pairs}}`} ${formatNumber(scale(s.v, n.mul, n.div))}\n`;
      });
    }
  }
  return out + dialect.trailer;
}
