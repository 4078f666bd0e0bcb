import type { DefaultLabels, FamilyView } from '../core/family-view';
import { writeText, type Dialect } from './text-writer';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function escapeHelp(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

const prometheus: Dialect = {
  header: (f, n) => `# HELP ${n.sample} ${escapeHelp(f.help)}\n# TYPE ${n.sample} ${f.type}\n`,
  exemplar: () => '',
  trailer: '',
};

/** Text format 0.0.4: what `promtool check metrics` and every Prometheus scrape accept. */
export function toPrometheusText(families: readonly FamilyView[], labels?: DefaultLabels): string {
  return writeText(families, prometheus, labels);
}
