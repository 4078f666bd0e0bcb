import type { IncomingMessage, ServerResponse } from 'node:http';
import { correlationId, createMetricsHandler, httpMetrics, type DashboardSlo } from 'obsweave';
import { HttpError, readJson, sendJson } from './http-util';
import { jobView } from './job-view';
import type { JobStore } from './job-store';
import { streamJob } from './job-feed';

/** The API's route templates: requests are counted by these, never by their raw paths. */
export const ROUTES = ['/', '/api/jobs', '/api/jobs/:id', '/api/jobs/:id/events'];

export interface ApiOptions {
  store: JobStore;
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** SLOs whose burn rates the dashboard at `/metrics/ui` shows. */
  slos?: DashboardSlo[];
}

/**
 * The media API as one `node:http` request listener: `httpMetrics` measures every request
 * (except `/metrics`, ignored by default) and gives it a correlation id (`correlationId(req)`),
 * which the job keeps so that the worker runs under it.
 */
export function createApi({ store, metricsToken, slos }: ApiOptions) {
  const measure = httpMetrics({ routes: ROUTES });
  const serveMetrics = createMetricsHandler({ token: metricsToken, slos });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const parts = path.split('/').filter(Boolean);
    const method = req.method ?? 'GET';

    // The endpoint, and below it the dashboard (`/metrics/ui`).
    if (path === '/metrics' || path.startsWith('/metrics/')) return serveMetrics(req, res);
    if (path === '/') {
      allow(method, ['GET']);
      return sendJson(res, 200, {
        service: 'media-worker',
        links: ['/api/jobs', '/metrics', '/metrics?format=prometheus', '/metrics/ui'],
      });
    }
    if (parts[0] !== 'api' || parts[1] !== 'jobs' || parts.length > 4) {
      throw new HttpError(404, 'not found');
    }
    if (parts.length === 2) {
      allow(method, ['GET', 'POST']);
      if (method === 'GET') return sendJson(res, 200, { jobs: store.recent(20).map(jobView) });
      const body = (await readJson(req)) as { url?: unknown; language?: unknown } | null;
      if (typeof body?.url !== 'string' || !URL.canParse(body.url)) {
        throw new HttpError(400, 'body must be {"url": "<media URL>"}');
      }
      const language = typeof body.language === 'string' ? body.language : 'en';
      // The request's own id: found in every correlation mode, with or without async context.
      const job = store.create(body.url, language, correlationId(req));
      res.setHeader('location', `/api/jobs/${job.id}`);
      return sendJson(res, 201, jobView(job));
    }
    const job = store.get(parts[2]);
    if (parts.length === 4 && parts[3] !== 'events') throw new HttpError(404, 'not found');
    allow(method, ['GET']);
    if (job === undefined) throw new HttpError(404, 'no such job');
    if (parts.length === 3) return sendJson(res, 200, jobView(job));
    return streamJob(store, job, res);
  }

  return function mediaApi(req: IncomingMessage, res: ServerResponse): void {
    measure(req, res, () => {
      route(req, res).catch((err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        if (status === 500) console.error('media-worker:', err);
        if (res.headersSent) res.destroy();
        else
          sendJson(res, status, {
            error: status === 500 ? 'internal error' : (err as Error).message,
          });
      });
    });
  };
}

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) throw new HttpError(405, `use ${methods.join(' or ')}`);
}
