import 'reflect-metadata';
import test from 'ava';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import http from 'node:http';
import {
  httpMetrics,
  MetricsRegistry,
  NoopTracer,
  setTracer,
  Stage,
  Traced,
  traced,
} from '../../src';
import { MetricsModule } from '../../src/nest';
import { listen } from '../support/http';

/**
 * A decorator changes nothing when nothing asks for it: with no tracer set, a span is a no-op,
 * and a no-op span does not ask for the request's correlation id, so the response carries no
 * `x-correlation-id` it would not carry without the decorator.
 */

// setTracer() is process-wide: the tests of this file run one at a time.
test.afterEach.always(() => setTracer(new NoopTracer(), { decoratorSpans: false }));

class Work {
  @Traced()
  async traced(): Promise<number> {
    await new Promise((r) => setTimeout(r, 1));
    return 1;
  }

  @Stage('stage-work', { registry: new MetricsRegistry({ logger: () => {} }) })
  staged(): number {
    return 2;
  }

  plain(): number {
    return 3;
  }
}

async function nodeServer(t: import('ava').ExecutionContext, correlation: 'context' | 'request') {
  const registry = new MetricsRegistry({ logger: () => {} });
  const mw = httpMetrics({ registry, correlation });
  const work = new Work();
  const calls: Record<string, () => unknown> = {
    '/plain': () => work.plain(),
    '/traced': () => work.traced(),
    '/traced-fn': () => traced('fn', () => 4),
    '/staged': () => work.staged(),
  };
  return listen(
    t,
    http.createServer((req, res) =>
      mw(req, res, async () => {
        res.end(String(await calls[req.url!]()));
      }),
    ),
  );
}

for (const correlation of ['context', 'request'] as const) {
  test.serial(
    `'${correlation}': no tracer, no correlation header, with or without decorators`,
    async (t) => {
      const base = await nodeServer(t, correlation);
      for (const path of ['/plain', '/traced', '/traced-fn', '/staged']) {
        const r = await fetch(`${base}${path}`);
        t.is(r.status, 200, path);
        t.is(r.headers.get('x-correlation-id'), null, `${path}: no id was made`);
        await r.text();
      }
      setTracer(new NoopTracer(), { decoratorSpans: true });
      const r = await fetch(`${base}/staged`);
      t.is(r.headers.get('x-correlation-id'), null, 'decorator spans on, no tracer: no id made');
    },
  );
}

test.serial(
  'NestJS: a @Traced handler adds no x-correlation-id while no tracer is set',
  async (t) => {
    @Controller('items')
    class ItemsController {
      @Get('plain')
      plain() {
        return { ok: true };
      }

      @Get('traced')
      @Traced()
      async traced() {
        await new Promise((r) => setTimeout(r, 1));
        return { ok: true };
      }
    }
    @Module({
      imports: [
        MetricsModule.forRoot({ registry: new MetricsRegistry({ logger: () => {} }), http: true }),
      ],
      controllers: [ItemsController],
    })
    class AppModule {}
    const app: INestApplication = await NestFactory.create(AppModule, { logger: false });
    t.teardown(() => app.close());
    await app.listen(0, '127.0.0.1');
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    for (const path of ['plain', 'traced']) {
      const r = await fetch(`${base}/items/${path}`);
      t.is(r.status, 200);
      t.deepEqual(await r.json(), { ok: true });
      t.is(r.headers.get('x-correlation-id'), null, `${path}: no id was made`);
    }
    const sent = await fetch(`${base}/items/traced`, { headers: { 'x-correlation-id': 'req-7' } });
    t.is(sent.headers.get('x-correlation-id'), 'req-7', 'an id the client sent is still echoed');
  },
);
