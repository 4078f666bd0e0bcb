import 'reflect-metadata';
import test from 'ava';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Fastify from 'fastify';
import { createMetricsHandler, metrics } from '../../src';
import { fastifyMetrics } from '../../src/fastify';
import { MetricsModule } from '../../src/nest';
import { eventually, primary, worker } from './helpers';

const LINE = /^jobs_created_total 7$/m;

test('NestJS: MetricsModule serves a ClusterRegistry; its http option records into the process registry', async (t) => {
  const p = primary(t);
  (await worker(t, p, 'a')).counter('jobs.created_total').inc(3);
  (await worker(t, p, 'b')).counter('jobs.created_total').inc(4);

  @Controller('cluster-ping')
  class PingController {
    @Get()
    ping() {
      return 'pong';
    }
  }
  @Module({
    imports: [MetricsModule.forRoot({ registry: p.cluster, http: true })],
    controllers: [PingController],
  })
  class AppModule {}
  const key = 'http.requests_total|method=GET,route=/cluster-ping,code_class=2xx';
  const app: INestApplication = await NestFactory.create(AppModule, { logger: false });
  t.teardown(() => app.close());
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const res = await fetch(`${url}/metrics?format=prometheus`);
  t.is(res.status, 200);
  t.regex(await res.text(), LINE);
  t.is(await (await fetch(`${url}/cluster-ping`)).text(), 'pong');
  await eventually(() => metrics.snapshot().counters[key] === 1, 'the request recorded');
  t.is(metrics.snapshot().counters[key], 1);
});

test('Fastify: a route serves a ClusterRegistry beside the fastifyMetrics plugin', async (t) => {
  const p = primary(t);
  (await worker(t, p, 'a')).counter('jobs.created_total').inc(3);
  (await worker(t, p, 'b')).counter('jobs.created_total').inc(4);

  const app = Fastify();
  t.teardown(() => app.close());
  await app.register(fastifyMetrics, { registry: p.own });
  const serve = createMetricsHandler({ registry: p.cluster });
  app.get('/metrics', (req, reply) => {
    reply.hijack();
    serve(req.raw, reply.raw);
  });
  app.get('/ping', async () => 'pong');
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  t.is(await (await fetch(`${base}/ping`)).text(), 'pong');
  const ping = 'http.requests_total|method=GET,route=/ping,code_class=2xx';
  await eventually(() => p.own.snapshot().counters[ping] === 1, 'the request recorded');
  const text = await (await fetch(`${base}/metrics`, { headers: { accept: 'text/plain' } })).text();
  t.regex(text, LINE);
  // The primary's own requests, recorded by the plugin into its registry, are merged in too.
  t.regex(text, /^http_requests_total\{method="GET",route="\/ping",code_class="2xx"\} 1$/m);
});
