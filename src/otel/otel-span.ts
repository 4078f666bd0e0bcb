import {
  SpanStatusCode,
  type AttributeValue,
  type Exception,
  type Span as OtelSpan,
} from '@opentelemetry/api';
import { redactSpanText, spanAttributeValue } from '../decorators/span-strings';
import { redact } from '../redact/redact';
import { describeError } from '../core/describe';
import type { Span } from '../tracing/tracer';

/**
 * What OpenTelemetry can store as an attribute, its text redacted (the correlation id checked
 * as ids are); anything else is stored as its string, redacted.
 */
export function attributeValue(key: string, v: unknown): AttributeValue | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return spanAttributeValue(key, v) as string;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
    return spanAttributeValue(key, v) as string[];
  }
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  if (Array.isArray(v) && v.every((x) => typeof x === 'boolean')) return v as boolean[];
  try {
    return redact(String(v));
  } catch {
    return undefined;
  }
}

/** An obsweave span over an OpenTelemetry one; `end(err)` records the failure the OTel way. */
export class OtelSpanAdapter implements Span {
  constructor(
    readonly span: OtelSpan,
    /** The request's id the span was started with: carried in its context by `withSpan`. */
    readonly correlationId: string | undefined = undefined,
  ) {}

  setAttribute(key: string, value: unknown): void {
    const v = attributeValue(key, value);
    if (v !== undefined) this.span.setAttribute(redactSpanText(key), v);
  }

  end(err?: unknown): void {
    if (arguments.length > 0) {
      // The status and the exception event are exported as they are: a message often holds
      // the URL or the query that failed, with its credentials.
      const exception = redactedException(err);
      this.span.recordException(exception);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
    }
    this.span.end();
  }
}

/**
 * What the SDK reads of a thrown value (`code` or `name` as the type, the message, the stack),
 * each redacted. Never throws, whatever was thrown (a hostile getter, a revoked proxy).
 */
function redactedException(err: unknown): Exception & { message: string } {
  if (!(err instanceof Error)) return { name: 'Error', message: describeError(err) };
  const out: Exception & { message: string } = {
    name: redact(read(() => err.name) || 'Error'),
    message: redact(read(() => err.message)),
  };
  const stack = read(() => err.stack);
  if (stack !== '') out.stack = redact(stack);
  const code = read(() => (err as { code?: unknown }).code);
  if (code !== '') out.code = redact(code);
  return out;
}

/** A property of a thrown value as text: '' when it is absent, or reading it throws. */
function read(get: () => unknown): string {
  try {
    const v = get();
    return v === undefined || v === null ? '' : text(v);
  } catch {
    return '';
  }
}

/** `String(v)` that never throws, whatever `v` is. */
function text(v: unknown): string {
  try {
    return typeof v === 'string' ? v : String(v);
  } catch {
    return typeof v;
  }
}
