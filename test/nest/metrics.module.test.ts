import 'reflect-metadata';
import test from 'ava';
import {
  Controller,
  Get,
  HttpCode,
  HttpException,
  Module,
  NotFoundException,
  Param,
  Post,
  Req,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { MetricsRegistry, type Snapshot } from '../../src';
import { Route } from '../../src';
import { correlationId } from '../../src';
import { MetricsModule, type MetricsModuleOptions } from '../../src/nest';
import { counter, total } from '../support/registry';
import { watchServer } from '../support/http';
import { eventually } from '../support/wait';

const REQS = 'http.requests_total|';

/** The events that carry each started app's records, by its base URL. */
const watches = new Map<string, ReturnType<typeof watchServer>>();

async function start(
  t: import('ava').ExecutionContext,
  controllers: (new (...a: never[]) => unknown)[],
  opts: MetricsModuleOptions,
  prefix?: string,
) {
  @Module({ imports: [MetricsModule.forRoot(opts)], controllers })
  class AppModule {}
  const app: INestApplication = await NestFactory.create(AppModule, { logger: false });
  if (prefix) app.setGlobalPrefix(prefix);
  t.teardown(() => app.close());
  const watch = watchServer(app.getHttpServer());
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  watches.set(base, watch);
  return base;
}

function plainControllers() {
  @Controller('jobs')
  class JobsController {
    @Get(':id')
    async get(@Param('id') id: string, @Req() req: unknown) {
      await new Promise((r) => setTimeout(r, 1));
      if (id === 'gone') throw new NotFoundException();
      if (id === 'teapot') throw new HttpException('short and stout', 418);
      return { id, correlation: correlationId(), ofRequest: correlationId(req) };
    }

    @Post()
    @HttpCode(202)
    create() {
      return { ok: true };
    }
  }
  return [JobsController];
}

test('Nest: forRoot mounts the controller at its path, with token and formats', async (t) => {
  const registry = new MetricsRegistry();
  registry.counter('jobs.created_total').inc(2);
  const base = await start(t, plainControllers(), { path: 'ops/metrics', registry, token: 'tkn' });
  t.is((await fetch(`${base}/ops/metrics`)).status, 401);
  const auth = { authorization: 'Bearer tkn' };
  const json = await fetch(`${base}/ops/metrics`, { headers: auth });
  t.is(json.status, 200);
  t.is(((await json.json()) as Snapshot).counters['jobs.created_total'], 2);
  const prom = await fetch(`${base}/ops/metrics?format=prometheus`, { headers: auth });
  t.regex(await prom.text(), /^jobs_created_total 2$/m);
  const om = await fetch(`${base}/ops/metrics`, {
    headers: { ...auth, accept: 'application/openmetrics-text' },
  });
  t.true((await om.text()).endsWith('# EOF\n'));
});

test('Nest: http option measures the whole app with route templates and HttpException statuses', async (t) => {
  const registry = new MetricsRegistry();
  const base = await start(
    t,
    plainControllers(),
    { registry, http: { correlation: 'context' } },
    'api',
  );
  const N = 20;
  const bodies = await Promise.all(
    Array.from({ length: N }, (_, i) =>
      fetch(`${base}/api/jobs/${i}`, { headers: { 'x-correlation-id': `n-${i}` } }).then((r) =>
        r.json(),
      ),
    ),
  );
  bodies.forEach((b, i) =>
    t.like(
      b,
      { correlation: `n-${i}`, ofRequest: `n-${i}` },
      'after an await, and from the request',
    ),
  );
  await (await fetch(`${base}/api/jobs/gone`)).text();
  await (await fetch(`${base}/api/jobs/teapot`)).text();
  await (await fetch(`${base}/api/jobs`, { method: 'POST' })).text();
  await (await fetch(`${base}/api/nothing/here`)).text();
  await (await fetch(`${base}/api/metrics`)).text();
  await eventually(() => total(registry, REQS) === N + 4, 'all requests');
  t.is(counter(registry, `${REQS}method=GET,route=/api/jobs/:id,code_class=2xx`), N);
  t.is(counter(registry, 'http.errors_total|route=/api/jobs/:id,code=404'), 1);
  t.is(counter(registry, 'http.errors_total|route=/api/jobs/:id,code=418'), 1);
  t.is(counter(registry, `${REQS}method=POST,route=/api/jobs,code_class=2xx`), 1);
  // An unknown path reaches Nest's own catch-all route: its template, never the raw path.
  t.is(total(registry, 'http.errors_total|') - 2, 1);
  t.false(JSON.stringify(registry.snapshot()).includes('nothing/here'));
  await watches.get(base)!.responsesClosed();
  t.is(total(registry, REQS), N + 4, 'the scrape itself is not counted');
});

test('Nest: @Route reads @Controller + @Get paths, @HttpCode and HttpException statuses', async (t) => {
  const registry = new MetricsRegistry();
  @Controller('jobs')
  class RoutedController {
    @Get(':id')
    @Route(undefined, { registry })
    async get(@Param('id') id: string) {
      await new Promise((r) => setTimeout(r, 1));
      if (id === 'gone') throw new NotFoundException();
      return { id };
    }

    @Route(undefined, { registry })
    @Post()
    @HttpCode(202)
    create() {
      return { ok: true };
    }
  }
  const base = await start(t, [RoutedController], { registry });
  for (let i = 0; i < 5; i++) t.is((await fetch(`${base}/jobs/${i}`)).status, 200);
  t.is((await fetch(`${base}/jobs/gone`)).status, 404);
  t.is((await fetch(`${base}/jobs`, { method: 'POST' })).status, 202);
  await eventually(() => total(registry, REQS) === 7, 'all calls');
  t.is(counter(registry, `${REQS}method=GET,route=/jobs/:id,code_class=2xx`), 5);
  t.is(counter(registry, `${REQS}method=GET,route=/jobs/:id,code_class=4xx`), 1);
  t.is(counter(registry, 'http.errors_total|route=/jobs/:id,code=404'), 1);
  t.is(counter(registry, `${REQS}method=POST,route=/jobs,code_class=2xx`), 1);
});
