import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExportSource } from '../core/types';
import type { DashboardHostOptions } from '../ui/dashboard';
import { MetricsController, type MetricsResponse } from './metrics-controller';

export interface MetricsHandlerOptions extends DashboardHostOptions {
  /** Default: the process-wide `metrics`; a `ClusterRegistry` serves a whole cluster. */
  registry?: ExportSource;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
}

export type MetricsHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A `(req, res)` handler serving the registry through `MetricsController`, for `node:http`
 * (`createServer(handler)`) and Express (`app.use('/metrics', handler)`, which also reaches
 * the dashboard at `/metrics/ui`). GET and HEAD only.
 *
 * @example
 * ```ts
 * const handler = createMetricsHandler();
 * createServer((req, res) =>
 *   req.url?.startsWith('/metrics') ? handler(req, res) : app(req, res),
 * ).listen(3000);
 * ```
 */
export function createMetricsHandler({
  registry,
  ...options
}: MetricsHandlerOptions = {}): MetricsHandler {
  const controller = new MetricsController(registry, options);
  return function metricsHandler(req, res) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, req, { status: 405, headers: { allow: 'GET, HEAD' }, body: '' });
    }
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url;
    const out = controller.handle({ url, headers: req.headers });
    if (out instanceof Promise) out.then((r) => send(res, req, r));
    else send(res, req, out);
  };
}

function send(res: ServerResponse, req: IncomingMessage, r: MetricsResponse): void {
  try {
    if (res.headersSent || res.destroyed) return;
    res.statusCode = r.status;
    for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
    if (r.status !== 304) res.setHeader('content-length', Buffer.byteLength(r.body));
    res.end(req.method === 'HEAD' ? undefined : r.body);
  } catch {}
}
