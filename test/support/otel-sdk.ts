import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import type { TestFn } from 'ava';
import { otelTracer } from '../../src/otel';
import { NoopTracer, setTracer, type Tracer } from '../../src';
import { setTraceRefSource } from '../../src/core/exemplars';

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

/**
 * `installOtelSdk()` for a file of serial tests: each test starts from the no-op tracer without
 * decorator spans and an empty exporter, and the file leaves no trace source behind.
 */
export function useOtelSdk(test: TestFn): ReturnType<typeof installOtelSdk> {
  const sdk = installOtelSdk();
  test.afterEach.always(() => {
    setTracer(new NoopTracer(), { decoratorSpans: false });
    sdk.exporter.reset();
  });
  test.after.always(() => setTraceRefSource(undefined));
  return sdk;
}
