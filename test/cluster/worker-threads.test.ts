import test from 'ava';
import { once } from 'node:events';
import { join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { dropped, eventually, primary } from './helpers';

const THREAD = join(__dirname, 'fixtures', 'thread.js');

async function work(w: Worker, n: number): Promise<void> {
  w.postMessage({ cmd: 'work', n });
  for (;;) {
    const [m] = (await once(w, 'message')) as [{ done?: number }];
    if (m?.done === n) return;
  }
}

test('worker_threads: parentPort or a given MessagePort, summed exactly; an exited thread is left out', async (t) => {
  // A minute: the last scrape must not wait for the thread that is gone.
  const p = primary(t, { timeoutMs: 60_000, gauges: { 'thread.queue': 'perWorker' } });
  const threads: Worker[] = [];
  for (let i = 0; i < 3; i++) {
    let w: Worker;
    if (i < 2) {
      w = new Worker(THREAD);
      p.cluster.add(w);
    } else {
      const { port1, port2 } = new MessageChannel();
      w = new Worker(THREAD, { workerData: { port: port2 }, transferList: [port2] });
      p.cluster.add(port1, { name: 'by-port' });
      t.teardown(() => port1.close());
    }
    threads.push(w);
    t.teardown(() => w.terminate());
  }
  await eventually(() => p.cluster.workers.length === 3, 'three threads sharing');
  await Promise.all(threads.map((w, i) => work(w, (i + 1) * 10)));

  const s = await p.cluster.snapshot();
  t.is(s.counters['thread.jobs_total|kind=odd'] + s.counters['thread.jobs_total|kind=even'], 60);
  t.is(s.gauges[`thread.queue|worker=${threads[0].threadId}`], 10);
  t.is(s.gauges[`thread.queue|worker=${threads[1].threadId}`], 20);
  t.is(s.gauges['thread.queue|worker=by-port'], 30);

  await threads[1].terminate();
  await eventually(() => p.cluster.workers.length === 2, 'the exited thread forgotten');
  const after = await p.cluster.snapshot();
  t.is(
    after.counters['thread.jobs_total|kind=odd'] + after.counters['thread.jobs_total|kind=even'],
    40,
  );
  t.is(dropped(after, 'worker_timeout') + dropped(after, 'worker_error'), 0);
});
