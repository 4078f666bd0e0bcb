export type { Span, SpanAttributes, Tracer } from './tracer';
export { NOOP_SPAN, NoopSpan, NoopTracer } from './noop-tracer';
export { getTracer, setTracer } from './global-tracer';
export type { SetTracerOptions } from './global-tracer';
