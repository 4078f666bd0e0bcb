import 'reflect-metadata';
import { Controller, Get, NotFoundException } from '@nestjs/common';
import { SpanStatusCode } from '@opentelemetry/api';
import test from 'ava';
import {
  ExternalCall,
  MetricsRegistry,
  Route,
  setTracer,
  Stage,
  Traced,
  withExternalCall,
  withStage,
} from '../../src';
import { useOtelSdk } from '../support/otel-sdk';

// Globals (provider, context manager, obsweave's tracer and the span switch): serial tests.
const { exporter, tracer, spanNamed: named } = useOtelSdk(test);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A traced job over a stage over an external call, recording into `registry`. */
function pipeline(registry: MetricsRegistry) {
  class Asr {
    @ExternalCall('asr', { op: 'transcribe', registry })
    async transcribe(fail: boolean): Promise<string> {
      await sleep(2);
      if (fail) throw Object.assign(new Error('slow down'), { code: 'ETIMEDOUT' });
      return 'text';
    }
  }

  class Stages {
    private readonly asr = new Asr();

    @Traced('job')
    async job(fail = false): Promise<string> {
      return this.transcribe(fail);
    }

    @Stage('transcribe', { registry })
    async transcribe(fail: boolean): Promise<string> {
      return this.asr.transcribe(fail);
    }
  }

  return new Stages();
}

test.serial('off by default: metrics decorators open no span', async (t) => {
  setTracer(tracer);
  await pipeline(new MetricsRegistry()).job();
  t.deepEqual(
    exporter.getFinishedSpans().map((s) => s.name),
    ['job'],
  );
});

test.serial('one switch: @Stage and @ExternalCall spans nest under the traced job', async (t) => {
  setTracer(tracer, { decoratorSpans: true });
  const registry = new MetricsRegistry();
  t.is(await pipeline(registry).job(), 'text');
  const job = named('job')!;
  const stage = named('stage transcribe')!;
  const call = named('asr transcribe')!;
  t.truthy(job && stage && call);
  t.is(stage.parentSpanContext?.spanId, job.spanContext().spanId);
  t.is(call.parentSpanContext?.spanId, stage.spanContext().spanId);
  t.is(stage.attributes['obsweave.stage'], 'transcribe');
  t.is(call.attributes['peer.service'], 'asr');
  t.is(call.attributes['obsweave.external.op'], 'transcribe');
  t.is(call.attributes['obsweave.external.outcome'], 'success');
  // The metrics are recorded inside each decorator's own span: exemplars point at it.
  const exemplars = registry
    .toOpenMetrics()
    .split('\n')
    .filter((l) => l.includes('stage="transcribe"') && l.includes(' # {'));
  t.true(
    exemplars.some((l) => l.includes(`span_id="${stage.spanContext().spanId}"`)),
    exemplars.join('\n'),
  );
  t.false(exemplars.some((l) => l.includes(`span_id="${job.spanContext().spanId}"`)));
});

test.serial('a failing external call ends its span with ERROR and its outcome', async (t) => {
  setTracer(tracer, { decoratorSpans: true });
  await t.throwsAsync(() => pipeline(new MetricsRegistry()).job(true), { message: 'slow down' });
  const call = named('asr transcribe')!;
  t.is(call.status.code, SpanStatusCode.ERROR);
  t.is(call.attributes['obsweave.external.outcome'], 'timeout');
  t.is(named('stage transcribe')!.status.code, SpanStatusCode.ERROR);
  t.is(named('job')!.status.code, SpanStatusCode.ERROR);
});

test.serial('@Route spans follow the HTTP semantic conventions', async (t) => {
  setTracer(tracer, { decoratorSpans: true });
  const registry = new MetricsRegistry();
  @Controller('jobs')
  class Jobs {
    @Get(':id')
    @Route(undefined, { registry })
    find(id: string): string {
      if (id === 'missing') throw new NotFoundException();
      return id;
    }
  }
  const jobs = new Jobs();
  t.is(jobs.find('7'), '7');
  t.throws(() => jobs.find('missing'));
  const [ok, missing] = exporter.getFinishedSpans().filter((s) => s.name === 'GET /jobs/:id');
  t.is(ok.attributes['http.route'], '/jobs/:id');
  t.is(ok.attributes['http.request.method'], 'GET');
  t.is(ok.attributes['http.response.status_code'], 200);
  t.is(missing.attributes['http.response.status_code'], 404);
  t.is(missing.status.code, SpanStatusCode.ERROR);
});

test.serial('the functional twins open spans too', async (t) => {
  setTracer(tracer, { decoratorSpans: true });
  const registry = new MetricsRegistry();
  await withStage(
    'probe',
    () => withExternalCall({ service: 'ffprobe', op: 'probe', registry }, () => sleep(1)),
    {
      registry,
    },
  );
  const stage = named('stage probe')!;
  const call = named('ffprobe probe')!;
  t.is(call.parentSpanContext?.spanId, stage.spanContext().spanId);
});

test.serial('switching off again restores the span-free path', async (t) => {
  setTracer(tracer, { decoratorSpans: true });
  setTracer(tracer, { decoratorSpans: false });
  await pipeline(new MetricsRegistry()).job();
  t.deepEqual(
    exporter.getFinishedSpans().map((s) => s.name),
    ['job'],
  );
});
