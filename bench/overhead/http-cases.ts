import type { IncomingMessage, ServerResponse } from 'node:http';
import promBundle from 'express-prom-bundle';
import * as prom from 'prom-client';
import { httpMetrics, MetricsRegistry, Route } from '../../src';
import type { AsyncCase } from '../harness';
import { MemoryConnection } from './memory-connection';

/** What a keep-alive client without a correlation header sends: obsweave makes a UUID. */
const REQUEST =
  'GET /api/jobs/123 HTTP/1.1\r\nHost: bench.local\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n';
const BODY = '{"id":"123","status":"running"}';

type Next = (err?: unknown) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

function handler(_req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('content-type', 'application/json');
  res.end(BODY);
}

/** Case (a): the same call shape as the middlewares, doing nothing, so deltas are theirs alone. */
function passThrough(_req: IncomingMessage, _res: ServerResponse, next: Next): void {
  next();
}

/**
 * Every case runs as `mw(req, res, () => handle(req, res))` inside one `node:http` handler:
 * plain Node, no Express, for all alike. express-prom-bundle reads only `req.originalUrl || req.url`,
 * `req.method` and `res.headersSent`/`statusCode`, all present on a bare request, and is set up
 * to record what obsweave records: method, normalized path and status.
 */
function viaMiddleware(
  mw: Middleware,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => mw(req, res, () => handle(req, res));
}

class JobsController {
  @Route('/api/jobs/:id', { registry: new MetricsRegistry() })
  get(req: IncomingMessage, res: ServerResponse): void {
    handler(req, res);
  }
}

export type HttpCaseId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g';

export const HTTP_CASE_NAMES: Record<HttpCaseId, string> = {
  a: '(a) nothing',
  b: '(b) httpMetrics() (defaults)',
  c: '(c) httpMetrics({ correlation: false })',
  d: '(d) express-prom-bundle (prom-client)',
  e: '(e) @Route on the handler',
  f: "(f) httpMetrics({ correlation: 'context' })",
  g: "(g) httpMetrics({ correlation: 'request' })",
};

function listener(id: HttpCaseId): (req: IncomingMessage, res: ServerResponse) => void {
  switch (id) {
    case 'a':
      return viaMiddleware(passThrough, handler);
    case 'b':
      return viaMiddleware(httpMetrics({ registry: new MetricsRegistry() }), handler);
    case 'c':
      return viaMiddleware(
        httpMetrics({ registry: new MetricsRegistry(), correlation: false }),
        handler,
      );
    case 'd':
      return viaMiddleware(
        promBundle({
          includeMethod: true,
          includePath: true,
          promRegistry: new prom.Registry(),
        }) as unknown as Middleware,
        handler,
      );
    case 'f':
      return viaMiddleware(
        httpMetrics({ registry: new MetricsRegistry(), correlation: 'context' }),
        handler,
      );
    case 'g':
      return viaMiddleware(
        httpMetrics({ registry: new MetricsRegistry(), correlation: 'request' }),
        handler,
      );
    case 'e': {
      const controller = new JobsController();
      return viaMiddleware(passThrough, (req, res) => controller.get(req, res));
    }
  }
}

/** One connection per case, made once: every round reuses it, as a keep-alive client does. */
export function httpCases(ids: readonly HttpCaseId[]): AsyncCase[] {
  return ids.map((id) => {
    const conn = new MemoryConnection(listener(id), REQUEST);
    return { name: HTTP_CASE_NAMES[id], run: (n) => conn.run(n) };
  });
}
