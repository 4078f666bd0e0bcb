/**
 * An Express 5 app measured by `httpMetrics`: routes are labelled by their templates
 * (`/api/videos/:id`), its metrics are served at `GET /metrics`, and a lookup in a video
 * catalog is timed as an external call.
 *
 *   node -r ts-node/register/transpile-only examples/express-app/app.ts
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { AddressInfo } from 'node:net';
import { correlationId, createMetricsHandler, httpMetrics, withExternalCall } from 'obsweave';

interface Video {
  id: string;
  title: string;
}

/** A stand-in for a remote catalog service. */
class VideoCatalog {
  private readonly videos = new Map<string, Video>([
    ['1', { id: '1', title: 'Intro' }],
    ['2', { id: '2', title: 'Keynote' }],
  ]);

  lookup(id: string): Promise<Video | undefined> {
    // withExternalCall: `external.calls_total{service="catalog",op="lookup",outcome}` and its
    // latency; with timeoutMs the function gets an AbortSignal to pass on.
    return withExternalCall({ service: 'catalog', op: 'lookup', timeoutMs: 500 }, async () => {
      await new Promise((r) => setTimeout(r, 5));
      return this.videos.get(id);
    });
  }

  add(title: string): Video {
    const video = { id: String(this.videos.size + 1), title };
    this.videos.set(video.id, video);
    return video;
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function createExpressApp(): express.Express {
  const catalog = new VideoCatalog();
  const app = express();

  // First, so that it sees every request. `routes: []` labels requests no route handled
  // (404s, scanners) `__unmatched__` instead of by their raw path.
  app.use(httpMetrics({ routes: [] }));
  app.get('/metrics', createMetricsHandler());

  const videos = express.Router();
  videos.get('/:id', async (req, res) => {
    const video = await catalog.lookup(req.params.id);
    if (video === undefined) throw new HttpError(404, 'no such video');
    res.json({ ...video, correlationId: correlationId(req) });
  });
  app.use('/api/videos', videos); // counted as /api/videos/:id: mount path + route path
  app.post('/api/videos', express.json(), (req, res) => {
    const title = (req.body as { title?: unknown } | undefined)?.title;
    if (typeof title !== 'string') throw new HttpError(400, 'body must be {"title": "..."}');
    res.status(201).json(catalog.add(title));
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = err instanceof HttpError ? err.status : 500;
    res.status(status).json({ error: status === 500 ? 'internal error' : (err as Error).message });
  });
  return app;
}

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

export async function startExpressApp({ port = 0, host = '127.0.0.1' } = {}): Promise<RunningApp> {
  const server = createExpressApp().listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (require.main === module) {
  void startExpressApp({ port: Number(process.env.PORT ?? 3000) }).then((app) => {
    console.log(`express-app on ${app.url} (try ${app.url}/api/videos/1 and ${app.url}/metrics)`);
    process.once('SIGINT', () => void app.close());
  });
}
