import {
  Inject,
  Module,
  Optional,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
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
import { ResourceSampler, type ResourceSamplerOptions } from '../runtime/resource-sampler';
import type { DashboardHostOptions } from '../ui/dashboard';
import { METRICS_REGISTRY } from './metric-providers';
import {
  MetricsEndpointController,
  mountEndpoint,
  type MetricsEndpointClass,
} from './metrics-endpoint.controller';
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
  /**
   * A `ResourceSampler` on the module's registry: the `process_*` and `nodejs_*` families
   * under prom-client's names, and the catalog's process gauges. Started when the app is
   * bootstrapped, stopped when it closes. Default `true`; an object gives the sampler's
   * options (`intervalMs`, `scratchDir`, `prefix`, …; not `registry`); `false` leaves it to you.
   * The sampler is a provider: `app.get(ResourceSampler)`.
   */
  processMetrics?: boolean | Omit<ResourceSamplerOptions, 'registry'>;
  /**
   * The controller class that serves the endpoint: a subclass of `MetricsEndpointController`
   * carrying your decorators, such as the `@Public()` that lets requests past an app's global
   * guard. `forRoot` mounts it at `path`. Default: `MetricsEndpointController` itself.
   */
  controller?: MetricsEndpointClass;
}

const METRICS_MODULE_OPTIONS = Symbol.for('obsweave.nest.metricsModuleOptions');

function metricsControllerFor(path: string, opts: MetricsModuleOptions): MetricsEndpointClass {
  const { registry, token, ui, slos, controller = MetricsEndpointController } = opts;
  if (
    typeof controller !== 'function' ||
    !(
      controller.prototype instanceof MetricsEndpointController ||
      controller === MetricsEndpointController
    )
  ) {
    throw new TypeError(
      'obsweave: MetricsModule.forRoot: controller must be a class that extends MetricsEndpointController',
    );
  }
  const handler = createMetricsHandler({ registry, token, ui, slos });
  // The app's own measurement must not count its scrapes, whatever prefix the path is under;
  // unless the caller chose what to ignore.
  const keepScrapes = typeof opts.http === 'object' && typeof opts.http.ignore === 'function';
  return mountEndpoint(controller, path, ui !== false, (req, res) => {
    if (!keepScrapes) untrackRequest(req);
    handler(req, res);
  });
}

function samplerOptions(opts: MetricsModuleOptions): ResourceSamplerOptions | undefined {
  const p = opts.processMetrics ?? true;
  if (p === false) return undefined;
  if (p === true) return {};
  if (p === null || typeof p !== 'object') {
    throw new TypeError(
      'obsweave: MetricsModule.forRoot: processMetrics must be a boolean or ResourceSampler options',
    );
  }
  return p;
}

/**
 * Serves the registry at `GET /<path>` (JSON, Prometheus or OpenMetrics by `Accept`) and the
 * dashboard at `GET /<path>/ui`; samples the process (`processMetrics`) while the app runs;
 * with `http`, measures every request of the app. Import it once, in the root module.
 */
@Module({})
export class MetricsModule implements NestModule, OnApplicationBootstrap, OnModuleDestroy {
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
    @Optional() @Inject(ResourceSampler) private readonly sampler?: ResourceSampler,
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

  /**
   * The module, configured: import it once, in the root module. Bad options throw an
   * `obsweave:` error here.
   *
   * - `path` (default `metrics`): where the endpoint is, below any global prefix; the
   *   dashboard is at `<path>/ui` unless `ui: false`.
   * - `registry` (default the process-wide `metrics`): what is served, and where `http`, the
   *   sampler and the metric providers record.
   * - `token`: scrapes must carry `Authorization: Bearer <token>`.
   * - `http`: `true` or `httpMetrics` options: every request of the app is measured once.
   * - `processMetrics` (default `true`): a `ResourceSampler` runs from bootstrap to close.
   * - `controller`: your subclass of `MetricsEndpointController`, with your decorators on it.
   *
   * @example
   * ```ts
   * @Module({
   *   imports: [
   *     MetricsModule.forRoot({
   *       http: true, // every request: http_requests_total, http_request_latency_seconds
   *       token: process.env.METRICS_TOKEN,
   *       processMetrics: { intervalMs: 15_000 }, // process_* and nodejs_* families
   *     }),
   *   ],
   *   controllers: [JobsController],
   * })
   * export class AppModule {}
   * ```
   */
  static forRoot(options: MetricsModuleOptions = {}): DynamicModule {
    const path = (options.path ?? 'metrics').replace(/^\/+/, '');
    const own = options.registry;
    // A ClusterRegistry is served; what this process records goes to the process-wide one.
    const registry = own instanceof MetricsRegistry ? own : metrics;
    const sampling = samplerOptions(options);
    // Made here so that bad sampler options fail at forRoot, as every other option does.
    const sampler =
      sampling === undefined ? undefined : new ResourceSampler({ ...sampling, registry });
    return {
      module: MetricsModule,
      // So that metric providers of any module find the registry.
      global: true,
      controllers: [metricsControllerFor(path, options)],
      providers: [
        { provide: METRICS_MODULE_OPTIONS, useValue: options },
        { provide: METRICS_REGISTRY, useValue: registry },
        ...(sampler === undefined ? [] : [{ provide: ResourceSampler, useValue: sampler }]),
      ],
      exports: [METRICS_REGISTRY, ...(sampler === undefined ? [] : [ResourceSampler])],
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
    this.sampler?.start();
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

  /** `app.close()`: the sampler's timers, lag monitor and GC observer go with the app. */
  onModuleDestroy(): void {
    this.sampler?.stop();
  }
}
