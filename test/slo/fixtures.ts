import { DEFAULT_SLOS } from '../../src/slo';
import { everyKind } from './every-kind';
import type { Fixture } from './rule-tests';

const slo = (name: string) => DEFAULT_SLOS.find((s) => s.name === name)!;
const kind = (name: string) => everyKind().slos.find((s) => s.name === name)!;

/** The series each SLO reads, with series it must not read beside them. */
export const DEFAULT_FIXTURES: Fixture[] = [
  {
    slo: slo('http-availability'),
    series: () => ({
      'http_requests_total{method="GET",route="/api/jobs/:id",code_class="2xx"}': [0.9, 0],
      'http_requests_total{method="POST",route="/api/jobs",code_class="4xx"}': [0.1, 0],
      'http_requests_total{method="POST",route="/api/jobs",code_class="5xx"}': [0, 1],
    }),
  },
  {
    slo: slo('http-latency'),
    series: () => ({
      'http_request_latency_seconds_bucket{route="/api/jobs",le="0.5"}': [0.5, 0],
      'http_request_latency_seconds_bucket{route="/api/jobs",le="1"}': [1, 0],
      'http_request_latency_seconds_bucket{route="/api/jobs",le="+Inf"}': [1, 1],
      'http_request_latency_seconds_count{route="/api/jobs"}': [1, 1],
    }),
  },
  {
    slo: slo('external-calls'),
    by: [{ service: 'asr' }, { service: 'storage' }],
    series: ({ service }) => ({
      [`external_calls_total{service="${service}",op="call",outcome="success"}`]: [1, 0],
      [`external_calls_total{service="${service}",op="call",outcome="error"}`]: [0, 0.5],
      [`external_calls_total{service="${service}",op="call",outcome="timeout"}`]: [0, 0.5],
    }),
  },
  {
    slo: slo('jobs'),
    series: () => ({
      'jobs_status_transition_total{from="queued",to="running"}': [1, 1],
      'jobs_status_transition_total{from="running",to="completed"}': [0.95, 0],
      'jobs_status_transition_total{from="queued",to="cancelled"}': [0.05, 0],
      'jobs_status_transition_total{from="running",to="failed"}': [0, 1],
    }),
  },
];

export const EVERY_KIND_FIXTURES: Fixture[] = [
  {
    slo: kind('orders'),
    by: [{ region: 'eu' }, { region: 'us' }],
    series: ({ region }) => ({
      [`orders_placed_total{region="${region}"}`]: [1, 1],
      [`orders_failed_total{region="${region}",reason="payment_error"}`]: [0, 1],
      [`orders_failed_total{region="${region}",reason="declined"}`]: [0.1, 0],
    }),
  },
  {
    slo: kind('api-latency'),
    series: () => ({
      'http_request_latency_seconds_bucket{route="/api",le="0.25"}': [1, 0],
      'http_request_latency_seconds_count{route="/api"}': [1, 1],
      // Slow scrapes of /metrics are left out by the SLI's match.
      'http_request_latency_seconds_bucket{route="/metrics",le="0.25"}': [0, 0],
      'http_request_latency_seconds_count{route="/metrics"}': [1, 0],
    }),
  },
  {
    slo: kind('search-latency'),
    by: [{ index: 'products' }, { index: 'users' }],
    series: ({ index }) => ({
      [`search_duration_seconds_bucket{index="${index}",le="0.1"}`]: [1, 0],
      [`search_duration_seconds_count{index="${index}"}`]: [1, 1],
    }),
  },
];
