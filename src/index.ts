import 'reflect-metadata';

// Registry
export { MetricsRegistry, metrics } from './core/metrics-registry';
export type { RegistryOptions } from './core/metrics-registry';
export { CATALOG } from './core/catalog';
export type { CatalogEntry } from './core/catalog';
export { DEFAULT_BUCKETS_MS } from './core/buckets';
export { OVERFLOW_VALUE } from './core/series-table';
export type { DropReason } from './core/guard';
export type {
  BoundCounter,
  BoundGauge,
  BoundHistogram,
  Collector,
  CollectorResult,
  Counter,
  Gauge,
  Histogram,
  HistogramOptions,
  HistogramSnapshot,
  LabelValues,
  Logger,
  MetricOptions,
  MetricType,
  Snapshot,
} from './core/types';

// Redaction
export { redact, REDACTED } from './core/redact';

// Export formats
export { PROMETHEUS_CONTENT_TYPE } from './export/prometheus';
export { OPENMETRICS_CONTENT_TYPE } from './export/openmetrics';

// Decorators and their functional twins
export {
  Stage,
  withStage,
  ExternalCall,
  withExternalCall,
  Route,
  Traced,
  traced,
  Timed,
  Counted,
  errCode,
  TimeoutError,
  isTimeoutError,
} from './decorators';
export type {
  StageOptions,
  Classify,
  ExternalCallOptions,
  ExternalCallOutcome,
  WithExternalCallOptions,
  RouteOptions,
  TracedOptions,
  TimedOptions,
  CountedOptions,
  RegistryOption,
  UniversalDecorator,
} from './decorators';

// Tracing
export { NoopTracer, NoopSpan, NOOP_SPAN, getTracer, setTracer } from './tracing';
export type { Span, SpanAttributes, Tracer, SetTracerOptions } from './tracing';

// HTTP
export {
  httpMetrics,
  normalizeRoute,
  correlationId,
  runWithCorrelationId,
  enterCorrelationId,
  recordRequest,
  UNMATCHED_ROUTE,
  ABORTED,
  CORRELATION_HEADERS,
} from './http';
export type {
  HttpMetricsMiddleware,
  HttpMetricsOptions,
  HttpOutcome,
  HttpRouteOptions,
} from './http';

// Metrics endpoint
export { MetricsController, createMetricsHandler, negotiateFormat } from './controller';
export type {
  MetricsControllerOptions,
  MetricsRequest,
  MetricsResponse,
  MetricsHandler,
  MetricsHandlerOptions,
  MetricsFormat,
} from './controller';

// Dashboard (served by the metrics endpoint at `<path>/ui`)
export { DASHBOARD_CSP } from './ui';
export type {
  DashboardHostOptions,
  DashboardLabelMatch,
  DashboardSelector,
  DashboardSeries,
  DashboardSlo,
} from './ui';

// Runtime and worker
export {
  JobTracker,
  instrumentJobEvents,
  ResourceSampler,
  instrumentSse,
  DEFAULT_ACTIVE_STATUSES,
  DEFAULT_TERMINAL_STATUSES,
  DEFAULT_MAX_TRACKED,
  DEFAULT_JOB_EVENT_NAMES,
  SSE_HEADERS,
} from './runtime';
export type {
  JobTrackerOptions,
  JobEventNames,
  JobEventSource,
  JobEventsOptions,
  ResourceSamplerOptions,
  SseOptions,
  SseStream,
} from './runtime';
