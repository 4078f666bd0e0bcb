import test from 'ava';
import { MetricsRegistry } from '../../src';
import * as api from '../../src';
import { Traced, traced } from '../../src';
import { runWithCorrelationId } from '../../src';
import { NoopTracer, setTracer } from '../../src';
import type { Api } from '../fixtures/standard/api';
import type * as Forms from '../fixtures/standard/forms.fixture';
import { RecordingTracer } from '../tracing/recording-tracer';
import { runChecklist } from './checklist';
import { DIALECTS, fixture } from './helpers';
import { histCount, total } from '../support/registry';

runChecklist({
  title: '@Traced',
  decorate:
    (a, { registry, tracer }) =>
    () =>
      a.Traced(undefined, { registry, tracer }),
  recorder: ({ tracer }) => ({
    total: (m) => {
      const spans = tracer.named(`Checklist.${m}`);
      if (spans.some((s) => s.ends > 1)) throw new Error('a span ended twice');
      return spans.filter((s) => s.ends === 1).length;
    },
    failed: (m) => tracer.named(`Checklist.${m}`).filter((s) => s.failed).length,
  }),
});

for (const dialect of DIALECTS) {
  test(`@Traced [${dialect}]: nested traced calls are children, sync and across await`, async (t) => {
    const tracer = new RecordingTracer();
    const { nested } = fixture<typeof Forms>(dialect, 'forms.fixture');
    const Nested = nested(api as unknown as Api, tracer);
    t.is(await new Nested().outer(), 'inner');
    const [outer] = tracer.named('Nested.outer');
    const [inner] = tracer.named('custom.inner');
    t.truthy(outer);
    t.is(inner.parent, outer);
    t.is(outer.parent, undefined);
    t.is(inner.attributes['fixture.kind'], 'inner');
    t.is(outer.ends, 1);
    t.is(inner.ends, 1);
  });

  test(`stacked [${dialect}]: @Traced @Stage @ExternalCall on one method, in two orders`, async (t) => {
    const registry = new MetricsRegistry({ logger: () => {} });
    const tracer = new RecordingTracer();
    const { stacked } = fixture<typeof Forms>(dialect, 'forms.fixture');
    const Stacked = stacked(api as unknown as Api, registry, tracer);
    const s = new Stacked();
    t.is(await s.first('v'), 'v');
    const e = new Error('second');
    t.is(
      t.throws(() => s.second(e)),
      e,
    );
    t.is(histCount(registry, 'worker.stage_latency_ms|stage=first'), 1);
    t.is(histCount(registry, 'worker.stage_latency_ms|stage=second'), 1);
    t.is(total(registry, 'worker.stage_failures_total|stage=second,'), 1);
    t.is(
      registry.snapshot().counters['external.calls_total|service=svc,op=first,outcome=success'],
      1,
    );
    t.is(
      registry.snapshot().counters['external.calls_total|service=svc,op=second,outcome=error'],
      1,
    );
    t.is(tracer.named('Stacked.first')[0].ends, 1);
    t.is(tracer.named('Stacked.second')[0].error, e);
    t.is(Reflect.getMetadata('fixture:between', Stacked.prototype.second), 1);
    t.is(Stacked.prototype.second.name, 'second');
  });
}

test('@Traced: a span gets correlation.id while one is in scope', async (t) => {
  const tracer = new RecordingTracer();
  class Svc {
    @Traced('svc.work', { tracer, attributes: { team: 'media' } })
    async work(): Promise<number> {
      return 1;
    }
  }
  await runWithCorrelationId('req-42', () => new Svc().work());
  await new Svc().work();
  const [withId, without] = tracer.named('svc.work');
  t.deepEqual(withId.attributes, { team: 'media', 'correlation.id': 'req-42' });
  t.deepEqual(without.attributes, { team: 'media' });
});

test('@Traced: a tracer that throws never reaches the call', async (t) => {
  const logs: string[] = [];
  const registry = new MetricsRegistry({ logger: (m) => logs.push(m) });
  const bad = {
    startSpan(): never {
      throw new Error('tracer down');
    },
  };
  class Svc {
    @Traced(undefined, { tracer: bad, registry })
    work(): number {
      return 1;
    }
  }
  t.is(new Svc().work(), 1);
  t.is(logs.length, 1);
  t.throws(() => Traced(undefined, { tracer: {} as never }), { message: /@Traced/ });
});

// serial: these use the process-wide tracer
test.serial(
  '@Traced without a tracer option follows setTracer(), even one made after decoration',
  async (t) => {
    class Late {
      @Traced()
      run(): string {
        return 'ran';
      }
    }
    const tracer = new RecordingTracer();
    t.true(setTracer(tracer));
    try {
      t.is(new Late().run(), 'ran');
      t.is(await traced('twin', async () => new Late().run(), { kind: 'twin' }), 'ran');
    } finally {
      setTracer(new NoopTracer());
    }
    new Late().run();
    const [twin] = tracer.named('twin');
    t.is(tracer.named('Late.run').length, 2);
    t.is(twin.attributes.kind, 'twin');
    t.is(tracer.named('Late.run')[1].parent, twin);
  },
);
