import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import { Correlator } from '../http/correlate';
import type { HttpMetricsOptions } from '../http/middleware';
import { requestState, type RequestState } from '../http/request-lifecycle';
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

/**
 * A Fastify plugin with the behaviour of `httpMetrics`: the three `http.*` metrics per request,
 * recorded once when the response finishes or the connection closes, with the route template
 * from `request.routeOptions.url`, and correlation ids in the same modes (`correlationId(req)`
 * takes Fastify's request too). Register it before the routes:
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
  {
    correlation = 'auto',
    correlationHeader,
    correlationEcho,
    serve,
    ...routeOptions
  }: FastifyMetricsOptions,
): void {
  const correlator = new Correlator(
    correlation,
    correlationHeader,
    correlationEcho,
    routeOptions.registry,
  );
  const path = servePath(serve);
  if (path !== undefined && routeOptions.ignore === undefined) {
    routeOptions.ignore = (p) => p === path || p.startsWith(`${path}/`);
  }
  const meter = new RequestMeter(routeOptions as HttpRouteOptions<unknown, unknown>);

  fastify.addHook(
    'onRequest',
    function obsweaveOnRequest(
      request: FastifyRequest,
      reply: FastifyReply,
      next: HookHandlerDoneFunction,
    ) {
      const raw = request.raw;
      let state: RequestState | undefined;
      try {
        // The route is known once routed; a 404 has none and falls back to templates or the path.
        state = meter.begin(raw, {
          url: raw.url ?? '/',
          route: request.routeOptions?.url,
          always: correlator.on,
          res: reply.raw,
          hostReq: request,
          hostRes: reply,
        });
        if (state !== undefined && correlator.on) correlator.attach(state, raw, reply.raw);
      } catch {}
      correlator.run(state, next);
    },
  );

  if (correlator.on) {
    // The body is read between onRequest and the handler, on the socket's own callbacks:
    // the id is entered again so that the handler (and in context mode all it awaits) sees it.
    fastify.addHook(
      'preHandler',
      function obsweavePreHandler(
        request: FastifyRequest,
        _reply: FastifyReply,
        next: HookHandlerDoneFunction,
      ) {
        correlator.run(requestState(request.raw), next);
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
