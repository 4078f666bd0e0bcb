/**
 * `npm run demo -- --workers N`: the media-worker as a node:cluster service. The primary forks
 * N workers and serves their merged metrics on PORT (`/metrics`); each worker runs the API and
 * the job worker on PORT + its id, with its own users sending it jobs (the job store lives in
 * each process, so a job is followed where it was created), and shares its registry with the
 * primary. `--once` runs a fixed batch spread over the workers and exits.
 */
import cluster from 'node:cluster';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMetricsHandler, type Snapshot } from 'obsweave';
import { ClusterRegistry, shareWithPrimary } from 'obsweave/cluster';
import { startMediaWorker, type MediaWorkerOptions } from '../media-worker';
import { catalogLine, summarize } from './summary';
import { Traffic, type TrafficStats } from './traffic';

export interface ClusterDemoOptions {
  workers: number;
  port: number;
  once: boolean;
  /** Jobs in `--once` mode, spread over the workers. */
  jobs: number;
  summaryEveryMs: number;
  media: MediaWorkerOptions;
}

type Message =
  { demo: 'listening'; url: string } | { demo: 'done'; stats: TrafficStats } | { demo: 'stop' };

/** `--workers N` from the command line; 0 when absent. */
export function workersArg(argv: readonly string[]): number {
  const i = argv.indexOf('--workers');
  if (i < 0) return 0;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    console.error('--workers takes a number of workers, 1 to 64: npm run demo -- --workers 2');
    process.exit(2);
  }
  return n;
}

/** The exit code of the primary; in a worker, resolves when the primary stops it. */
export function runCluster(opts: ClusterDemoOptions): Promise<number> {
  return cluster.isPrimary ? primary(opts) : worker(opts);
}

async function primary(opts: ClusterDemoOptions): Promise<number> {
  const registry = new ClusterRegistry();
  const server = createServer(createMetricsHandler({ registry }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', resolve);
  }).catch((err: { code?: string }) => {
    if (err.code !== 'EADDRINUSE') throw err;
    console.error(
      `Port ${opts.port} is in use. Choose another one: PORT=9500 npm run demo -- --workers ${opts.workers}`,
    );
    process.exit(1);
  });
  const metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;

  const urls: string[] = [];
  const finished: TrafficStats[] = [];
  let allDone: () => void = () => {};
  const done = new Promise<void>((resolve) => (allDone = resolve));
  cluster.on('message', (_w, m: Message) => {
    if (m?.demo === 'listening') urls.push(m.url);
    if (m?.demo === 'done' && finished.push(m.stats) === opts.workers) allDone();
  });
  cluster.on('exit', (w, code) => {
    if (code !== 0) console.error(`worker ${w.id} exited with code ${code}`);
  });
  for (let i = 0; i < opts.workers; i++) cluster.fork();
  while (urls.length < opts.workers || registry.workers.length < opts.workers) {
    await new Promise((r) => setTimeout(r, 50));
  }

  console.log(`media-worker as a cluster of ${opts.workers} workers`);
  console.log(`  merged metrics  ${metricsUrl} (JSON), ${metricsUrl}?format=prometheus`);
  for (const url of urls.sort())
    console.log(`  worker API      ${url}/api/jobs (its own /metrics: that worker only)`);
  const snapshot = async () => (await (await fetch(metricsUrl)).json()) as Snapshot;
  const print = (label: string, snap: Snapshot) => {
    console.log(
      `\n── ${label} ─ ${snap.timestamp} ─ merged from ${registry.workers.length} workers`,
    );
    console.log(summarize(snap));
  };
  const stop = async () => {
    for (const w of Object.values(cluster.workers ?? {}))
      w?.send({ demo: 'stop' } satisfies Message);
    while (Object.keys(cluster.workers ?? {}).length > 0)
      await new Promise((r) => setTimeout(r, 50));
    registry.close();
    server.close();
  };

  if (opts.once) {
    const started = Date.now();
    await done;
    const snap = await snapshot();
    print(`after ${opts.jobs} jobs in ${((Date.now() - started) / 1000).toFixed(1)}s`, snap);
    console.log(catalogLine(snap));
    const ended = finished.reduce(
      (n, s) => n + Object.values(s.finished).reduce((a, b) => a + b, 0),
      0,
    );
    const created = snap.counters['jobs.created_total'] ?? 0;
    console.log(
      `jobs      ${ended}/${opts.jobs} followed to the end; jobs.created_total ${created} (merged)`,
    );
    await stop();
    return ended === opts.jobs && created === opts.jobs ? 0 : 1;
  }
  console.log('Sending jobs. Ctrl-C to stop.');
  const started = Date.now();
  const timer = setInterval(() => {
    snapshot()
      .then((snap) => print(`${Math.round((Date.now() - started) / 1000)}s`, snap))
      .catch((err: unknown) => console.error('summary failed:', err));
  }, opts.summaryEveryMs);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  process.once('SIGINT', () => process.exit(130));
  console.log('\nStopping...');
  clearInterval(timer);
  print('final', await snapshot());
  await stop();
  return 0;
}

async function worker(opts: ClusterDemoOptions): Promise<number> {
  const id = cluster.worker!.id;
  // Ctrl-C reaches every process of the terminal: the primary decides when workers stop.
  process.on('SIGINT', () => {});
  shareWithPrimary(); // the process-wide registry, where the media-worker records
  const app = await startMediaWorker({ ...opts.media, port: opts.port + id });
  const send = (m: Message) => process.send!(m);
  send({ demo: 'listening', url: app.url });
  let traffic: Traffic | undefined;
  if (opts.once) {
    const share = Math.floor(opts.jobs / opts.workers) + (id <= opts.jobs % opts.workers ? 1 : 0);
    void new Traffic(app.url, { users: 4, thinkMs: 0 })
      .batch(share)
      .then((stats) => send({ demo: 'done', stats }));
  } else {
    traffic = new Traffic(app.url).start();
  }
  await new Promise<void>((resolve) =>
    process.on('message', (m: Message) => m?.demo === 'stop' && resolve()),
  );
  await traffic?.stop({ drain: false });
  await app.close();
  process.disconnect();
  return 0;
}
