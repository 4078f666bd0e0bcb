import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createMetricsHandler } from '../controller/metrics-handler';
import type { MetricsRegistry } from '../core/metrics-registry';
import type { DashboardHostOptions } from '../ui/dashboard';

/** `fastifyMetrics`' own metrics endpoint, with the dashboard below it. */
export interface FastifyServeOptions extends DashboardHostOptions {
  /** Default `/metrics`; the dashboard is at `<path>/ui`. */
  path?: string;
  /** When set, the metrics (and the dashboard's data) need `Authorization: Bearer <token>`. */
  token?: string;
  /** Default: the plugin's `registry`, else the process-wide `metrics`. */
  registry?: MetricsRegistry;
}

/** The endpoint's path, checked: `/metrics` for `true`. */
export function servePath(serve: FastifyServeOptions | boolean | undefined): string | undefined {
  if (serve === undefined || serve === false) return undefined;
  const path = serve === true ? '/metrics' : (serve.path ?? '/metrics');
  if (typeof path !== 'string' || !path.startsWith('/') || path.endsWith('/')) {
    throw new TypeError(`obsweave: fastifyMetrics serve.path must start and not end with "/"`);
  }
  return path;
}

/**
 * Registers `GET <path>` (JSON, Prometheus or OpenMetrics by `Accept`) and, unless `ui: false`,
 * `GET <path>/ui` and `GET <path>/ui/:file`, all answered by one `createMetricsHandler` on the
 * raw Node objects.
 */
export function addMetricsRoutes(
  fastify: FastifyInstance,
  path: string,
  serve: FastifyServeOptions | true,
  registry: MetricsRegistry | undefined,
): void {
  const opts = serve === true ? {} : serve;
  const handler = createMetricsHandler({ ...opts, registry: opts.registry ?? registry });
  const reply = (request: FastifyRequest, res: FastifyReply) => {
    res.hijack();
    handler(request.raw, res.raw);
  };
  fastify.get(path, reply);
  if (opts.ui === false) return;
  fastify.get(`${path}/ui`, reply);
  fastify.get(`${path}/ui/:file`, reply);
}
