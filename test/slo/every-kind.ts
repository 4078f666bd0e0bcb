import { MetricsRegistry } from '../../src';
import { type Slo } from '../../src/slo';

/**
 * A registry and SLOs covering every SLI kind and option: counters of one metric and of two,
 * a catalog histogram in ms with a label match, a user histogram in seconds (its threshold
 * the bound Prometheus 3 spells `1.0`), `by`, no scope, fixed and per-severity labels, a
 * runbook and a dashboard, an alert name, periods of 7, 30 and 90 days.
 */
export function everyKind(): { registry: MetricsRegistry; slos: Slo[] } {
  const registry = new MetricsRegistry();
  registry.counter('orders.placed_total', { labelNames: ['region'] });
  registry.counter('orders.failed_total', { labelNames: ['region', 'reason'] });
  registry.histogram('search.duration_seconds', {
    labelNames: ['index'],
    buckets: [0.05, 0.1, 0.25, 1],
  });
  const slos: Slo[] = [
    {
      name: 'orders',
      objective: 0.995,
      period: '7d',
      by: ['region'],
      labels: { team: 'checkout' },
      severityLabels: { page: { severity: 'critical', pager: 'checkout' } },
      runbookUrl: 'https://runbooks.example/orders?region={{ $labels.region }}',
      dashboardUrl: 'https://grafana.example/d/orders?var-region={{ $labels.region }}',
      sli: { errors: 'orders.failed_total{reason!="declined"}', total: 'orders.placed_total' },
    },
    {
      name: 'api-latency',
      objective: 0.95,
      scope: [],
      alertName: 'ApiLatencyBurn',
      sli: {
        latency: {
          metric: 'http.request_latency_ms',
          thresholdMs: 250,
          match: 'route!="/metrics"',
        },
      },
    },
    {
      name: 'search-latency',
      objective: 0.99,
      period: '90d',
      by: ['index'],
      sli: { latency: { metric: 'search.duration_seconds', thresholdMs: 1000 } },
    },
  ];
  return { registry, slos };
}
