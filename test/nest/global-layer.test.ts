import 'reflect-metadata';
import test, { type ExecutionContext } from 'ava';
import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpException,
  Module,
  Param,
  ParseIntPipe,
  Post,
  UseGuards,
  VersioningType,
  type CanActivate,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MetricsRegistry, Route, UNMATCHED_ROUTE } from '../../src';
import * as api from '../../src';
import { MetricsModule, type MetricsModuleOptions } from '../../src/nest';
import type * as NestFixture from '../fixtures/standard/nest.fixture';
import { DIALECTS, fixture, type Dialect } from '../decorators/helpers';
import { latencyCount, watchServer } from '../support/http';
import { counter, total } from '../support/registry';
import { eventually } from '../support/wait';

// One app per test: a guard, a pipe, a body parser, a global prefix and URI versioning, and
// requests stopped by each; every request must be counted once, under the right route.

const REQS = 'http.requests_total|';
const ERRS = 'http.errors_total|';
const ID = '/api/v1/jobs/:id';
const SECRET = '/api/v1/jobs/secret/:id';
const JOBS = '/api/v1/jobs';

class DenyGuard implements CanActivate {
  canActivate(): boolean {
    throw new ForbiddenException();
  }
}

type Ctor = new (...a: never[]) => unknown;

/** NestJS's decorators, applied by hand to a fixture class of either dialect. */
function nestify(cls: Function): Ctor {
  const proto = cls.prototype as object;
  const d = (k: string) => Object.getOwnPropertyDescriptor(proto, k)!;
  Param('id', ParseIntPipe)(proto, 'get', 0);
  Get(':id')(proto, 'get', d('get'));
  Get('secret/:id')(proto, 'secret', d('secret'));
  UseGuards(DenyGuard)(proto, 'secret', d('secret'));
  Body()(proto, 'create', 0);
  Post()(proto, 'create', d('create'));
  Controller({ path: 'jobs', version: '1' })(cls);
  return cls as Ctor;
}

function fixtureController(dialect: Dialect, registry: MetricsRegistry, withRoute: boolean): Ctor {
  const f = fixture<typeof NestFixture>(dialect, 'nest.fixture');
  return nestify(f.jobsHandlers(api, registry, withRoute, HttpException));
}

/** As NestJS users write it: `@Route` above `@Get` on one handler, below on the others. */
function writtenController(registry: MetricsRegistry): Ctor {
  @Controller({ path: 'jobs', version: '1' })
  class JobsController {
    @Route(undefined, { registry })
    @Get(':id')
    get(@Param('id', ParseIntPipe) id: number) {
      if (id === 13) throw new HttpException('short and stout', 418);
      if (id === 99) throw new Error('boom');
      return { id };
    }

    @Get('secret/:id')
    @UseGuards(DenyGuard)
    @Route(undefined, { registry })
    secret() {
      return { secret: true };
    }

    @Post()
    @Route(undefined, { registry })
    create(@Body() body: unknown) {
      return { created: body };
    }
  }
  return JobsController;
}

type Order = 'metrics first' | 'metrics last';

async function start(
  t: ExecutionContext,
  controller: Ctor,
  opts: MetricsModuleOptions,
  order: Order = 'metrics first',
) {
  @Module({ controllers: [controller], providers: [DenyGuard] })
  class JobsModule {}
  const metricsModule = MetricsModule.forRoot(opts);
  @Module({
    imports: order === 'metrics first' ? [metricsModule, JobsModule] : [JobsModule, metricsModule],
  })
  class AppModule {}
  const app: INestApplication = await NestFactory.create(AppModule, { logger: false });
  app.setGlobalPrefix('api');
  app.enableVersioning({ type: VersioningType.URI });
  t.teardown(() => app.close());
  const watch = watchServer(app.getHttpServer());
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { base, watch };
}

const json = { 'content-type': 'application/json' };

/** Each request and the status it must get: stopped by the pipe, the guard, the parser... */
const TRAFFIC: [string, string, number, string?][] = [
  ['GET', '/api/v1/jobs/7', 200],
  ['GET', '/api/v1/jobs/8', 200],
  ['GET', '/api/v1/jobs/abc', 400], // ParseIntPipe
  ['GET', '/api/v1/jobs/13', 418], // HttpException
  ['GET', '/api/v1/jobs/99', 500], // a plain Error
  ['GET', '/api/v1/jobs/secret/1', 403], // the guard
  ['POST', '/api/v1/jobs', 400, '{not json'], // the body parser, before routing
  ['POST', '/api/v1/jobs', 201, '{"a":1}'],
  ['GET', '/api/v1/nothing/here', 404], // no such route
  ['DELETE', '/api/v1/jobs/7', 404], // no such method
  ['GET', '/api/v2/jobs/7', 404], // no such version
  ['GET', '/jobs/7', 404], // outside the prefix
];

async function drive(t: ExecutionContext, base: string): Promise<void> {
  for (const [method, path, status, body] of TRAFFIC) {
    const res = await fetch(base + path, { method, body, headers: body ? json : undefined });
    await res.arrayBuffer();
    t.is(res.status, status, `${method} ${path}`);
  }
  t.is((await fetch(`${base}/api/metrics`)).status, 200);
}

