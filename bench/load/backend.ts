/**
 * The backend the realistic service calls (its database, storage and queue), as a process of
 * its own: `backend.js [latencyMs]`. A request is one line on a TCP connection; replies come
 * back in order on the same connection, as a Redis client pipelines. Each reply leaves
 * `latencyMs` (default 1) after its request arrived, whatever else happens.
 *
 * Why not `setTimeout`: libuv's timers tick in whole milliseconds. A service whose awaited
 * calls are timers runs in lockstep with that tick, and a little more CPU per request moves a
 * batch of them to the next tick: throughput then moves in 1 ms steps, not with the work done.
 * Here a worker thread sleeps on `Atomics.wait`, which wakes to the microsecond, and tells the
 * main thread when the oldest reply is due, so the latency a service sees is continuous.
 *
 * Prints `{"port":…}` once listening; exits when its parent goes.
 */
import { createServer, type Socket } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

/** `[generation, unused, head due time (ms since the epoch, 0: nothing due)]`. */
interface Shared {
  gen: Int32Array;
  head: Float64Array;
}

function shared(sab: SharedArrayBuffer): Shared {
  return { gen: new Int32Array(sab, 0, 1), head: new Float64Array(sab, 8, 1) };
}

/** One clock for both threads: `performance.now()` starts at each thread's own origin. */
function clock(): number {
  return performance.timeOrigin + performance.now();
}

/** The timer thread: waits until the oldest reply is due, tells the main thread, and again. */
function timer({ gen, head }: Shared): void {
  for (;;) {
    const g = Atomics.load(gen, 0);
    const due = head[0];
    if (due === 0) {
      Atomics.wait(gen, 0, g); // until a request arrives
      continue;
    }
    const wait = due - clock();
    if (wait > 0) {
      Atomics.wait(gen, 0, g, wait); // until due, or an earlier head
      continue;
    }
    parentPort!.postMessage(0);
    Atomics.wait(gen, 0, g); // until the main thread has sent what was due
  }
}

interface Pending {
  due: number;
  socket: Socket;
  reply: string;
}

function serve(latencyMs: number): void {
  const sab = new SharedArrayBuffer(16);
  const { gen, head } = shared(sab);
  // One FIFO for all connections: every reply waits the same time, so due times only grow.
  let queue: Pending[] = [];
  let first = 0;

  const setHead = () => {
    head[0] = first < queue.length ? queue[first].due : 0;
    Atomics.add(gen, 0, 1);
    Atomics.notify(gen, 0);
  };

  const flush = () => {
    const now = clock();
    const out = new Map<Socket, string>();
    while (first < queue.length && queue[first].due <= now) {
      const p = queue[first++];
      out.set(p.socket, (out.get(p.socket) ?? '') + p.reply);
    }
    if (first === queue.length) {
      queue = [];
      first = 0;
    }
    for (const [socket, text] of out) if (!socket.destroyed) socket.write(text);
    setHead();
  };

  const worker = new Worker(__filename, { workerData: sab });
  worker.on('message', flush);
  worker.unref();

  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    let partial = '';
    socket.on('data', (chunk: string) => {
      const due = clock() + latencyMs;
      const wasEmpty = first === queue.length;
      let start = 0;
      const text = partial + chunk;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        queue.push({ due, socket, reply: `ok ${text.slice(start, nl)}\n` });
        start = nl + 1;
      }
      partial = text.slice(start);
      if (wasEmpty && first < queue.length) setHead();
    });
    socket.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ port })}\n`);
  });
  process.on('disconnect', () => process.exit(0));
}

if (isMainThread) serve(Number(process.argv[2] ?? 1));
else timer(shared(workerData as SharedArrayBuffer));
