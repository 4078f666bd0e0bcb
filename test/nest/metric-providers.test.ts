import 'reflect-metadata';
import test from 'ava';
import { Controller, Get, Injectable, Module, Param, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MetricsRegistry, type Counter, type Gauge, type Histogram } from '../../src';
import {
  InjectMetric,
  MetricsModule,
  getMetricToken,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '../../src/nest';
import type * as NestFixture from '../fixtures/standard/nest.fixture';
import { fixture } from '../decorators/helpers';
import { counter } from '../support/registry';

function providers() {
  return [
    makeCounterProvider({ name: 'jobs.created_total', help: 'Jobs created', labelNames: ['kind'] }),
    makeGaugeProvider({ name: 'jobs.queued', help: 'Jobs waiting' }),
    makeHistogramProvider({ name: 'jobs.size_bytes', buckets: [10, 100, 1000] }),
  ];
}

async function start(t: import('ava').ExecutionContext, AppModule: Function) {
  const app: INestApplication = await NestFactory.create(AppModule as never, { logger: false });
  t.teardown(() => app.close());
  await app.listen(0, '127.0.0.1');
  return { app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

test('Nest: metrics made by providers, injected into a service, record into the module’s registry', async (t) => {
  const registry = new MetricsRegistry();

  @Injectable()
  class JobsService {
    constructor(
      @InjectMetric('jobs.created_total') readonly created: Counter,
      @InjectMetric('jobs.queued') readonly queued: Gauge,
      @InjectMetric('jobs.size_bytes') readonly size: Histogram,
    ) {}

    create(kind: string): void {
      this.created.inc(1, { kind });
      this.queued.inc();
      this.size.observe(kind === 'audio' ? 500 : 50);
    }
  }

  @Controller('jobs')
  class JobsController {
    constructor(private readonly jobs: JobsService) {}

    @Get(':kind')
    create(@Param('kind') kind: string) {
      this.jobs.create(kind);
      return { ok: true };
    }
  }

  // The providers live in a feature module; the registry comes from forRoot in the root.
  @Module({ controllers: [JobsController], providers: [...providers(), JobsService] })
  class JobsModule {}
  @Module({ imports: [MetricsModule.forRoot({ registry }), JobsModule] })
  class AppModule {}

  const { app, base } = await start(t, AppModule);
  for (const kind of ['video', 'video', 'audio'])
    t.is((await fetch(`${base}/jobs/${kind}`)).status, 200);

  const service = app.get(JobsService);
  t.is(service.created, registry.counter('jobs.created_total', { labelNames: ['kind'] }));
  t.is(counter(registry, 'jobs.created_total|kind=video'), 2);
  t.is(counter(registry, 'jobs.created_total|kind=audio'), 1);
  const snap = registry.snapshot();
  t.is(snap.gauges['jobs.queued'], 3);
  t.is(snap.histograms['jobs.size_bytes']?.count, 3);
  const text = await (await fetch(`${base}/metrics?format=prometheus`)).text();
  t.regex(text, /^# HELP jobs_created_total Jobs created$/m);
  t.regex(text, /^jobs_created_total\{kind="video"\} 2$/m);
  t.regex(text, /^jobs_size_bytes_bucket\{le="100"\} 2$/m, 'the buckets given');
  t.regex(text, /^jobs_size_bytes_bucket\{le="1000"\} 3$/m);
});

test('Nest: standard decorators inject a metric through a factory provider and getMetricToken', async (t) => {
  const registry = new MetricsRegistry();
  const f = fixture<typeof NestFixture>('standard', 'nest.fixture');
  // NestJS injection decorators are legacy-only: under standard decorators the misuse is named.
  const err = t.throws(() => f.injectedField(InjectMetric));
  t.regex(err!.message, /^obsweave: @InjectMetric needs experimentalDecorators/);

  class Worker {
    constructor(readonly done: Counter) {}
  }
  @Module({
    providers: [
      ...providers(),
      {
        provide: Worker,
        useFactory: (c: Counter) => new Worker(c),
        inject: [getMetricToken('jobs.created_total')],
      },
    ],
  })
  class WorkerModule {}
  @Module({ imports: [WorkerModule, MetricsModule.forRoot({ registry })] })
  class AppModule {}
  const { app } = await start(t, AppModule);
  app.get(Worker).done.inc(5, { kind: 'batch' });
  t.is(counter(registry, 'jobs.created_total|kind=batch'), 5);
});

test('Nest: a property injected with @InjectMetric in the legacy dialect', async (t) => {
  const registry = new MetricsRegistry();
  const Injected = fixture<typeof NestFixture>('legacy', 'nest.fixture').injectedField(
    InjectMetric,
  );
  Injectable()(Injected);
  @Module({
    providers: [makeCounterProvider({ name: 'jobs.field_total' }), Injected],
  })
  class FieldModule {}
  @Module({ imports: [MetricsModule.forRoot({ registry }), FieldModule] })
  class AppModule {}
  const { app } = await start(t, AppModule);
  (app.get(Injected).counter as Counter).inc();
  t.is(counter(registry, 'jobs.field_total'), 1);
});

test('Nest: without MetricsModule the providers use the process-wide registry', async (t) => {
  const { metrics } = await import('../../src');
  const name = `jobs.default_${process.pid}_total`;
  @Module({ providers: [makeCounterProvider({ name })] })
  class AppModule {}
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  t.teardown(() => app.close());
  (app.get(getMetricToken(name)) as Counter).inc(4);
  t.is(counter(metrics, name), 4);
});

test('Nest: provider makers and @InjectMetric reject a missing name when the module is declared', (t) => {
  for (const make of [makeCounterProvider, makeGaugeProvider, makeHistogramProvider]) {
    t.throws(() => make({ name: '' }), {
      message: /^obsweave: make\w+Provider needs a non-empty name/,
    });
    t.throws(() => make(undefined as never), { message: /^obsweave: / });
  }
  t.throws(() => InjectMetric(''), { message: /^obsweave: @InjectMetric needs the metric name/ });
});
