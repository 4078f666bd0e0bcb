import { AsyncLocalStorage } from 'node:async_hooks';
import type { Span, SpanAttributes, Tracer } from '../../src';

/** A span as a test reads it back. */
export class RecordedSpan implements Span {
  readonly attributes: SpanAttributes;
  ends = 0;
  failed = false;
  error: unknown = undefined;

  constructor(
    readonly name: string,
    attrs: SpanAttributes | undefined,
    readonly parent: RecordedSpan | undefined,
  ) {
    this.attributes = { ...attrs };
  }

  setAttribute(key: string, value: unknown): void {
    this.attributes[key] = value;
  }

  end(...args: [err?: unknown]): void {
    this.ends++;
    if (args.length > 0) {
      this.failed = true;
      this.error = args[0];
    }
  }
}

/**
 * A complete in-memory tracer: parent/child through its own AsyncLocalStorage, as a real
 * tracer keeps its context. `withSpan` is what `@Traced` uses to make a span the active one.
 */
export class RecordingTracer implements Tracer {
  readonly spans: RecordedSpan[] = [];
  private readonly active = new AsyncLocalStorage<RecordedSpan>();

  startSpan(name: string, attrs?: SpanAttributes): Span {
    const s = new RecordedSpan(name, attrs, this.active.getStore());
    this.spans.push(s);
    return s;
  }

  withSpan<T>(span: Span, fn: () => T): T {
    return this.active.run(span as RecordedSpan, fn);
  }

  named(name: string): RecordedSpan[] {
    return this.spans.filter((s) => s.name === name);
  }
}
