/**
 * The service the load bench drives, run as a child process from its compiled form against
 * the built package, as a service runs in production: `service.js <trivial|realistic>
 * <bare|instrumented> [default|context|request|false]`. Both modes run the same handler code;
 * bare never loads the package, and instrumented adds `httpMetrics()` with the service's `routes`,
 * as the README's `node:http` example declares them, and the given `correlation` (`default`: the
 * option left out), `@Stage` and `@ExternalCall` over the classes on the request path, a running
 * `ResourceSampler` and `/metrics`. `OBSWEAVE_LOAD_PARTS` (a comma list of `http`,
 * `correlation`, `decorators`, `sampler`; default all) instruments only some, to attribute a
 * cost; `context` alone runs each request under `runWithCorrelationId` with a fixed id and no
 * middleware: the AsyncLocalStorage without the header work. `OBSWEAVE_LOAD_ECHO=always` passes
 * `correlationEcho: 'always'`. `OBSWEAVE_LOAD_SWITCH` (a comma list of modes, `context,request`;
 * `default` for the option left out, `bare` for no middleware) makes one middleware per mode and
 * serves through the one a `{use: k}` message names: two modes compared within one process, free
 * of whatever sets two processes apart for their whole lives, which moves CPU per request by µs.
 * Valid only where no mode switched to turns on async hooks: on Node 20 and 22, once a storage
 * has run, its hooks stay on for every mode after it. `OBSWEAVE_LOAD_PACKAGE` loads another
 * build of the package (a path), to compare two builds in one run. Prints `{"port":…}` once
 * listening; answers `cpu` messages with its CPU time and exits on `exit`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type * as Obsweave from 'obsweave';

const [shape, mode, correlationArg = 'default'] = process.argv.slice(2);
const instrumented = mode === 'instrumented';
// A bare copy never loads the package, as a service without obsweave: no diagnostics-channel
// subscriber on each response's finish, no async context, none of its modules in memory.
const ow = instrumented
  ? (require(process.env.OBSWEAVE_LOAD_PACKAGE ?? 'obsweave') as typeof Obsweave)
  : undefined;
const parts = new Set(
  (process.env.OBSWEAVE_LOAD_PARTS ?? 'http,correlation,decorators,sampler').split(','),
);
const has = (part: string): boolean => instrumented && parts.has(part);

// Trivial shape: a cache lookup and a render, both synchronous.
class JobCache {
  get(id: string): { id: string; status: string } {
    return { id, status: 'running' };
  }
}
class JobView {
  render(job: { id: string; status: string }): string {
    return JSON.stringify(job);
  }
}

/**
 * The realistic shape's client of its backend (`backend.ts`, port in `OBSWEAVE_LOAD_BACKEND`):
 * one connection, requests pipelined, replies in order, as a Redis client works.
 */
class BackendClient {
  private socket: Socket | undefined;
  private readonly waiting: ((reply: string) => void)[] = [];
  private partial = '';

  call(request: string): Promise<string> {
    const socket = (this.socket ??= this.open());
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      socket.write(`${request}\n`);
    });
  }

  private open(): Socket {
    const socket = connect(Number(process.env.OBSWEAVE_LOAD_BACKEND), '127.0.0.1');
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      const text = this.partial + chunk;
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        this.waiting.shift()?.(text.slice(start, nl));
        start = nl + 1;
      }
      this.partial = text.slice(start);
    });
    return socket;
  }
}
const backend = new BackendClient();

