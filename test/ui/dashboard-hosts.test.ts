import 'reflect-metadata';
import test, { type ExecutionContext } from 'ava';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import express from 'express';
import Fastify from 'fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DASHBOARD_CSP, MetricsRegistry, createMetricsHandler, type DashboardSlo } from '../../src';
import { fastifyMetrics } from '../../src/fastify';
import { MetricsModule } from '../../src/nest';
import { listen } from '../support/http';

/** What a host is given: the registry it serves and the dashboard's options. */
interface HostOptions {
  registry: MetricsRegistry;
  token?: string;
  ui?: boolean;
  slos?: DashboardSlo[];
}

/** Starts a host with its metrics endpoint at `/metrics`; resolves to the base URL. */
type StartHost = (t: ExecutionContext, opts: HostOptions) => Promise<string>;

const HOSTS: Record<string, StartHost> = {
  'createMetricsHandler (node:http)': async (t, opts) => {
    const handler = createMetricsHandler(opts);
    const server = http.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/metrics' || path.startsWith('/metrics/')) return handler(req, res);
      res.statusCode = 404;
      res.end();
    });
    return listen(t, server);
  },
  'createMetricsHandler (Express, app.use)': async (t, opts) => {
    const app = express();
    app.use('/metrics', createMetricsHandler(opts));
    return listen(t, http.createServer(app));
  },
  'MetricsModule (NestJS)': async (t, opts) => {
    @Module({ imports: [MetricsModule.forRoot({ path: 'metrics', ...opts })] })
    class AppModule {}
    const app: INestApplication = await NestFactory.create(AppModule, { logger: false });
    t.teardown(() => app.close());
    await app.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  },
  'fastifyMetrics (Fastify, serve)': async (t, { registry, ...serve }) => {
    const app = Fastify();
    t.teardown(() => app.close());
    await app.register(fastifyMetrics, { registry, serve });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  },
};

/** A label value that must never reach the page's HTML. */
const SECRET_ROUTE = '/private/route-only-the-data-shows';

function registry(): MetricsRegistry {
  const r = new MetricsRegistry();
  r.registerCatalog();
  r.counter('http.requests_total', { labelNames: ['method', 'route', 'code_class'] }).inc(3, {
    method: 'GET',
    route: SECRET_ROUTE,
    code_class: '2xx',
  });
  return r;
}

const SLOS: DashboardSlo[] = [
  {
    name: 'http-availability',
    objective: 0.99,
    sli: { errors: 'http_requests_total{code_class="5xx"}', total: 'http_requests_total' },
  },
];

const FILES: [string, string][] = [
  ['/metrics/ui', 'text/html; charset=utf-8'],
  ['/metrics/ui/app.js', 'text/javascript; charset=utf-8'],
  ['/metrics/ui/model.js', 'text/javascript; charset=utf-8'],
  ['/metrics/ui/dashboard.css', 'text/css; charset=utf-8'],
  ['/metrics/ui/icon.svg', 'image/svg+xml'],
];

for (const [host, start] of Object.entries(HOSTS)) {
  test(`${host}: the page and its files, with their types, CSP and validators`, async (t) => {
    const base = await start(t, { registry: registry() });
    for (const [path, type] of FILES) {
      const res = await fetch(`${base}${path}`);
      const body = await res.text();
      t.is(res.status, 200, path);
      t.is(res.headers.get('content-type'), type, path);
      t.is(res.headers.get('content-security-policy'), DASHBOARD_CSP, path);
      t.is(res.headers.get('x-content-type-options'), 'nosniff', path);
      t.is(res.headers.get('cache-control'), 'no-cache', path);
      const etag = res.headers.get('etag');
      t.regex(etag ?? '', /^"[\w-]+"$/, path);
      t.true(body.length > 0, path);
      const again = await fetch(`${base}${path}`, { headers: { 'if-none-match': etag! } });
      t.is(again.status, 304, `${path} revalidates`);
      t.is(await again.text(), '');
    }
    // The snapshot is still where it was, and unknown files are not served.
    const snap = await fetch(`${base}/metrics`, { headers: { accept: 'application/json' } });
    t.is(snap.status, 200);
    t.true(JSON.stringify(await snap.json()).includes(SECRET_ROUTE));
    for (const path of ['/metrics/ui/nope.js', '/metrics/ui/%2e%2e%2fpackage.json']) {
      const res = await fetch(`${base}${path}`);
      await res.text();
      t.is(res.status, 404, path);
    }
    const config = await fetch(`${base}/metrics/ui/config.json`);
    t.is(config.status, 200);
    // No SLOs given: the page shows DEFAULT_SLOS.
    t.deepEqual(
      ((await config.json()) as { slos: { name: string }[] }).slos.map((s) => s.name),
      ['http-availability', 'http-latency', 'external-calls', 'jobs'],
    );
  });

  test(`${host}: with a token, the page is served but holds no data, and the data needs the token`, async (t) => {
    const token = 's3cr3t-token-value';
    const base = await start(t, { registry: registry(), token, slos: SLOS });
    const page = await fetch(`${base}/metrics/ui`);
    const html = await page.text();
    t.is(page.status, 200);
    t.false(html.includes(SECRET_ROUTE), 'no label value in the page');
    t.false(html.includes(token));
    t.false(html.includes('http-availability'), 'not even the SLOs');
    // No inline script, no inline style: everything comes from files.
    t.deepEqual(html.match(/<script\b[^>]*>/g), ['<script type="module" src="ui/app.js">']);
    t.notRegex(html, /<style\b|\sstyle=|\son[a-z]+=/i);

    for (const path of ['/metrics', '/metrics/ui/config.json']) {
      const none = await fetch(`${base}${path}`);
      const text = await none.text();
      t.is(none.status, 401, path);
      t.false(text.includes(SECRET_ROUTE));
      const wrong = await fetch(`${base}${path}`, { headers: { authorization: 'Bearer nope' } });
      await wrong.text();
      t.is(wrong.status, 401, path);
      const ok = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      t.is(ok.status, 200, path);
      const body = await ok.text();
      t.true(body.includes(path === '/metrics' ? SECRET_ROUTE : 'http-availability'), path);
    }
    const config = await fetch(`${base}/metrics/ui/config.json`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { slos, refreshMs } = (await config.json()) as { slos: unknown[]; refreshMs: number };
    t.true(refreshMs <= 2000);
    t.deepEqual(slos, [
      {
        name: 'http-availability',
        objective: 0.99,
        by: [],
        errors: {
          metric: 'http_requests_total',
          matchers: [{ label: 'code_class', op: '=', value: '5xx' }],
        },
        total: { metric: 'http_requests_total', matchers: [] },
      },
    ]);
  });

  test(`${host}: ui: false serves no page`, async (t) => {
    const base = await start(t, { registry: registry(), ui: false });
    for (const path of ['/metrics/ui', '/metrics/ui/app.js']) {
      const res = await fetch(`${base}${path}`);
      const body = await res.text();
      t.false((res.headers.get('content-type') ?? '').startsWith('text/html'), path);
      t.false((res.headers.get('content-type') ?? '').startsWith('text/javascript'), path);
      t.is(res.headers.get('content-security-policy'), null, path);
      t.false(body.includes('<script'), path);
    }
    const snap = await fetch(`${base}/metrics`);
    t.is(snap.status, 200);
  });
}
