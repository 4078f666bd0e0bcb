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
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createMetricsHandler } from '../controller/metrics-handler';
import { MetricsRegistry } from '../core/metrics-registry';
import type { ExportSource } from '../core/types';
import { httpMetrics, type HttpMetricsOptions } from '../http/middleware';
import { untrackRequest } from '../http/request-lifecycle';
import type { DashboardHostOptions } from '../ui/dashboard';

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
   * Measures every request of the app with the `httpMetrics` middleware (route templates from
   * the router: controller path + handler path, statuses as sent, `HttpException`s included).
   * Off by default: `@Route` on handlers records the same metrics, use one or the other.
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
export class MetricsModule implements NestModule {
  constructor(@Inject(METRICS_MODULE_OPTIONS) private readonly options: MetricsModuleOptions) {}

  static forRoot(options: MetricsModuleOptions = {}): DynamicModule {
    const path = (options.path ?? 'metrics').replace(/^\/+/, '');
    return {
      module: MetricsModule,
      controllers: [metricsControllerFor(path, options)],
      providers: [{ provide: METRICS_MODULE_OPTIONS, useValue: options }],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    const http = this.options?.http;
    if (http === undefined || http === false) return;
    const own = this.options.registry;
    const registry = own instanceof MetricsRegistry ? own : undefined;
    const mw = httpMetrics({ registry, ...(http === true ? {} : http) });
    consumer.apply(mw).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
