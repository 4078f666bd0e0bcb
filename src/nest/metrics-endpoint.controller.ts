import { Controller, Get, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { copyIdentity } from '../decorators/copy-identity';

/** Platform-neutral: Express hands over the Node objects, Fastify wraps them in `raw`. */
type MaybeWrapped<T> = T & { raw?: T };

/** Where `forRoot` puts what the endpoint serves, on the class it mounts. */
const SERVE = Symbol.for('obsweave.nest.serve');

/**
 * The controller `MetricsModule.forRoot()` mounts at `<path>` (and the dashboard at
 * `<path>/ui`). Extend it to put your own decorators on the endpoint, the way an app with a
 * global guard marks it public, and hand the subclass to `forRoot({ controller })`: class
 * decorators apply to every route of the endpoint, and so do method decorators on an
 * overridden `scrape`. The routes themselves are added by `forRoot`, under its `path`, so
 * the subclass needs no `@Controller` or `@Get` of its own.
 *
 * @example
 * ```ts
 * @Public() // your guard's way of letting a request through
 * class PublicMetricsController extends MetricsEndpointController {}
 *
 * MetricsModule.forRoot({ controller: PublicMetricsController, token: process.env.METRICS_TOKEN });
 * ```
 */
export class MetricsEndpointController {
  declare private readonly [SERVE]: (req: IncomingMessage, res: ServerResponse) => void;

  /** Answers a scrape, or a dashboard file, from the registry `forRoot` was given. */
  scrape(req: MaybeWrapped<IncomingMessage>, res: MaybeWrapped<ServerResponse>): void {
    this[SERVE](req.raw ?? req, res.raw ?? res);
  }
}

/** A controller class such as `forRoot({ controller })` takes. */
export type MetricsEndpointClass = new (...args: never[]) => MetricsEndpointController;

/**
 * A subclass of `base` mounted at `path`, serving through `serve`: the endpoint itself and,
 * with `ui`, the dashboard's page and files. Each route is a method of its own (Nest keeps a
 * route's metadata on its function), carrying whatever metadata `base`'s `scrape` has.
 */
export function mountEndpoint(
  base: MetricsEndpointClass,
  path: string,
  ui: boolean,
  serve: (req: IncomingMessage, res: ServerResponse) => void,
): MetricsEndpointClass {
  // Named after the user's class: Nest's logs and its DI errors name it.
  const mounted = { [base.name]: class extends base {} }[base.name];
  const proto = mounted.prototype as unknown as Record<PropertyKey, unknown>;
  Object.defineProperty(proto, SERVE, { value: serve });
  const scrape = base.prototype.scrape;
  const routes: [string, string][] = [['scrape', '']];
  if (ui) routes.push(['dashboard', 'ui'], ['dashboardFile', 'ui/:file']);
  for (const [method, route] of routes) {
    // `scrape` as `base` has it (its own override, if any): the route named `scrape` shadows it.
    const handler = function (this: MetricsEndpointController, req: never, res: never) {
      return scrape.call(this, req, res);
    };
    // Guards and interceptors read the handler's metadata (`@Public()`, `@SkipThrottle()`).
    copyIdentity(scrape, handler);
    Object.defineProperty(handler, 'name', { value: method, configurable: true });
    Object.defineProperty(proto, method, { value: handler, configurable: true, writable: true });
    Req()(proto, method, 0);
    Res()(proto, method, 1);
    Get(route)(proto, method, Object.getOwnPropertyDescriptor(proto, method)!);
  }
  Controller(path)(mounted);
  return mounted;
}
