import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import type { IncomingMessage } from 'node:http';
import { runWithCorrelationId } from '../context/correlation';
import { correlationNames, readCorrelationId } from '../http/correlation-header';
import type { HttpMetricsOptions } from '../http/middleware';
import { RequestMeter, type HttpRouteOptions, type HttpRequestHooks } from '../http/request-meter';
import { addMetricsRoutes, servePath, type FastifyServeOptions } from './metrics-route';

/**
 * The options of `httpMetrics`; the route comes from Fastify's router first, and `bypass` and
 * `labels` get Fastify's `request` and `reply`.
 */
export interface FastifyMetricsOptions
  extends
    Omit<HttpMetricsOptions, 'bypass' | 'labels'>,
    HttpRequestHooks<FastifyRequest, FastifyReply> {
  /**
   * Serve the metrics endpoint at `/metrics` (`true`) or `serve.path`, and the dashboard at
   * `<path>/ui`; neither is measured unless `ignore` says otherwise. Default: not served.
   */
  serve?: boolean | FastifyServeOptions;
}

const CORRELATION = Symbol('obsweave.fastify.correlation');
type RawRequest = IncomingMessage & { [CORRELATION]?: string };

/**
 * A Fastify plugin with the behaviour of `httpMetrics`: the three `http.*` metrics per request,
 * recorded once when the response finishes or the connection closes, with the route template
 * from `request.routeOptions.url`, and correlation ids. Register it before the routes:
 * `app.register(fastifyMetrics, { registry })`. It is not encapsulated (like a plugin wrapped
 * with `fastify-plugin`), so its hooks apply to the whole instance.
 */
export function fastifyMetrics(
  fastify: FastifyInstance,
  options: FastifyMetricsOptions,
  done: (err?: Error) => void,
): void {
  // Fastify reports a plugin's error through `done`; a throw here would escape its loader.
  try {
    register(fastify, options);
  } catch (e) {
    return done(e as Error);
  }
  done();
}

function register(
  fastify: FastifyInstance,
  { correlation = true, correlationHeader, serve, ...routeOptions }: FastifyMetricsOptions,
): void {
  const path = servePath(serve);
  if (path !== undefined && routeOptions.ignore === undefined) {
    routeOptions.ignore = (p) => p === path || p.startsWith(`${path}/`);
  }
  const meter = new RequestMeter(routeOptions as HttpRouteOptions<unknown, unknown>);
  const readNames = correlationNames(correlationHeader);
  const echoName = readNames[0];

  fastify.addHook(
    'onRequest',
    function obsweaveOnRequest(
      request: FastifyRequest,
      reply: FastifyReply,
      next: HookHandlerDoneFunction,
    ) {
      const raw = request.raw as RawRequest;
      let id: string | undefined;
      try {
        // The route is known once routed; a 404 has none and falls back to templates or the path.
        meter.begin(raw, raw.url ?? '/', request.routeOptions?.url, reply.raw, request, reply);
        if (correlation) {
          id = readCorrelationId(raw, readNames);
          raw[CORRELATION] = id;
          reply.header(echoName, id);
        }
      } catch {}
      if (id === undefined) next();
      else runWithCorrelationId(id, next);
    },
  );

  if (correlation) {
    // The body is read between onRequest and the handler, on the socket's own callbacks:
    // the id is entered again so that the handler and all it awaits still see it.
    fastify.addHook(
      'preHandler',
      function obsweavePreHandler(
        request: FastifyRequest,
        _reply: FastifyReply,
        next: HookHandlerDoneFunction,
      ) {
        const id = (request.raw as RawRequest)[CORRELATION];
        if (id === undefined) next();
        else runWithCorrelationId(id, next);
      },
    );
  }
  if (path !== undefined)
    addMetricsRoutes(fastify, path, serve as true | FastifyServeOptions, routeOptions.registry);
}

// What `fastify-plugin` would set, without needing it at run time: no encapsulation, a name.
Object.assign(fastifyMetrics, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'obsweave',
});
