export { otelTracer } from './otel-tracer';
export type { OtelTracerOptions } from './otel-tracer';
export { otelMetricProducer, OTEL_SCOPE } from './metric-producer';
