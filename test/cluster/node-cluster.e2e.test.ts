import test from 'ava';
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import type { Snapshot } from '../../src';
import { assertPromtoolClean, serialTestWithTools } from '../support/tools';
import { dropped } from './helpers';

/**
 * A real node:cluster primary with three workers behind one port, started from the built
 * package. The tests run in order on the one cluster: each knows what the workers did so far.
 */
const WORKERS = 3;
const TIMEOUT_MS = 2000;

interface State {
  appPort: number;
  metricsPort: number;
  workers: string[];
  live: number;
  logs: string[];
}

let app: ChildProcess;
let seq = 0;
/** Work done so far, by worker id, as the workers' own answers said. */
const done = new Map<string, { requests: number; work: number }>();

function ask<T>(cmd: string, body: Record<string, unknown> = {}): Promise<T> {
  const id = ++seq;
  return new Promise((resolve) => {
    const on = (m: { seq?: number }) => {
      if (m?.seq !== id) return;
      app.off('message', on);
      resolve(m as T);
    };
    app.on('message', on);
    app.send({ cmd, seq: id, ...body });
  });
}

const state = () => ask<State>('state');

/** One request on its own connection, so that the primary deals them out round-robin. */
function work(port: number, n: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: `/work?n=${n}`, agent: false }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

async function load(count: number): Promise<void> {
  const { appPort } = await state();
  for (let i = 1; i <= count; i++) {
    const worker = await work(appPort, i);
    const d = done.get(worker) ?? { requests: 0, work: 0 };
    d.requests++;
    d.work += i;
    done.set(worker, d);
  }
}

async function scrape(accept = 'application/json'): Promise<string> {
  const { metricsPort } = await state();
  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { accept } });
  return res.text();
}

const snapshot = async () => JSON.parse(await scrape()) as Snapshot;
const sum = (pick: (d: { requests: number; work: number }) => number, except?: string) =>
  [...done].reduce((n, [w, d]) => (w === except ? n : n + pick(d)), 0);

function work_total(s: Snapshot): number {
  return (
    (s.counters['test.work_total|kind=odd'] ?? 0) + (s.counters['test.work_total|kind=even'] ?? 0)
  );
}

test.before(async () => {
  app = fork(join(__dirname, 'fixtures', 'cluster-app.js'), [], {
    env: { ...process.env, WORKERS: String(WORKERS), TIMEOUT_MS: String(TIMEOUT_MS) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let s = await state();
  while (s.workers.length < WORKERS || s.appPort === 0 || s.metricsPort === 0) {
    await new Promise((r) => setTimeout(r, 20));
    s = await state();
  }
});

test.after.always(async () => {
  if (app.exitCode !== null) return;
  await ask('stop');
  app.kill();
});

test.serial('exact sums after a known load, spread over every worker', async (t) => {
  await load(60);
  t.is(done.size, WORKERS, 'every worker took requests');
  const s = await snapshot();
  t.is(s.counters['http.requests_total|method=GET,route=/work,code_class=2xx'], 60);
  t.is(work_total(s), (60 * 61) / 2);
  t.is(s.histograms['test.size_ms'].count, 60);
  t.is(s.histograms['test.size_ms'].sum, (60 * 61) / 2);
  t.deepEqual(s.histograms['test.size_ms'].buckets, { '1': 1, '10': 10, '100': 60, '+Inf': 60 });
  t.is(s.histograms['http.request_latency_ms|route=/work'].count, 60);
  for (const [w, d] of done) t.is(s.gauges[`test.handled|worker=${w}`], d.requests);
  t.is(dropped(s, 'worker_timeout') + dropped(s, 'worker_error'), 0);
});

test.serial('gauges per aggregation: ids 1, 2, 3 times ten', async (t) => {
  const s = await snapshot();
  t.is(s.gauges['test.g_added'], 60);
  t.is(s.gauges['test.g_max'], 30);
  t.is(s.gauges['test.g_min'], 10);
  t.is(s.gauges['test.g_avg'], 20);
});

serialTestWithTools('promtool')('the merged text passes promtool', async (t) => {
  assertPromtoolClean(t, await scrape('text/plain'));
});

test.serial('ten concurrent scrapes each see every worker once', async (t) => {
  const snaps = await Promise.all(Array.from({ length: 10 }, () => snapshot()));
  for (const s of snaps) {
    t.is(
      work_total(s),
      sum((d) => d.work),
    );
    t.is(s.counters['http.requests_total|method=GET,route=/work,code_class=2xx'], 60);
  }
  t.is(dropped(snaps[9], 'worker_timeout') + dropped(snaps[9], 'worker_error'), 0);
});

test.serial('a worker answering garbage is left out and counted; the scrape answers', async (t) => {
  await ask('tell', { worker: 2, msg: { cmd: 'garbage' } });
  const s = await snapshot();
  t.is(
    work_total(s),
    sum((d) => d.work, '2'),
  );
  t.is(dropped(s, 'worker_error'), 1);
  t.true((await state()).logs.some((l) => l.startsWith('worker 2: answered garbage')));
});

test.serial('a hung worker is left out within timeoutMs and counted', async (t) => {
  await ask('tell', { worker: 1, msg: { cmd: 'hang', ms: TIMEOUT_MS * 2 } });
  const s = await snapshot();
  // Worker 2 still answers garbage; worker 3 alone is counted.
  t.is(work_total(s), done.get('3')!.work);
  t.is(dropped(s, 'worker_timeout'), 1);
  t.is(dropped(s, 'worker_error'), 2);
  // Once it wakes, its late answer is ignored and a scrape has it again.
  let next = await snapshot();
  while (work_total(next) !== sum((d) => d.work, '2')) next = await snapshot();
  t.pass();
});

test.serial(
  'a worker killed during a scrape is left out at once; its replacement starts from zero',
  async (t) => {
    const before = await snapshot();
    // Hung first (its messages are read in order), so that the scrape is sure to find it silent.
    await ask('tell', { worker: 3, msg: { cmd: 'hang', ms: 60_000 } });
    const { snapshot: s } = await ask<{ snapshot: Snapshot }>('killDuringScrape', { worker: 3 });
    t.is(work_total(s), done.get('1')!.work);
    t.is(
      dropped(s, 'worker_timeout'),
      dropped(before, 'worker_timeout'),
      'not a timeout: it was seen to exit',
    );
    // Worker 2's garbage and worker 3's exit.
    t.is(dropped(s, 'worker_error'), dropped(before, 'worker_error') + 2);
    let st = await state();
    while (st.workers.length < WORKERS || !st.workers.includes('4')) {
      await new Promise((r) => setTimeout(r, 20));
      st = await state();
    }
    const after = await snapshot();
    // Worker 3's work went with it: the merged counter went down (see docs/processes.md on rate()).
    t.is(work_total(after), done.get('1')!.work);
    t.is(after.gauges['test.handled|worker=4'], 0);
    t.false('test.handled|worker=3' in after.gauges);
  },
);

test('shareWithPrimary outside a worker throws a configuration error', (t) => {
  const r = spawnSync(process.execPath, ['-e', "require('obsweave/cluster').shareWithPrimary()"], {
    encoding: 'utf8',
  });
  t.not(r.status, 0);
  t.regex(
    r.stderr,
    /obsweave: shareWithPrimary runs in a node:cluster worker or a worker_threads worker/,
  );
});
