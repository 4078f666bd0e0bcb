import 'reflect-metadata';
import test, { type ExecutionContext } from 'ava';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import express from 'express';
import Fastify from 'fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsRegistry, PROMETHEUS_CONTENT_TYPE, createMetricsHandler } from '../../src';
import { MetricsController } from '../../src/controller/metrics-controller';
import { fastifyMetrics } from '../../src/fastify';
import { MetricsModule } from '../../src/nest';
import { listen } from '../support/http';

/** `?format=` values that name members every object inherits, and other unknown ones. */
const UNKNOWN = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'CONSTRUCTOR',
  'bogus',
  '',
];

function registry(): MetricsRegistry {
  const r = new MetricsRegistry();
  r.counter('jobs.created_total').inc(3);
  return r;
}

/** Starts a host serving `registry` at `/metrics`; resolves to the base URL. */
type StartHost = (t: ExecutionContext, registry: MetricsRegistry) => Promise<string>;

const HOSTS: Record<string, StartHost> = {
  'createMetricsHandler (node:http)': (t, r) =>
    listen(t, http.createServer(createMetricsHandler({ registry: r }))),
  'createMetricsHandler (Express)': (t, r) => {
    const app = express();
    app.use('/metrics', createMetricsHandler({ registry: r }));
    return listen(t, http.createServer(app));
  },
  'MetricsModule (NestJS)': async (t, r) => {
    @Module({ imports: [MetricsModule.forRoot({ path: 'metrics', registry: r })] })
    class AppModule {}
    const app: INestApplication = await NestFactory.create(AppModule, { logger: false });
    t.teardown(() => app.close());
    await app.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  },
  'fastifyMetrics (Fastify, serve)': async (t, r) => {
    const app = Fastify();
    t.teardown(() => app.close());
    await app.register(fastifyMetrics, { registry: r, serve: true });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  },
};

test('MetricsController: an unknown ?format= is ignored: JSON by default, else what Accept asks', async (t) => {
  const c = new MetricsController(registry());
  for (const format of UNKNOWN) {
    const url = `/metrics?format=${encodeURIComponent(format)}`;
    const res = await c.handle({ url, headers: {} });
    t.is(res.status, 200, format);
    t.is(res.headers['content-type'], 'application/json; charset=utf-8', format);
    t.is(
      (JSON.parse(String(res.body)) as { counters: Record<string, number> }).counters[
        'jobs.created_total'
      ],
      3,
    );
    const text = await c.handle({ url, headers: { accept: 'text/plain' } });
    t.is(text.status, 200, format);
    t.is(text.headers['content-type'], PROMETHEUS_CONTENT_TYPE, format);
  }
});

for (const [host, start] of Object.entries(HOSTS)) {
  test(`${host}: ?format=constructor, __proto__, toString answer the JSON default`, async (t) => {
    const base = await start(t, registry());
    for (const format of UNKNOWN) {
      const res = await fetch(`${base}/metrics?format=${encodeURIComponent(format)}`);
      const body = await res.text();
      t.is(res.status, 200, `${format}: ${body}`);
      t.is(res.headers.get('content-type'), 'application/json; charset=utf-8', format);
      t.is(
        (JSON.parse(body) as { counters: Record<string, number> }).counters['jobs.created_total'],
        3,
      );
    }
  });
}
