import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { otelTracer } from '../../src/otel';
import type { Tracer } from '../../src';

/**
 * The real OpenTelemetry SDK as a test file's process-wide tracing: a context manager over
 * AsyncLocalStorage, a tracer provider exporting to memory, and obsweave's adapter over it.
 * Globals: a file that uses it runs its tests serially.
 */
export function installOtelSdk(): {
  exporter: InMemorySpanExporter;
  tracer: Tracer;
  spanNamed(name: string): ReadableSpan | undefined;
} {
  const exporter = new InMemorySpanExporter();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  return {
    exporter,
    tracer: otelTracer(trace.getTracer('obsweave-test')),
    spanNamed: (name) => exporter.getFinishedSpans().find((s) => s.name === name),
  };
}
