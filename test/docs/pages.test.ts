import test from 'ava';
import { has, testPage, untestedBlocks } from './snippets';

// The snippets of the docs/ pages the README links for details, compiled as CommonJS and run
// against the built package (see ./snippets.ts).

const PAGES = [
  'docs/api.md',
  'docs/cardinality-and-redaction.md',
  'docs/dashboard.md',
  'docs/decorators.md',
  'docs/http.md',
  'docs/metrics.md',
  'docs/nest.md',
  'docs/registry.md',
];

test('docs: every ts snippet of these pages is tested', (t) => {
  t.deepEqual(
    PAGES.flatMap((p) => untestedBlocks(p)),
    [],
  );
});

testPage('docs/http.md', {
  'http-options': {
    before: `
import __express from 'express';
const app = __express();`,
    after: `
import { metrics as __metrics } from 'obsweave';
app.use((_req, res, next) => {
  res.locals.tenant = 'acme';
  next();
});
app.get('/jobs/:id', (_req, res) => {
  res.send('ok');
});
const __server = app.listen(0, '127.0.0.1', async () => {
  const base = \`http://127.0.0.1:\${(__server.address() as { port: number }).port}\`;
  await (await fetch(\`\${base}/jobs/1\`)).text();
  await (await fetch(\`\${base}/jobs/1\`, { method: 'OPTIONS' })).text();
  console.log(__metrics.toPrometheus());
  __server.close();
});`,
    check(t, out) {
      has(
        t,
        out,
        'http_requests_total',
        { method: 'GET', route: '/jobs/:id', tenant: 'acme' },
        '1',
      );
      t.false(out.includes('method="OPTIONS"'), 'bypassed');
      has(t, out, 'http_request_latency_seconds_bucket', { route: '/jobs/:id', le: '0.025' });
    },
  },
  'http-latency-labels': {
    check(t, out) {
      has(
        t,
        out,
        'http_request_latency_seconds_count',
        { route: '/jobs', method: 'POST', code_class: '2xx' },
        '1',
      );
    },
  },
});

testPage('docs/registry.md', {
  'registry-collectors': {
    // The queue kept elsewhere: three uploads waiting.
    before: `const redis = { llen: async (_key: string) => 3 };`,
    check(t, out) {
      has(t, out, 'queue_depth', { queue: 'transcribe' }, '12');
      has(t, out, 'queue_depth', { queue: 'upload' }, '3');
    },
  },
  'registry-default-labels': {
    after: `
registry.counter('jobs.created_total').inc();
console.log(registry.toPrometheus());
metrics.counter('jobs.created_total').inc();
console.log(metrics.toPrometheus());`,
    check(t, out) {
      has(t, out, 'jobs_created_total', { service: 'api', version: '1.4.2' }, '1');
      has(t, out, 'jobs_created_total', { service: 'api', version: 'dev' }, '1');
    },
  },
});

testPage('docs/dashboard.md', {
  'dashboard-slos': {
    before: `process.env.METRICS_TOKEN = 'tkn';`,
    after: `
import { createServer as __createServer } from 'node:http';
const __server = __createServer(serveMetrics).listen(0, '127.0.0.1', async () => {
  const { port } = __server.address() as { port: number };
  const res = await fetch(\`http://127.0.0.1:\${port}/metrics/ui/config.json\`, {
    headers: { authorization: \`Bearer \${process.env.METRICS_TOKEN}\` },
  });
  console.log(await res.text());
  __server.close();
});`,
    check(t, out) {
      const config = JSON.parse(out) as { slos: { name: string }[]; heldOpen: string[] };
      t.deepEqual(
        config.slos.map((s) => s.name),
        ['http-availability', 'external-calls'],
      );
      t.deepEqual(config.heldOpen, ['/api/jobs/:id/events']);
    },
  },
});

testPage('docs/nest.md', {
  'nest-guard': {
    // The app's global guard: the JWT pattern, which lets through what carries isPublic.
    before: `
import { Injectable as __Injectable, UnauthorizedException as __Unauthorized, type CanActivate as __CanActivate, type ExecutionContext as __Ctx } from '@nestjs/common';
import { APP_GUARD as __APP_GUARD, NestFactory as __NestFactory, Reflector as __Reflector } from '@nestjs/core';
@__Injectable()
class __JwtGuard implements __CanActivate {
  constructor(private readonly reflector: __Reflector) {}
  canActivate(ctx: __Ctx): boolean {
    if (this.reflector.getAllAndOverride('isPublic', [ctx.getHandler(), ctx.getClass()])) return true;
    throw new __Unauthorized();
  }
}`,
    after: `
import { Module as __Module, type DynamicModule as __Dyn, type Type as __Type } from '@nestjs/common';
/** The scrape's status in an app with the guard, importing \`metricsModule\`. */
async function __status(metricsModule: __Type | __Dyn): Promise<number> {
  @__Module({ imports: [metricsModule], providers: [{ provide: __APP_GUARD, useClass: __JwtGuard }] })
  class GuardedApp {}
  const app = await __NestFactory.create(GuardedApp, { logger: false });
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const { status } = await fetch(\`\${base}/metrics\`);
  await app.close();
  return status;
}
void (async () => {
  const own = await __status(MetricsModule.forRoot({ processMetrics: false }));
  const pub = await __status(AppModule);
  console.log(\`obsweave's controller \${own}, PublicMetricsController \${pub}\`);
})();`,
    check(t, out) {
      t.regex(out, /^obsweave's controller 401, PublicMetricsController 200$/m);
    },
  },
  'nest-inject': {
    after: `
import { NestFactory as __NestFactory } from '@nestjs/core';
void __NestFactory.createApplicationContext(AppModule, { logger: false }).then(async (app) => {
  app.get(UploadsService).create('video');
  console.log((await import('obsweave')).metrics.toPrometheus());
  await app.close();
});`,
    check(t, out) {
      has(t, out, 'uploads_created_total', { kind: 'video' }, '1');
    },
  },
});
