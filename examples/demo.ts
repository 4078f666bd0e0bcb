/**
 * `npm run demo`: the media-worker on 127.0.0.1:9464 (PORT to change) with a steady load of
 * jobs, and a summary of its metrics every few seconds. Ctrl-C stops it.
 *
 * `npm run demo -- --once`: a fixed batch of jobs, the final summary, the sizes of the export
 * formats, then exit (a free port is used if 9464 is taken).
 *
 * `npm run demo -- --workers 2`: the same as a node:cluster service, the merged metrics served
 * by the primary (see demo/cluster.ts); with `--once`, a batch spread over the workers.
 * `npm run demo -- --alerts`: SLO alerts through a real Prometheus and Alertmanager (on PATH);
 * see demo/alerts.ts.
 */
import type { Snapshot } from 'obsweave';
import {
  DEFAULT_FAULTS,
  startMediaWorker,
  type MediaWorkerApp,
  type MediaWorkerOptions,
} from './media-worker';
import { runCluster, workersArg } from './demo/cluster';
import { alertsDemo } from './demo/alerts';
import { catalogLine, summarize } from './demo/summary';
import { Traffic } from './demo/traffic';

const ONCE = process.argv.includes('--once');
const PORT = Number(process.env.PORT ?? 9464);
const SUMMARY_EVERY_MS = 3000;
const BATCH_JOBS = 48;
const WORKERS = workersArg(process.argv);

/** Faults a little more frequent than the default, so that a short batch shows every kind. */
const BATCH_FAULTS = {
  ...DEFAULT_FAULTS,
  downloadError: 0.06,
  probeError: 0.05,
  asrError: 0.05,
  abandon: 0.1,
  persistFail: 0.02,
};

async function start(): Promise<MediaWorkerApp> {
  const opts: MediaWorkerOptions = {
    host: '127.0.0.1',
    concurrency: 6,
    sampleIntervalMs: 1000,
    seed: 7,
    ...(ONCE ? { latencyScale: 0.5, faults: BATCH_FAULTS } : {}),
  };
  try {
    return await startMediaWorker({ ...opts, port: PORT });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EADDRINUSE') throw err;
    if (!ONCE) {
      console.error(`Port ${PORT} is in use. Choose another one: PORT=9465 npm run demo`);
      process.exit(1);
    }
    console.log(`Port ${PORT} is in use; using a free port instead.`);
    return startMediaWorker({ ...opts, port: 0 });
  }
}

async function snapshot(app: MediaWorkerApp): Promise<Snapshot> {
  return (await (await fetch(`${app.url}/metrics`)).json()) as Snapshot;
}

async function size(url: string, accept: string): Promise<string> {
  const body = await (await fetch(url, { headers: { accept } })).arrayBuffer();
  return `${(body.byteLength / 1024).toFixed(1)} KiB`;
}

function banner(app: MediaWorkerApp): void {
  console.log(`media-worker listening on ${app.url}`);
  console.log(`  jobs       ${app.url}/api/jobs`);
  console.log(`  metrics    ${app.url}/metrics (JSON)`);
  console.log(`             ${app.url}/metrics?format=prometheus`);
  console.log(`  dashboard  ${app.url}/metrics/ui (live, in a browser)`);
  console.log(`  job events ${app.url}/api/jobs/<id>/events (server-sent events)`);
}

function printSummary(label: string, snap: Snapshot): void {
  console.log(`\n── ${label} ─ ${snap.timestamp}`);
  console.log(summarize(snap));
}

async function once(app: MediaWorkerApp): Promise<number> {
  console.log(`Running a batch of ${BATCH_JOBS} jobs...`);
  const started = Date.now();
  const stats = await new Traffic(app.url, { users: 8, thinkMs: 0 }).batch(BATCH_JOBS);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const snap = await snapshot(app);
  printSummary(`after ${BATCH_JOBS} jobs in ${seconds}s`, snap);

  const json = await size(`${app.url}/metrics`, 'application/json');
  const prom = await size(`${app.url}/metrics`, 'text/plain');
  const om = await size(`${app.url}/metrics`, 'application/openmetrics-text');
  console.log(`exports   JSON ${json} | Prometheus text ${prom} | OpenMetrics ${om}`);

  console.log(catalogLine(snap));
  const finished = Object.values(stats.finished).reduce((a, b) => a + b, 0);
  console.log(
    `requests  ${stats.requests} sent, ${finished}/${stats.submitted} jobs followed to the end`,
  );
  return finished === BATCH_JOBS && stats.submitted === BATCH_JOBS ? 0 : 1;
}

async function live(app: MediaWorkerApp): Promise<void> {
  banner(app);
  console.log('Sending jobs. Ctrl-C to stop.');
  const traffic = new Traffic(app.url).start();
  const started = Date.now();
  const timer = setInterval(() => {
    snapshot(app)
      .then((snap) => printSummary(`${Math.round((Date.now() - started) / 1000)}s`, snap))
      .catch((err: unknown) => console.error('summary failed:', err));
  }, SUMMARY_EVERY_MS);

  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  process.once('SIGINT', () => process.exit(130)); // a second Ctrl-C does not wait
  console.log('\nStopping...');
  clearInterval(timer);
  await traffic.stop({ drain: false });
  printSummary('final', await snapshot(app));
}

async function main(): Promise<void> {
  if (WORKERS > 0) {
    const media = { host: '127.0.0.1', concurrency: 6, sampleIntervalMs: 1000, seed: 7 };
    process.exitCode = await runCluster({
      workers: WORKERS,
      port: PORT,
      once: ONCE,
      jobs: BATCH_JOBS,
      summaryEveryMs: SUMMARY_EVERY_MS,
      media: ONCE ? { ...media, latencyScale: 0.5, faults: BATCH_FAULTS } : media,
    });
    return;
  }
  const app = await start();
  let code = 0;
  try {
    if (ONCE) {
      console.log(`media-worker listening on ${app.url} (dashboard: ${app.url}/metrics/ui)`);
      code = await once(app);
    } else {
      await live(app);
    }
  } finally {
    await app.close();
  }
  process.exitCode = code;
  // Anything still open (a keep-alive socket) must not hold the exit.
  setTimeout(() => process.exit(code), 2000).unref();
}

(process.argv.includes('--alerts')
  ? alertsDemo().then((code) => process.exit(code))
  : main()
).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
