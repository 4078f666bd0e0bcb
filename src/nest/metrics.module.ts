import {
  Controller,
  Get,
  Inject,
  Module,
  Req,
  RequestMethod,
  Res,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMetricsHandler } from '../controller/metrics-handler';
import { metrics, MetricsRegistry } from '../core/metrics-registry';
import type { ExportSource } from '../core/types';
import { routeMountOf } from '../decorators/route.decorator';
import {
  httpMetrics,
  type HttpMetricsMiddleware,
  type HttpMetricsOptions,
} from '../http/middleware';
import { untrackRequest } from '../http/request-lifecycle';
import type { DashboardHostOptions } from '../ui/dashboard';
import { METRICS_REGISTRY } from './metric-providers';
import { NestRouteNames } from './nest-route-names';
import { nestRoutes } from './nest-routes';

export interface MetricsModuleOptions extends DashboardHostOptions {
  /** Where the controller is mounted, below any global prefix. Default `metrics`. */
  path?: string;
  /**
   * What is served. Default: the process-wide `metrics`. A `ClusterRegistry` serves a whole
   * cluster; `http` then records into the process-wide `metrics`.
   */
  registry?: MetricsRegistry | ExportSource;
  /** When set, scrapes must carry `Authorization: Bearer <token>`. */
  token?: string;
  /**
   * Measures every request of the app, whatever answers it (a guard, a pipe, an exception
   * filter, Nest's not-found handler, a thrown error), once, with the `httpMetrics` middleware,
   * mounted before anything else on Express. Route labels are the paths Nest serves its
   * handlers at (global prefix and URI version included), `__unmatched__` for a path no handler
   * serves; statuses as sent. `@Route` on handlers then records nothing into the same registry.
   */
  http?: boolean | HttpMetricsOptions;
}

const METRICS_MODULE_OPTIONS = Symbol.for('obsweave.nest.metricsModuleOptions');

/** Platform-neutral: Express hands over the Node objects, Fastify wraps them in `raw`. */
type MaybeWrapped<T> = T & { raw?: T };

function metricsControllerFor(path: string, opts: MetricsModuleOptions): new () => unknown {
  const { registry, token, ui, slos } = opts;
  const handler = createMetricsHandler({ registry, token, ui, slos });
  // The app's own measurement must not count its scrapes, whatever prefix the path is under;
  // unless the caller chose what to ignore.
  const keepScrapes = typeof opts.http === 'object' && typeof opts.http.ignore === 'function';

  class ObsweaveMetricsController {
    scrape(req: MaybeWrapped<IncomingMessage>, res: MaybeWrapped<ServerResponse>): void {
      const rawReq = req.raw ?? req;
      if (!keepScrapes) untrackRequest(rawReq);
      handler(rawReq, res.raw ?? res);
    }
  }
  // Decorators applied by hand: the path is only known when `forRoot` is called.
  const proto = ObsweaveMetricsController.prototype;
  // One method per path (Nest keeps a route's metadata on its function): the endpoint, and the
  // dashboard's page and files unless `ui: false`.
  const routes: [string, string][] = [['scrape', '']];
  if (ui !== false) routes.push(['dashboard', 'ui'], ['dashboardFile', 'ui/:file']);
  for (const [method, route] of routes) {
    if (method !== 'scrape') {
      Object.defineProperty(proto, method, {
        value: function (this: ObsweaveMetricsController, req: never, res: never) {
          this.scrape(req, res);
        },
      });
    }
    Req()(proto, method, 0);
    Res()(proto, method, 1);
    Get(route)(proto, method, Object.getOwnPropertyDescriptor(proto, method)!);
  }
  Controller(path)(ObsweaveMetricsController);
  return ObsweaveMetricsController;
}

/**
 * `MetricsModule.forRoot({ path: 'metrics', registry, token, http })` serves the registry at
 * `GET /<path>` through `MetricsController` (JSON, Prometheus or OpenMetrics by `Accept`), the
 * dashboard at `GET /<path>/ui` (unless `ui: false`), and with `http` measures the whole app.
 */
@Module({})
export class MetricsModule implements NestModule, OnApplicationBootstrap {
  private readonly routeNames = new NestRouteNames();
  /** The app-wide layer, unless `http` is off. */
  private readonly middleware: HttpMetricsMiddleware | undefined;
  /** Whether it went first on the HTTP adapter, or waits for Nest's middleware consumer. */
  private readonly mountedFirst: boolean = false;

  constructor(
    @Inject(METRICS_MODULE_OPTIONS) options: MetricsModuleOptions,
    /** Where `http` and the injected metrics record. */
    @Inject(METRICS_REGISTRY) private readonly registry: MetricsRegistry,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(ModulesContainer) private readonly modules: ModulesContainer,
    @Inject(ApplicationConfig) private readonly config: ApplicationConfig,
  ) {
    const http = options.http;
    if (http === undefined || http === false) return;
    this.middleware = httpMetrics({
      registry,
      ...(http === true ? {} : http),
      resolveRoute: this.routeNames.resolve,
    });
    // Modules are made inside NestFactory.create(): on Express this is before the body parser,
    // CORS, the user's app.use() and every route, so whatever answers a request, it was begun.
    const adapter = adapterHost?.httpAdapter;
    if (adapter != null && adapter.getType?.() === 'express') {
      adapter.use(this.middleware);
      this.mountedFirst = true;
    }
  }

  static forRoot(options: MetricsModuleOptions = {}): DynamicModule {
    const path = (options.path ?? 'metrics').replace(/^\/+/, '');
    const own = options.registry;
    // A ClusterRegistry is served; what this process records goes to the process-wide one.
    const registry = own instanceof MetricsRegistry ? own : metrics;
    return {
      module: MetricsModule,
      // So that metric providers of any module find the registry.
      global: true,
      controllers: [metricsControllerFor(path, options)],
      providers: [
        { provide: METRICS_MODULE_OPTIONS, useValue: options },
        { provide: METRICS_REGISTRY, useValue: registry },
      ],
      exports: [METRICS_REGISTRY],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    if (this.middleware === undefined || this.mountedFirst) return;
    consumer.apply(this.middleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }

  /**
   * Routes are registered by now, with the global prefix and versioning the app set: the layer
   * learns the paths, and each `@Route` handler its own path and whether the layer counts it.
   */
  onApplicationBootstrap(): void {
    const adapter = this.adapterHost?.httpAdapter as
      { normalizePath?(p: string): string } | undefined;
    const normalize =
      typeof adapter?.normalizePath === 'function'
        ? (p: string) => adapter.normalizePath!(p)
        : undefined;
    const routes = nestRoutes(this.modules, this.config, normalize);
    this.routeNames.update(routes);
    const layer = this.middleware !== undefined;
    const seen = new Set<Function>();
    for (const r of routes) {
      if (seen.has(r.handler)) continue; // a handler served at several paths is named by its first
      seen.add(r.handler);
      const mount = routeMountOf(r.handler);
      mount?.mount(r.path, layer && mount.registry === this.registry);
    }
  }
}
