import { SpanStatusCode, type AttributeValue, type Span as OtelSpan } from '@opentelemetry/api';
import type { Span } from '../tracing/tracer';

/** What OpenTelemetry can store as an attribute; anything else is stored as its string. */
export function attributeValue(v: unknown): AttributeValue | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  if (Array.isArray(v) && v.every((x) => typeof x === 'boolean')) return v as boolean[];
  try {
    return String(v);
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
    const v = attributeValue(value);
    if (v !== undefined) this.span.setAttribute(key, v);
  }

  end(err?: unknown): void {
    if (arguments.length > 0) {
      if (err instanceof Error) {
        this.span.recordException(err);
        this.span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      } else {
        const message = describe(err);
        this.span.recordException({ name: 'Error', message });
        this.span.setStatus({ code: SpanStatusCode.ERROR, message });
      }
    }
    this.span.end();
  }
}

function describe(err: unknown): string {
  try {
    return typeof err === 'string' ? err : String(err);
  } catch {
    return typeof err;
  }
}
