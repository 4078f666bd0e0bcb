import type { IncomingMessage } from 'node:http';
import { compileRoutes, type RouteMatcher } from '../http/route-matcher';
import { UNMATCHED_ROUTE } from '../http/route-resolution';
import type { NestRoute } from './nest-routes';

/** Express sets the route it dispatched to on the request. */
interface RoutedRequest extends IncomingMessage {
  route?: { path?: unknown };
}

/**
 * Names a finished request after the Nest handler it was for, whatever stopped it:
 * - the handler's path when the router reached it (Express `req.route.path`), even if a
 *   guard, a pipe, an interceptor or the handler itself answered;
 * - else the first handler path that the method and path would have reached, for a request
 *   answered before routing (a body that does not parse, an early middleware) or on an adapter
 *   that does not say (Fastify hands over the bare request);
 * - else `__unmatched__`: Nest's own not-found handler (registered as a catch-all route such
 *   as `*path`, never used as a label) or a path no handler serves.
 */
export class NestRouteNames {
  private handlers = new Set<string>();
  private byMethod = new Map<string, RouteMatcher>();
  private anyMethod: RouteMatcher = () => undefined;

  /** Takes the app's routes, read once it is initialised. */
  update(routes: readonly NestRoute[]): void {
    const serves = (m: string, r: NestRoute) =>
      r.method === m || r.method === 'ALL' || (m === 'HEAD' && r.method === 'GET'); // Express answers HEAD with GET
    const methods = new Set(routes.map((r) => r.method).filter((m) => m !== 'ALL'));
    if (methods.has('GET')) methods.add('HEAD');
    this.handlers = new Set(routes.map((r) => r.path));
    this.byMethod = new Map(
      [...methods].map((m) => [
        m,
        compileRoutes(routes.filter((r) => serves(m, r)).map((r) => r.path)),
      ]),
    );
    this.anyMethod = compileRoutes(routes.filter((r) => r.method === 'ALL').map((r) => r.path));
  }

  readonly resolve = (req: IncomingMessage, url: string): string => {
    const routed = (req as RoutedRequest).route?.path;
    if (typeof routed === 'string' && this.handlers.has(routed)) return routed;
    const match = this.byMethod.get(req.method ?? 'GET') ?? this.anyMethod;
    return match(url) ?? UNMATCHED_ROUTE;
  };
}
