import type { DefaultLabels, FamilyView } from '../core/family-view';
import { escapeLabelValue, formatNumber, scale } from './text';
import { writeText, type Dialect } from './text-writer';

export const OPENMETRICS_CONTENT_TYPE =
  'application/openmetrics-text; version=1.0.0; charset=utf-8';

const openMetrics: Dialect = {
  header: (f, n) =>
    `# TYPE ${n.family} ${f.type}\n` +
    (n.unit === '' ? '' : `# UNIT ${n.family} ${n.unit}\n`) +
    // OpenMetrics escapes HELP as it does label values: backslash, newline, double quote.
    `# HELP ${n.family} ${escapeLabelValue(f.help)}\n`,
  exemplar: (e, n) =>
    e === undefined
      ? ''
      : ` # {trace_id="${escapeLabelValue(e.traceId)}",span_id="${escapeLabelValue(e.spanId)}"} ` +
        `${formatNumber(scale(e.value, n.mul, n.div))} ${(e.timestamp / 1000).toFixed(3)}`,
  trailer: '# EOF\n',
};

/** OpenMetrics 1.0: as Prometheus text, plus units, exemplars on buckets, and `# EOF`. */
export function toOpenMetricsText(families: readonly FamilyView[], labels?: DefaultLabels): string {
  return writeText(families, openMetrics, labels);
}