/** What the app-wide layer records for TRAFFIC, and nothing else. */
function assertEveryRequestOnce(t: ExecutionContext, registry: MetricsRegistry): void {
  t.is(total(registry, REQS), TRAFFIC.length, 'every request once, the scrape not at all');
  t.is(counter(registry, `${REQS}method=GET,route=${ID},code_class=2xx`), 2);
  t.is(counter(registry, `${REQS}method=GET,route=${ID},code_class=4xx`), 2);
  t.is(counter(registry, `${REQS}method=GET,route=${ID},code_class=5xx`), 1);
  t.is(counter(registry, `${ERRS}route=${ID},code=400`), 1);
  t.is(counter(registry, `${ERRS}route=${ID},code=418`), 1);
  t.is(counter(registry, `${ERRS}route=${ID},code=500`), 1);
  t.is(counter(registry, `${REQS}method=GET,route=${SECRET},code_class=4xx`), 1);
  t.is(counter(registry, `${ERRS}route=${SECRET},code=403`), 1);
  t.is(counter(registry, `${REQS}method=POST,route=${JOBS},code_class=4xx`), 1);
  t.is(counter(registry, `${ERRS}route=${JOBS},code=400`), 1);
  t.is(counter(registry, `${REQS}method=POST,route=${JOBS},code_class=2xx`), 1);
  t.is(counter(registry, `${REQS}method=GET,route=${UNMATCHED_ROUTE},code_class=4xx`), 3);
  t.is(counter(registry, `${REQS}method=DELETE,route=${UNMATCHED_ROUTE},code_class=4xx`), 1);
  t.is(counter(registry, `${ERRS}route=${UNMATCHED_ROUTE},code=404`), 4);
  t.is(latencyCount(registry, ID), 5);
  t.is(latencyCount(registry, UNMATCHED_ROUTE), 4);
  const text = registry.toPrometheus();
  t.false(/\*path|\{\*|nothing|\/v2\//.test(text), 'no catch-all template, no raw path');
}

async function globalLayer(
  t: ExecutionContext,
  controller: Ctor,
  registry: MetricsRegistry,
  order?: Order,
) {
  const { base, watch } = await start(t, controller, { registry, http: true }, order);
  await drive(t, base);
  await eventually(() => total(registry, REQS) >= TRAFFIC.length, 'every request');
  await watch.responsesClosed();
  assertEveryRequestOnce(t, registry);
}

test('Nest global layer: guard, pipe, parser, errors and unknown routes, once each, prefix and version in the route', async (t) => {
  const registry = new MetricsRegistry();
  await globalLayer(t, fixtureController('legacy', registry, false), registry);
});

for (const order of ['metrics first', 'metrics last'] as const) {
  test(`Nest global layer + @Route as written on handlers (${order}): counted once`, async (t) => {
    const registry = new MetricsRegistry();
    await globalLayer(t, writtenController(registry), registry, order);
  });
  for (const dialect of DIALECTS) {
    test(`Nest global layer + @Route, ${dialect} decorators (${order}): counted once`, async (t) => {
      const registry = new MetricsRegistry();
      await globalLayer(t, fixtureController(dialect, registry, true), registry, order);
    });
  }
}

test('Nest global layer + @Route into another registry: each registry counts once', async (t) => {
  const registry = new MetricsRegistry();
  const own = new MetricsRegistry();
  const { base, watch } = await start(t, writtenController(own), { registry, http: true });
  await drive(t, base);
  await eventually(() => total(registry, REQS) >= TRAFFIC.length, 'every request');
  await watch.responsesClosed();
  assertEveryRequestOnce(t, registry);
  // The decorator's own registry has what reached the handlers, under the same routes.
  t.is(total(own, REQS), 5);
  t.is(counter(own, `${REQS}method=GET,route=${ID},code_class=2xx`), 2);
  t.is(counter(own, `${REQS}method=POST,route=${JOBS},code_class=2xx`), 1);
});

for (const dialect of DIALECTS) {
  test(`Nest @Route alone, ${dialect} decorators: prefix and version in the route; guard, pipe and 404 unseen`, async (t) => {
    const registry = new MetricsRegistry();
    const { base, watch } = await start(t, fixtureController(dialect, registry, true), {
      registry,
    });
    await drive(t, base);
    await eventually(() => total(registry, REQS) >= 5, 'the handlers’ calls');
    await watch.responsesClosed();
    // Only the calls that reached a handler: 2 × 200, the 418, the 500 and the 201.
    t.is(total(registry, REQS), 5);
    t.is(counter(registry, `${REQS}method=GET,route=${ID},code_class=2xx`), 2);
    t.is(counter(registry, `${ERRS}route=${ID},code=418`), 1);
    t.is(counter(registry, `${ERRS}route=${ID},code=500`), 1);
    t.is(counter(registry, `${REQS}method=POST,route=${JOBS},code_class=2xx`), 1);
    t.is(counter(registry, `${ERRS}route=${ID},code=400`), 0, 'the pipe stops it first');
    t.is(counter(registry, `${ERRS}route=${SECRET},code=403`), 0, 'the guard stops it first');
    t.is(counter(registry, `${ERRS}route=${UNMATCHED_ROUTE},code=404`), 0);
  });
}
