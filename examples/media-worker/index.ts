import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { metrics, ResourceSampler, type DashboardSlo } from 'obsweave';
import { instrumentJobEvents } from 'obsweave/jobs';
import { createApi } from './api';
import { EventLog } from './event-log';
import { JobStore } from './job-store';
import { MediaPipeline } from './pipeline';
import { AsrClient } from './providers/asr.client';
import { FfprobeClient } from './providers/ffprobe.client';
import { StorageClient } from './providers/storage.client';
import { YtDlpClient } from './providers/yt-dlp.client';
import { Simulator, type FaultRates, type SimulatorOptions } from './simulator';
import { MEDIA_WORKER_SLOS } from './slos';
import { MediaWorker } from './worker';

export { ASR_THROTTLING, DEFAULT_FAULTS, NO_FAULTS, type FaultRates } from './simulator';
export { MEDIA_WORKER_SLOS } from './slos';
export type { Job, JobStatus } from './job-store';

export interface MediaWorkerOptions extends SimulatorOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Jobs run at once. Default 4. */
  concurrency?: number;
  /** Lease of a running job; a crashed worker's jobs are recovered after it. Default 1000 ms. */
  leaseMs?: number;
  /** Resource sampling interval. Default 5000 ms. */
  sampleIntervalMs?: number;
  /** Where media is downloaded; default a new temporary folder, removed on close. */
  scratchDir?: string;
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** SLOs for the dashboard at `/metrics/ui`. Default `MEDIA_WORKER_SLOS`. */
  slos?: DashboardSlo[];
}

export interface MediaWorkerApp {
  /** `http://host:port`, no trailing slash. */
  url: string;
  port: number;
  store: JobStore;
  worker: MediaWorker;
  /** The fault switch: changes the given fault rates of the running app (`ASR_THROTTLING`). */
  setFaults(faults: Partial<FaultRates>): void;
  /** Stops the worker (cancelling running jobs), the sampler and the server. */
  close(): Promise<void>;
}

/**
 * Starts the media API and its worker in this process. Metrics go to obsweave's process-wide
 * `metrics` registry (what the decorators default to), so numbers add up across apps started
 * in one process.
 */
export async function startMediaWorker(opts: MediaWorkerOptions = {}): Promise<MediaWorkerApp> {
  const { port = 0, host = '127.0.0.1', concurrency = 4, leaseMs = 1000 } = opts;
  metrics.registerCatalog(); // every catalog metric is exported from the first scrape on
  const ownScratch = opts.scratchDir === undefined;
  const scratchDir = opts.scratchDir ?? (await mkdtemp(join(tmpdir(), 'media-worker-')));

  const sim = new Simulator(opts);
  const store = new JobStore(new EventLog(sim));
  const detachJobEvents = instrumentJobEvents(store.events);
  const clients = {
    ytdlp: new YtDlpClient(sim),
    ffprobe: new FfprobeClient(sim),
    asr: new AsrClient(sim),
    storage: new StorageClient(sim),
  };
  const pipeline = new MediaPipeline(clients, scratchDir);
  const worker = new MediaWorker(store, pipeline, sim, { concurrency, leaseMs, scratchDir });
  const sampler = new ResourceSampler({ intervalMs: opts.sampleIntervalMs ?? 5000, scratchDir });

  const server = createServer(
    createApi({ store, metricsToken: opts.metricsToken, slos: opts.slos ?? MEDIA_WORKER_SLOS }),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // A busy port: undo what was set up, and let the caller choose another.
    detachJobEvents();
    if (ownScratch) await rm(scratchDir, { recursive: true, force: true });
    throw err;
  }
  worker.start();
  sampler.start();
  const actual = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = async () => {
    server.close();
    await worker.stop();
    sampler.stop();
    detachJobEvents();
    server.closeAllConnections();
    if (ownScratch) await rm(scratchDir, { recursive: true, force: true });
  };
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actual}`,
    port: actual,
    store,
    worker,
    setFaults: (faults) => sim.setFaults(faults),
    close: () => (closing ??= close()),
  };
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 9464);
  void startMediaWorker({ port, host: process.env.HOST ?? '127.0.0.1' }).then((app) => {
    console.log(
      `media-worker on ${app.url}  (metrics: ${app.url}/metrics, dashboard: ${app.url}/metrics/ui)`,
    );
    process.once('SIGINT', () => void app.close());
    process.once('SIGTERM', () => void app.close());
  });
}
