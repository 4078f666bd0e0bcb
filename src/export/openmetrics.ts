import type { Exemplar } from '../core/exemplars';
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
      : ` # {${exemplarLabels(e)}} ` +
        `${formatNumber(scale(e.value, n.mul, n.div))} ${(e.timestamp / 1000).toFixed(3)}`,
  trailer: '# EOF\n',
};

/** OpenMetrics 1.0 caps an exemplar's label names and values at 128 characters in all. */
const EXEMPLAR_LABELS_MAX = 128;

/**
 * `trace_id`, `span_id`, and `correlation_id` where the request's id is known and the three
 * fit the cap; a longer id is left out rather than the exemplar.
 */
function exemplarLabels(e: Exemplar): string {
  const base = `trace_id="${escapeLabelValue(e.traceId)}",span_id="${escapeLabelValue(e.spanId)}"`;
  const id = e.correlationId;
  if (id === undefined) return base;
  const size = 'trace_id'.length + e.traceId.length + 'span_id'.length + e.spanId.length;
  if (size + 'correlation_id'.length + id.length > EXEMPLAR_LABELS_MAX) return base;
  return `${base},correlation_id="${escapeLabelValue(id)}"`;
}

/** OpenMetrics 1.0: as Prometheus text, plus units, exemplars on buckets, and `# EOF`. */
export function toOpenMetricsText(families: readonly FamilyView[], labels?: DefaultLabels): string {
  return writeText(families, openMetrics, labels);
}
