import test from 'ava';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  ExternalCall,
  MetricsRegistry,
  setTracer,
  Stage,
  Traced,
  traced,
  withStage,
  type Tracer,
} from '../../src';
import { leaks, SECRET_CORPUS, type Secret } from '../security/secret-corpus';
import { useOtelSdk } from '../support/otel-sdk';
import { RecordingTracer } from '../tracing/recording-tracer';

/**
 * Every string obsweave hands a tracer passes through `redact()`: span names made of stage,
 * service and operation names, attributes, the status message and the exception event of a
 * failure. A secret in any of them reaches no span, for every credential of the corpus.
 */

// Globals (provider, context manager, obsweave's tracer and the span switch): serial tests.
const { exporter, tracer } = useOtelSdk(test);

class SecretError extends Error {
  constructor(v: string) {
    super(`GET ${v} failed`);
    this.name = `SecretError ${v}`;
  }
}

/** Every way a secret reaches a span: names, attributes, thrown errors, strings and codes. */
async function runAll(v: string, registry: MetricsRegistry): Promise<void> {
  class Leaky {
    @Stage(`load ${v}`, { registry })
    async load(): Promise<void> {
      throw new Error(`GET ${v}`);
    }

    @ExternalCall(`svc ${v}`, { op: `op ${v}`, registry })
    call(): void {
      throw Object.assign(new Error(`connect ${v}`), { code: v });
    }

    @Traced(`job ${v}`, { attributes: { 'db.url': v, 'db.urls': [v, `x ${v}`], n: 1 } })
    job(): Promise<void> {
      return Promise.reject(`rejected: ${v}`);
    }

    @Traced()
    named(): void {
      throw new SecretError(v);
    }
  }
  const leaky = new Leaky();
  await leaky.load().catch(() => {});
  try {
    leaky.call();
  } catch {}
  await leaky.job().catch(() => {});
  try {
    leaky.named();
  } catch {}
  try {
    withStage(
      `twin ${v}`,
      () => {
        throw v;
      },
      { registry },
    );
  } catch {}
  try {
    traced(
      `fn ${v}`,
      () => {
        throw new Error(v);
      },
      { 'app.secret': v },
    );
  } catch {}
}

function spanText(s: ReadableSpan): string {
  return JSON.stringify({
    name: s.name,
    attributes: s.attributes,
    status: s.status,
    events: s.events.map((e) => ({ name: e.name, attributes: e.attributes })),
  });
}

async function spansFor(secret: Secret, t: Tracer): Promise<void> {
  setTracer(t, { decoratorSpans: true });
  await runAll(secret.value, new MetricsRegistry({ logger: () => {} }));
}

for (const secret of SECRET_CORPUS) {
  test.serial(`${secret.name}: in no OpenTelemetry span`, async (t) => {
    await spansFor(secret, tracer);
    const spans = exporter.getFinishedSpans();
    t.is(spans.length, 6, 'every call made a span');
    t.is(spans.filter((s) => s.events.some((e) => e.name === 'exception')).length, 6);
    for (const s of spans) t.deepEqual(leaks(spanText(s), secret.parts), [], s.name);
  });

  test.serial(`${secret.name}: in no name, attribute or thrown string a tracer gets`, async (t) => {
    const recording = new RecordingTracer();
    await spansFor(secret, recording);
    t.is(recording.spans.length, 6);
    for (const s of recording.spans) {
      const { name, attributes } = s;
      const thrown = typeof s.error === 'string' ? s.error : '';
      t.deepEqual(leaks(JSON.stringify({ name, attributes, thrown }), secret.parts), [], name);
    }
  });
}

test.serial('the example of the report: no password, no token in status or event', async (t) => {
  setTracer(tracer, { decoratorSpans: true });
  const registry = new MetricsRegistry({ logger: () => {} });
  await withStage(
    'query',
    async () => {
      throw new Error('GET https://u:hunter2@db/?token=abc');
    },
    { registry },
  ).catch(() => {});
  const [span] = exporter.getFinishedSpans();
  t.is(span.status.message, 'GET https://db/');
  const event = span.events.find((e) => e.name === 'exception')!;
  t.is(event.attributes!['exception.message'], 'GET https://db/');
  t.is(event.attributes!['exception.type'], 'Error');
  const stack = String(event.attributes!['exception.stacktrace']);
  t.true(stack.startsWith('Error: GET https://db/\n    at '), 'the stack is kept, redacted');
  t.false(spanText(span).includes('hunter2'));
  t.false(spanText(span).includes('abc'));
});