// Realistic shape: three awaited calls of ~1 ms each over a socket, as a database, storage and
// a queue are.
class JobStore {
  async insert(job: { name?: unknown }): Promise<string> {
    const reply = await backend.call(`insert ${String(job.name).length}`);
    return `job-${reply.length}`;
  }
}
class UploadStorage {
  async presign(id: string): Promise<string> {
    await backend.call(`presign ${id}`);
    return `https://storage.local/${id}`;
  }
}
class WorkQueue {
  async enqueue(id: string): Promise<number> {
    const reply = await backend.call(`enqueue ${id}`);
    return reply.length;
  }
}
class Intake {
  constructor(
    private readonly store = new JobStore(),
    private readonly storage = new UploadStorage(),
    private readonly queue = new WorkQueue(),
  ) {}
  async accept(job: { name?: unknown }): Promise<{ id: string; uploadUrl: string }> {
    const id = await this.store.insert(job);
    const uploadUrl = await this.storage.presign(id);
    await this.queue.enqueue(id);
    return { id, uploadUrl };
  }
}

if (has('decorators')) {
  // The class form, as a service would write `@Stage()` over a class: every method, by name.
  const { ExternalCall, Stage } = ow!;
  Stage()(JobView);
  Stage()(Intake);
  ExternalCall('cache')(JobCache);
  ExternalCall('db')(JobStore);
  ExternalCall('storage')(UploadStorage);
  ExternalCall('queue')(WorkQueue);
}
if (has('sampler')) new ow!.ResourceSampler({ intervalMs: 1000 }).start();

const cache = new JobCache();
const view = new JobView();
const intake = new Intake();

function trivial(_req: IncomingMessage, res: ServerResponse): void {
  const body = view.render(cache.get('123'));
  res.setHeader('content-type', 'application/json');
  res.end(body);
}

function realistic(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let job: { name?: unknown };
    try {
      job = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.statusCode = 400;
      res.end();
      return;
    }
    intake.accept(job).then(
      (out) => {
        res.statusCode = 201;
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(out));
      },
      () => {
        res.statusCode = 500;
        res.end();
      },
    );
  });
}

const handle = shape === 'realistic' ? realistic : trivial;
/** The service's routes, declared as a `node:http` service declares them (see the README). */
const ROUTES = ['/api/jobs', '/api/jobs/:id'];
/** A mode as the bench names it: `default` is the option left out, `false` the boolean. */
const modeOf = (m: string): Obsweave.CorrelationMode | false | undefined =>
  m === 'default' ? undefined : m === 'false' ? false : (m as Obsweave.CorrelationMode);
const correlation = has('correlation') ? modeOf(correlationArg) : false;
const correlationEcho = process.env.OBSWEAVE_LOAD_ECHO as Obsweave.CorrelationEcho | undefined;
const middleware = (mode: Obsweave.CorrelationMode | false | undefined) =>
  ow!.httpMetrics({
    routes: ROUTES,
    ...(mode === undefined ? {} : { correlation: mode }),
    ...(correlationEcho === undefined ? {} : { correlationEcho }),
  });
// One middleware per mode switched between (`default`: the option left out; `bare`: none), or
// the one of `correlation`.
const switched = (process.env.OBSWEAVE_LOAD_SWITCH ?? '')
  .split(',')
  .filter(Boolean)
  .map((m) => (m === 'bare' ? undefined : middleware(modeOf(m))));
let mw = !has('http') ? undefined : switched.length > 0 ? switched[0] : middleware(correlation);
const contextOnly = has('context');

const metricsEndpoint = ow?.createMetricsHandler();

const server = createServer(
  metricsEndpoint !== undefined
    ? (req, res) => {
        if (req.url === '/metrics') return metricsEndpoint(req, res);
        if (mw !== undefined) mw(req, res, () => handle(req, res));
        else if (contextOnly) ow!.runWithCorrelationId('load-bench', () => handle(req, res));
        else handle(req, res);
      }
    : handle,
);

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});

process.on('message', (m: 'cpu' | 'exit' | { use: number }) => {
  if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  if (typeof m === 'object') {
    mw = switched[m.use];
    process.send?.({ using: m.use });
  }
  if (m === 'exit') server.close(() => process.exit(0)); // a normal exit writes --cpu-prof's file
});
// The bench owns this process: when it goes, so does the service.
process.on('disconnect', () => process.exit(0));
