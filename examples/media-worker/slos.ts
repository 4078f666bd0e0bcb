import type { DashboardSlo } from 'obsweave';

/**
 * The SLOs the media-worker's dashboard shows burn rates for: availability of the HTTP API
 * (5xx share) and of each provider (calls that did not succeed), over the catalog's names.
 */
export const MEDIA_WORKER_SLOS: DashboardSlo[] = [
  {
    name: 'http-availability',
    objective: 0.99,
    sli: { errors: 'http_requests_total{code_class="5xx"}', total: 'http_requests_total' },
  },
  {
    name: 'external-calls',
    objective: 0.95,
    sli: {
      errors: 'external_calls_total{outcome!="success"}',
      total: 'external_calls_total',
    },
    by: ['service'],
  },
];
