import type { Slo } from './slo';

/**
 * SLOs over the catalog's metrics: what a service with an HTTP API, external dependencies and
 * a job worker promises. Each can be copied and tuned; the objectives are common starting
 * points, not measurements.
 */
export const DEFAULT_SLOS: readonly Slo[] = Object.freeze([
  {
    name: 'http-availability',
    objective: 0.999,
    description: '99.9% of HTTP requests are answered without a 5xx.',
    sli: { errors: 'http.requests_total{code_class="5xx"}', total: 'http.requests_total' },
  },
  {
    name: 'http-latency',
    objective: 0.99,
    description: '99% of HTTP requests are answered within 1s.',
    sli: { latency: { metric: 'http.request_latency_ms', thresholdMs: 1000 } },
  },
  {
    name: 'external-calls',
    objective: 0.99,
    by: ['service'],
    description: '99% of the calls to each external service succeed (not an error, not a timeout).',
    sli: { errors: 'external.calls_total{outcome!="success"}', total: 'external.calls_total' },
  },
  {
    name: 'jobs',
    objective: 0.99,
    description: '99% of the jobs that finish complete rather than fail.',
    sli: {
      errors: 'jobs.status_transition_total{to="failed"}',
      total: 'jobs.status_transition_total{to=~"completed|failed|cancelled"}',
    },
  },
] as Slo[]);
