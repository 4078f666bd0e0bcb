import test from 'ava';
import 'reflect-metadata';
import { Controller, Get, HttpCode, HttpException, Post, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetricsRegistry } from '../../src';
import * as api from '../../src';
import { Route } from '../../src';
import {
  NEST_HTTP_CODE,
  NEST_METHOD,
  NEST_PATH,
  NEST_REQUEST_METHODS,
} from '../../src/decorators/nest-metadata';
import type { Api } from '../fixtures/standard/api';
import type * as Forms from '../fixtures/standard/forms.fixture';
import { runChecklist } from './checklist';
import { DIALECTS, fixture } from './helpers';
import { counter, histCount, total, quietRegistry } from '../support/registry';

runChecklist({
  title: '@Route',
  decorate:
    (a, { registry }) =>
    () =>
      a.Route(undefined, { registry }),
  recorder: ({ registry }) => ({
    total: (m) => histCount(registry, `http.request_latency_ms|route=Checklist.${m}`),
    failed: (m) =>
      total(registry, 'http.requests_total|method=GET,', (k) =>
        k.endsWith(`route=Checklist.${m},code_class=5xx`),
      ),
  }),
});

test('the NestJS metadata keys and RequestMethod numbers are the ones @Route reads', (t) => {
  t.is(NEST_PATH, PATH_METADATA);
  t.is(NEST_METHOD, METHOD_METADATA);
  t.is(NEST_HTTP_CODE, HTTP_CODE_METADATA);
  NEST_REQUEST_METHODS.forEach((name, i) => t.is(RequestMethod[i], name));
  t.is(
    (RequestMethod as Record<number, string | undefined>)[NEST_REQUEST_METHODS.length],
    undefined,
  );
});

function controllers(registry: MetricsRegistry) {
  @Controller('jobs')
  class JobsController {
    @Get(':id')
    @Route(undefined, { registry })
    below(id: string): string {
      return id;
    }

    @Route(undefined, { registry })
    @Get(':id/events')
    above(): string {
      return 'events';
    }

    @Route(undefined, { registry })
    @HttpCode(202)
    @Post()
    create(): string {
      return 'created';
    }

    @Post('plain')
    @Route(undefined, { registry })
    plainPost(): string {
      return 'p';
    }

    @Get('missing')
    @Route(undefined, { registry })
    async missing(): Promise<never> {
      throw new HttpException('nope', 404);
    }

    @Route('/api/v1/custom', { registry, method: 'put', status: 204 })
    @Get('ignored')
    custom(): void {}
  }
  return JobsController;
}

test("@Route under NestJS: @Get(':id') under @Controller('jobs') is /jobs/:id in either order", async (t) => {
  const registry = quietRegistry();
  const Jobs = controllers(registry);
  const c = new Jobs();
  t.is(c.below('1'), '1');
  t.is(c.above(), 'events');
  t.is(c.create(), 'created');
  t.is(c.plainPost(), 'p');
  await t.throwsAsync(c.missing(), { instanceOf: HttpException });
  c.custom();
  const req = 'http.requests_total|method=';
  t.is(counter(registry, `${req}GET,route=/jobs/:id,code_class=2xx`), 1);
  t.is(counter(registry, `${req}GET,route=/jobs/:id/events,code_class=2xx`), 1);
  t.is(counter(registry, `${req}POST,route=/jobs,code_class=2xx`), 1);
  t.is(counter(registry, `${req}POST,route=/jobs/plain,code_class=2xx`), 1);
  t.is(counter(registry, `${req}GET,route=/jobs/missing,code_class=4xx`), 1);
  t.is(counter(registry, 'http.errors_total|route=/jobs/missing,code=404'), 1);
  t.is(counter(registry, `${req}PUT,route=/api/v1/custom,code_class=2xx`), 1);
  t.is(histCount(registry, 'http.request_latency_ms|route=/jobs/:id'), 1);
  // Nest itself still finds its metadata on whatever is on the prototype.
  const proto = Jobs.prototype as any;
  t.is(Reflect.getMetadata(PATH_METADATA, proto.below), ':id');
  t.is(Reflect.getMetadata(PATH_METADATA, proto.above), ':id/events');
  t.is(Reflect.getMetadata(METHOD_METADATA, proto.create), RequestMethod.POST);
  t.is(Reflect.getMetadata(HTTP_CODE_METADATA, proto.create), 202);
  t.is(Reflect.getMetadata(PATH_METADATA, Jobs), 'jobs');
});

test('@Route: status on failure from getStatus(), status, statusCode, else 500', (t) => {
  const registry = quietRegistry();
  class H {
    @Route('/x', { registry })
    fail(e: unknown): never {
      throw e;
    }
  }
  const h = new H();
  const errs = [
    { getStatus: () => 403 },
    Object.assign(new Error(), { status: 409 }),
    Object.assign(new Error(), { statusCode: 503 }),
    new Error('plain'),
    'string',
    Object.assign(new Error(), { status: 'bad' }),
  ];
  for (const e of errs) t.throws(() => h.fail(e), { any: true });
  const code = (c: string) => counter(registry, `http.errors_total|route=/x,code=${c}`);
  t.deepEqual(['403', '409', '503', '500'].map(code), [1, 1, 1, 3]);
  t.is(counter(registry, 'http.requests_total|method=GET,route=/x,code_class=5xx'), 4);
  t.is(counter(registry, 'http.requests_total|method=GET,route=/x,code_class=4xx'), 2);
});

test('@Route: bad arguments throw at decoration time', (t) => {
  t.throws(() => Route(1 as never), { message: /@Route/ });
  t.throws(() => Route('/x', { status: 42 }), { message: /@Route/ });
  t.throws(() => Route('/x', { method: '' }), { message: /@Route/ });
});

for (const dialect of DIALECTS) {
  test(`@Route [${dialect}]: metadata below and above, on the class, Class.method fallback`, (t) => {
    const registry = quietRegistry();
    const { routes } = fixture<typeof Forms>(dialect, 'forms.fixture');
    const Jobs = routes(api as unknown as Api, registry);
    const j = new Jobs();
    j.get('1');
    t.throws(() => j.create());
    j.plain();
    const req = 'http.requests_total|method=';
    t.is(counter(registry, `${req}GET,route=/jobs/:id,code_class=2xx`), 1);
    t.is(counter(registry, `${req}POST,route=/jobs,code_class=4xx`), 1);
    t.is(counter(registry, 'http.errors_total|route=/jobs,code=409'), 1);
    t.is(counter(registry, `${req}GET,route=Jobs.plain,code_class=2xx`), 1);
  });
}
