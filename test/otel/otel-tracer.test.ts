import 'reflect-metadata';
import { context, trace, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import test from 'ava';
import { MetricsRegistry, runWithCorrelationId, setTracer, Stage, Traced, traced } from '../../src';
import { setTraceRefSource } from '../../src/core/exemplars';
import { NoopTracer } from '../../src';
import { otelTracer } from '../../src/otel';
import { activeTraceRef } from '../../src/otel/otel-tracer';
import { installOtelSdk } from '../support/otel-sdk';

// One SDK for the file: tracer provider, context manager and obsweave's tracer are globals, so
// every test here runs serially and reads only the spans it made.
const { exporter, tracer } = installOtelSdk();
setTracer(tracer);

test.after.always(() => {
  setTracer(new NoopTracer());
  setTraceRefSource(undefined);
  context.disable();
  trace.disable();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function spansOf(prefix: string): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.name.startsWith(prefix));
}

const parentId = (s: ReadableSpan) => s.parentSpanContext?.spanId;

class Pipeline {
  @Traced('nest.run')
  async run(): Promise<string[]> {
    await sleep(2);
    const a = await this.download();
    const [b, c] = await Promise.all([this.probe(), this.transcribe()]);
    return [a, b, c];
  }

  @Traced('nest.download')
  async download(): Promise<string> {
    await sleep(1);
    return 'd';
  }

  @Traced('nest.probe')
  async probe(): Promise<string> {
    await new Promise((r) => setTimeout(r, 3));
    return 'p';
  }

  @Traced('nest.transcribe')
  transcribe(): Promise<string> {
    return new Promise((resolve) => setImmediate(() => resolve('t')));
  }
}

test.serial(
  'nested async traced calls are children, Promise.all siblings share the parent',
  async (t) => {
    t.deepEqual(await new Pipeline().run(), ['d', 'p', 't']);
    const [root] = spansOf('nest.run');
    const children = ['nest.download', 'nest.probe', 'nest.transcribe'].map((n) => spansOf(n)[0]);
    t.truthy(root);
    t.is(parentId(root), undefined);
    for (const c of children) {
      t.truthy(c, 'child span exported');
      t.is(c.spanContext().traceId, root.spanContext().traceId);
      t.is(parentId(c), root.spanContext().spanId);
    }
  },
);

class Failing {
  @Traced('fail.async')
  async boom(): Promise<void> {
    await sleep(1);
    throw new RangeError('bad range');
  }

  @Traced('fail.string')
  rejectString(): Promise<void> {
    return Promise.reject('plain reason');
  }
}

test.serial('a failure records the exception and sets status ERROR', async (t) => {
  const err = await t.throwsAsync(() => new Failing().boom(), { instanceOf: RangeError });
  const [span] = spansOf('fail.async');
  t.is(span.status.code, SpanStatusCode.ERROR);
  t.is(span.status.message, err!.message);
  const ev = span.events.find((e) => e.name === 'exception');
  t.truthy(ev);
  t.is(ev!.attributes!['exception.type'], 'RangeError');
  t.is(ev!.attributes!['exception.message'], 'bad range');

  const reason = await new Failing().rejectString().catch((e: unknown) => e);
  t.is(reason, 'plain reason');
  const [s2] = spansOf('fail.string');
  t.is(s2.status.code, SpanStatusCode.ERROR);
  t.is(s2.status.message, 'plain reason');
});

test.serial('attributes and the correlation id reach the span', async (t) => {
  class Attr {
    @Traced('attr.call', { attributes: { 'app.kind': 'media', 'app.retries': 2 } })
    call(): number {
      return 1;
    }
  }
  await runWithCorrelationId('corr-123', async () => {
    await sleep(1);
    new Attr().call();
  });
  const [span] = spansOf('attr.call');
  t.is(span.attributes['app.kind'], 'media');
  t.is(span.attributes['app.retries'], 2);
  t.is(span.attributes['correlation.id'], 'corr-123');
  t.is(span.status.code, SpanStatusCode.UNSET);
});

test.serial(
  'traced() runs a function in a span whose children follow it across timers',
  async (t) => {
    const out = await traced('fn.outer', async () => {
      await new Promise((r) => setTimeout(r, 2));
      return traced('fn.inner', () => 42);
    });
    t.is(out, 42);
    const [outer] = spansOf('fn.outer');
    const [inner] = spansOf('fn.inner');
    t.is(parentId(inner), outer.spanContext().spanId);
  },
);

test.serial('histogram samples keep the trace id of the active span as an exemplar', async (t) => {
  const registry = new MetricsRegistry();
  class Worker {
    @Traced('ex.job')
    async job(): Promise<void> {
      await this.download();
    }

    @Stage('download', { registry })
    async download(): Promise<void> {
      await sleep(3);
    }
  }
  await new Worker().job();
  const [span] = spansOf('ex.job');
  const om = registry.toOpenMetrics();
  const line = om.split('\n').find((l) => l.includes('stage="download"') && l.includes(' # {'));
  t.truthy(line, om);
  t.true(line!.includes(`trace_id="${span.spanContext().traceId}"`));
  t.true(line!.includes(`span_id="${span.spanContext().spanId}"`));
  // Prometheus text and JSON stay as they are.
  t.false(registry.toPrometheus().includes('trace_id'));
  t.false(JSON.stringify(registry.snapshot()).includes(span.spanContext().traceId));
});

test.serial('no exemplar outside a span, nor for an unsampled one', (t) => {
  t.is(activeTraceRef(), undefined);
  const unsampled = trace.wrapSpanContext({
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 0,
  });
  context.with(trace.setSpan(context.active(), unsampled), () => {
    t.is(activeTraceRef(), undefined);
  });
});

test.serial('otelTracer rejects what is not a tracer, at configuration time', (t) => {
  t.throws(() => otelTracer({} as never), { message: /otelTracer/ });
});
