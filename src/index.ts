import 'reflect-metadata';

// Registry
export { MetricsRegistry, metrics } from './core/metrics-registry';
export type { RegistryOptions } from './core/metrics-registry';
export type { DefaultLabels } from './core/family-view';
export { CATALOG } from './core/catalog';
export type { CatalogEntry, CatalogName } from './core/catalog';
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
  ExportSource,
  Gauge,
  Histogram,
  HistogramOptions,
  HistogramSnapshot,
  LabelValues,
  Logger,
  MetricDefinition,
  MetricOptions,
  MetricType,
  NativeHistogramSnapshot,
  Snapshot,
} from './core/types';
export type { NativeHistogramOptions } from './core/native-config';

// Redaction
export { redact, REDACTED } from './redact/redact';

// Export formats
export { PROMETHEUS_CONTENT_TYPE } from './export/prometheus';
export { OPENMETRICS_CONTENT_TYPE } from './export/openmetrics';

// Decorators and their functional twins
export { Stage, withStage } from './decorators/stage.decorator';
export type { StageOptions } from './decorators/stage.decorator';
export { ExternalCall, withExternalCall } from './decorators/external-call.decorator';
export type {
  Classify,
  ExternalCallOptions,
  ExternalCallOutcome,
  WithExternalCallOptions,
} from './decorators/external-call.decorator';
export { Route } from './decorators/route.decorator';
export type { RouteOptions } from './decorators/route.decorator';
export { Traced, traced } from './decorators/traced.decorator';
export type { TracedOptions } from './decorators/traced.decorator';
export { Counted, Timed } from './decorators/timed.decorator';
export type { CountedOptions, TimedOptions } from './decorators/timed.decorator';
export { errCode } from './decorators/err-code';
export { TimeoutError, isTimeoutError } from './decorators/timeout-error';
export type { RegistryOption } from './decorators/options';
export type { UniversalDecorator } from './decorators/make-decorator';

// Tracing
export { NoopTracer } from './tracing/noop-tracer';
export { getTracer, setTracer } from './tracing/global-tracer';
export type { SetTracerOptions } from './tracing/global-tracer';
export type { Span, SpanAttributes, Tracer } from './tracing/tracer';

// Correlation ids
export { correlationId, runWithCorrelationId } from './context/correlation';
export type { CorrelationMode } from './context/correlation-mode';
export type { CorrelationEcho } from './http/correlate';

// HTTP
export { httpMetrics } from './http/middleware';
export type { HttpMetricsMiddleware, HttpMetricsOptions } from './http/middleware';
export type { HttpRequestHooks, HttpRouteOptions } from './http/request-meter';
export { normalizeRoute } from './http/normalize-route';
export { UNMATCHED_ROUTE } from './http/route-resolution';
export { CORRELATION_HEADERS } from './http/correlation-header';
export { ABORTED } from './core/http-recorder';
export type { HttpOutcome } from './core/http-recorder';
export type { HttpLatencyLabel } from './core/http-families';

// Metrics endpoint
export { MetricsController } from './controller/metrics-controller';
export type {
  MetricsControllerOptions,
  MetricsRequest,
  MetricsResponse,
} from './controller/metrics-controller';
export { createMetricsHandler } from './controller/metrics-handler';
export type { MetricsHandler, MetricsHandlerOptions } from './controller/metrics-handler';

// Dashboard (served by the metrics endpoint at `<path>/ui`)
export { DASHBOARD_CSP } from './ui/dashboard';
export type { DashboardHostOptions, DashboardOptions } from './ui/dashboard';
export type {
  DashboardLabelMatch,
  DashboardSelector,
  DashboardSeries,
  DashboardSlo,
} from './ui/dashboard-slos';

// Process metrics
export { ResourceSampler } from './runtime/resource-sampler';
export type { ResourceSamplerOptions } from './runtime/resource-sampler';
