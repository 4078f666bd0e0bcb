import type { Span, SpanAttributes, Tracer } from './tracer';

/** A span that records nothing; one shared instance is enough. */
class NoopSpan implements Span {
  setAttribute(_key: string, _value: unknown): void {}
  end(_err?: unknown): void {}
}

export const NOOP_SPAN: Span = new NoopSpan();

/** The default tracer: spans cost one call and record nothing. */
export class NoopTracer implements Tracer {
  startSpan(_name: string, _attrs?: SpanAttributes): Span {
    return NOOP_SPAN;
  }

  withSpan<T>(_span: Span, fn: () => T): T {
    return fn();
  }
}
