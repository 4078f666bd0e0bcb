export { otelTracer, activeTraceRef } from './otel-tracer';
export type { OtelTracerOptions } from './otel-tracer';
export { OtelSpanAdapter } from './otel-span';
export { otelMetricProducer, OTEL_SCOPE } from './metric-producer';
