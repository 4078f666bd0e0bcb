import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import { noteContextOff, runInRequest, runWithCorrelationId } from '../context/correlation';
import { resolveCorrelationMode } from '../context/correlation-mode';
import { requestCorrelationId } from '../context/request-correlation';
import { correlate } from '../http/correlate';
import { correlationNames } from '../http/correlation-header';
import type { HttpMetricsOptions } from '../http/middleware';
import { RequestMeter } from '../http/request-meter';

/** The options of `httpMetrics`; the route comes from Fastify's router first. */
export type FastifyMetricsOptions = HttpMetricsOptions;

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
  { correlation = 'auto', correlationHeader, ...routeOptions }: FastifyMetricsOptions,
  done: (err?: Error) => void,
): void {
  const mode = resolveCorrelationMode(correlation);
  const meter = new RequestMeter(routeOptions);
  const readNames = correlationNames(correlationHeader);
  const echoName = readNames[0];
  const correlating = mode !== false;
  if (mode !== 'context') noteContextOff(routeOptions.registry);

  fastify.addHook(
    'onRequest',
    function obsweaveOnRequest(
      request: FastifyRequest,
      reply: FastifyReply,
      next: HookHandlerDoneFunction,
    ) {
      const raw = request.raw;
      let id: string | undefined;
      try {
        // The route is known once routed; a 404 has none and falls back to templates or the path.
        const state = meter.begin(raw, raw.url ?? '/', request.routeOptions?.url, correlating);
        if (state !== undefined && correlating) {
          id = correlate(state, raw, readNames);
          reply.header(echoName, id);
        }
      } catch {}
      if (id === undefined) next();
      else if (mode === 'context') runWithCorrelationId(id, next);
      else runInRequest(id, next);
    },
  );

  if (correlating) {
    // The body is read between onRequest and the handler, on the socket's own callbacks:
    // the id is entered again so that the handler (and in context mode all it awaits) sees it.
    fastify.addHook(
      'preHandler',
      function obsweavePreHandler(
        request: FastifyRequest,
        _reply: FastifyReply,
        next: HookHandlerDoneFunction,
      ) {
        const id = requestCorrelationId(request.raw);
        if (id === undefined) next();
        else if (mode === 'context') runWithCorrelationId(id, next);
        else runInRequest(id, next);
      },
    );
  }
  done();
}

// What `fastify-plugin` would set, without needing it at run time: no encapsulation, a name.
Object.assign(fastifyMetrics, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'obsweave',
});
