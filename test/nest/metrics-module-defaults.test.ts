import 'reflect-metadata';
import test from 'ava';
import {
  Controller,
  Get,
  Injectable,
  Module,
  SetMetadata,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { APP_GUARD, NestFactory, Reflector } from '@nestjs/core';
import { MetricsRegistry, ResourceSampler } from '../../src';
import {
  MetricsEndpointController,
  MetricsModule,
  type MetricsModuleOptions,
} from '../../src/nest';
import { eventually } from '../support/wait';

/** The `@Public()` of JWT apps: a global guard lets through what carries it, else 401. */
const IS_PUBLIC = 'isPublic';
const Public = () => SetMetadata(IS_PUBLIC, true);

@Injectable()
class JwtLikeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}
  canActivate(ctx: ExecutionContext): boolean {
    const open = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (open === true) return true;
    throw new UnauthorizedException();
  }
}

@Controller('api')
class ApiController {
  @Get('me')
  me() {
    return { me: true };
  }
}

async function start(
  t: import('ava').ExecutionContext,
  opts: MetricsModuleOptions,
  guarded = false,
): Promise<{ app: INestApplication; base: string }> {
  @Module({
    imports: [MetricsModule.forRoot(opts)],
    controllers: [ApiController],
    providers: guarded ? [{ provide: APP_GUARD, useClass: JwtLikeGuard }] : [],
  })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
  t.teardown(() => app.close());
  await app.listen(0, '127.0.0.1');
  return { app, base: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

const scrape = async (base: string, path = '/metrics?format=prometheus') => {
  const res = await fetch(base + path);
  return { status: res.status, body: await res.text() };
};

test('Nest: forRoot serves process_* and nodejs_* families by default, and closing the app stops the sampler', async (t) => {
  const registry = new MetricsRegistry({ logger: () => {} });
  const { app, base } = await start(t, { registry });
  const sampler = app.get(ResourceSampler);
  t.true(sampler.running, 'started with the app');
  await eventually(
    () => (registry.snapshot().gauges.nodejs_heap_size_used_bytes ?? 0) > 0,
    'a first sample',
  );
  const { body } = await scrape(base);
  for (const family of [
    'process_cpu_user_seconds_total',
    'process_resident_memory_bytes',
    'process_start_time_seconds',
    'nodejs_heap_size_used_bytes',
    'nodejs_eventloop_lag_seconds',
    'nodejs_version_info',
  ]) {
    t.regex(body, new RegExp(`^# TYPE ${family} `, 'm'), family);
  }
  await app.close();
  t.false(sampler.running, 'its timers, lag monitor and GC observer are gone with the app');
});

test('Nest: processMetrics: false starts no sampler; an object gives its options', async (t) => {
  const off = await start(t, { registry: new MetricsRegistry(), processMetrics: false });
  t.throws(() => off.app.get(ResourceSampler));
  t.notRegex((await scrape(off.base)).body, /process_|nodejs_/);

  const registry = new MetricsRegistry({ logger: () => {} });
  const on = await start(t, { registry, processMetrics: { prefix: 'app_' } });
  await eventually(
    () => (registry.snapshot().gauges.app_nodejs_heap_size_used_bytes ?? 0) > 0,
    'prefixed families',
  );
  t.regex((await scrape(on.base)).body, /^app_nodejs_heap_size_used_bytes [1-9]/m);
  t.throws(() => MetricsModule.forRoot({ processMetrics: { intervalMs: -1 } }), {
    message: /^obsweave: /,
  });
  t.throws(() => MetricsModule.forRoot({ processMetrics: 'yes' as never }), {
    message: /^obsweave: MetricsModule\.forRoot: processMetrics must be/,
  });
});

test('Nest: behind a global guard the endpoint answers 401, and a controller of the app’s own marked @Public() serves it', async (t) => {
  const plain = await start(t, { registry: new MetricsRegistry(), processMetrics: false }, true);
  t.is((await scrape(plain.base)).status, 401, 'the guard stops obsweave’s own controller');

  @Public()
  class PublicMetricsController extends MetricsEndpointController {}
  const registry = new MetricsRegistry();
  registry.counter('jobs.created_total').inc(3);
  const open = await start(
    t,
    { registry, processMetrics: false, controller: PublicMetricsController },
    true,
  );
  const res = await scrape(open.base);
  t.is(res.status, 200);
  t.regex(res.body, /^jobs_created_total 3$/m);
  t.is((await scrape(open.base, '/metrics/ui')).status, 200, 'the dashboard too');
  t.is((await scrape(open.base, '/api/me')).status, 401, 'the rest of the app stays guarded');
});

test('Nest: a decorator on an overridden scrape reaches every route of the endpoint, and the token still applies', async (t) => {
  class MetricsWithPublicScrape extends MetricsEndpointController {
    @Public()
    override scrape(...args: Parameters<MetricsEndpointController['scrape']>): void {
      super.scrape(...args);
    }
  }
  const { base } = await start(
    t,
    {
      registry: new MetricsRegistry(),
      processMetrics: false,
      controller: MetricsWithPublicScrape,
      path: 'ops/metrics',
      token: 'tkn',
    },
    true,
  );
  t.is((await scrape(base, '/ops/metrics')).status, 401, 'past the guard, the token');
  const ok = await fetch(`${base}/ops/metrics`, { headers: { authorization: 'Bearer tkn' } });
  t.is(ok.status, 200);
  t.is((await scrape(base, '/ops/metrics/ui')).status, 200);
});

test('Nest: forRoot refuses a controller that does not extend MetricsEndpointController', (t) => {
  class Other {}
  t.throws(() => MetricsModule.forRoot({ controller: Other as never }), {
    message: /^obsweave: MetricsModule\.forRoot: controller must be a class that extends/,
  });
});
