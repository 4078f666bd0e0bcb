/**
 * `npm run bench:overhead`: what obsweave adds per request and per decorated call, in one
 * process, through a real `http.Server` driven without a network (`MemoryConnection`, below).
 *
 * Four groups, each in a fresh child process, because on Node 20 and 22 the first
 * AsyncLocalStorage turns on promise hooks for the whole process, and that cost would land on
 * every case measured after it:
 * - `http`: cases (a) to (e) and (g) side by side; (b) is the defaults, which make an
 *   AsyncLocalStorage on Node >= 24 only.
 * - `http-no-als`: (a), (c), (d), (e), (g) in a process that never made an AsyncLocalStorage,
 *   as a service on `'request'` or `false` is: the honest place for (c) − (a) and (g) − (a).
 * - `http-context`: (a), (f) `'context'` and (g) `'request'`, paired: what the async context
 *   adds over the request-scoped id (on Node 20 and 22 the hooks then weigh on all three).
 * - `pipeline`: the worker pipeline, bare against `@Stage` + `@ExternalCall`.
 */
import { fork } from 'node:child_process';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { performance } from 'node:perf_hooks';
import { Duplex } from 'node:stream';
import promBundle from 'express-prom-bundle';
import * as prom from 'prom-client';
import { ExternalCall, httpMetrics, MetricsRegistry, Route, Stage } from '../src';
import {
  fmtNs,
  machine,
  machineLine,
  pairedDelta,
  pairedRounds,
  pairedThroughput,
  writeResults,
  type AsyncCase,
  type CaseSamples,
} from './harness';

/**
 * One keep-alive connection to a real `http.Server`, with no network under it: the server gets
 * an in-memory Duplex through its `connection` event, so requests go through Node's own parser,
 * `IncomingMessage`, `ServerResponse` and the `http.server.*` diagnostics channels, and the
 * measurement holds no kernel, loopback or second process, whose noise dwarfs a microsecond.
 *
 * Requests are sent one at a time, as a keep-alive client does: the next one is pushed after
 * the previous response's finish ran, so no case meets Node's pipelining queue.
 */
class MemoryConnection {
  private readonly server: Server;
  private readonly socket: MemorySocket;

  constructor(handler: RequestListener, request: string) {
    this.server = createServer({ keepAliveTimeout: 0 }, handler);
    this.socket = new MemorySocket(Buffer.from(request, 'latin1'));
    this.server.emit('connection', this.socket);
  }

  /** Sends `n` requests one after the other; resolves once the last response has finished. */
  run(n: number): Promise<void> {
    return this.socket.run(n);
  }
}

class MemorySocket extends Duplex {
  // What `http.Server` reads off a net.Socket.
  remoteAddress = '127.0.0.1';
  remotePort = 40000;
  localAddress = '127.0.0.1';
  localPort = 80;
  encrypted = false;

  private remaining = 0;
  private done: (() => void) | undefined;

  constructor(private readonly request: Buffer) {
    super({ allowHalfOpen: true });
  }

  run(n: number): Promise<void> {
    this.remaining = n;
    return new Promise((resolve) => {
      this.done = resolve;
      this.push(this.request);
    });
  }

  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    cb();
    this.responded(chunk);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    cb();
    for (const c of chunks) this.responded(c.chunk);
  }

  /**
   * Every response of the bench handlers is written in one chunk (headers and a short body
   * together) beginning with the status line. The next request is pushed on a later tick than
   * the write callback that ends the response, so that its `finish` (and with it the
   * diagnostics channel that obsweave listens to) runs first, as it does on a real socket.
   */
  private responded(chunk: Buffer): void {
    if (chunk.length < 5 || chunk[0] !== 0x48 /* H */ || chunk[4] !== 0x2f /* / */) return;
    if (--this.remaining > 0) process.nextTick(pushNext, this);
    else setImmediate(finished, this);
  }

  static next(s: MemorySocket): void {
    s.push(s.request);
  }

  static finish(s: MemorySocket): void {
    const d = s.done;
    s.done = undefined;
    d?.();
  }
}

function pushNext(s: MemorySocket): void {
  MemorySocket.next(s);
}

function finished(s: MemorySocket): void {
  MemorySocket.finish(s);
}

/** What a keep-alive client without a correlation header sends: obsweave makes a UUID. */
const REQUEST =
  'GET /api/jobs/123 HTTP/1.1\r\nHost: bench.local\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n';
const BODY = '{"id":"123","status":"running"}';

type Next = (err?: unknown) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: Next) => void;

function handler(_req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('content-type', 'application/json');
  res.end(BODY);
}

/** Case (a): the same call shape as the middlewares, doing nothing, so deltas are theirs alone. */
function passThrough(_req: IncomingMessage, _res: ServerResponse, next: Next): void {
  next();
}

/**
 * Every case runs as `mw(req, res, () => handle(req, res))` inside one `node:http` handler:
 * plain Node, no Express, for all alike. express-prom-bundle reads only `req.originalUrl || req.url`,
 * `req.method` and `res.headersSent`/`statusCode`, all present on a bare request, and is set up
 * to record what obsweave records: method, normalized path and status.
 */
function viaMiddleware(
  mw: Middleware,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => mw(req, res, () => handle(req, res));
}

class JobsController {
  @Route('/api/jobs/:id', { registry: new MetricsRegistry() })
  get(req: IncomingMessage, res: ServerResponse): void {
    handler(req, res);
  }
}

type HttpCaseId = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g';

const HTTP_CASE_NAMES: Record<HttpCaseId, string> = {
  a: '(a) nothing',
  b: '(b) httpMetrics() (defaults)',
  c: '(c) httpMetrics({ correlation: false })',
  d: '(d) express-prom-bundle (prom-client)',
  e: '(e) @Route on the handler',
  f: "(f) httpMetrics({ correlation: 'context' })",
  g: "(g) httpMetrics({ correlation: 'request' })",
};

function listener(id: HttpCaseId): (req: IncomingMessage, res: ServerResponse) => void {
  switch (id) {
    case 'a':
      return viaMiddleware(passThrough, handler);
    case 'b':
      return viaMiddleware(httpMetrics({ registry: new MetricsRegistry() }), handler);
    case 'c':
      return viaMiddleware(
        httpMetrics({ registry: new MetricsRegistry(), correlation: false }),
        handler,
      );
    case 'd':
      return viaMiddleware(
        promBundle({
          includeMethod: true,
          includePath: true,
          promRegistry: new prom.Registry(),
        }) as unknown as Middleware,
        handler,
      );
    case 'f':
      return viaMiddleware(
        httpMetrics({ registry: new MetricsRegistry(), correlation: 'context' }),
        handler,
      );
    case 'g':
      return viaMiddleware(
        httpMetrics({ registry: new MetricsRegistry(), correlation: 'request' }),
        handler,
      );
    case 'e': {
      const controller = new JobsController();
      return viaMiddleware(passThrough, (req, res) => controller.get(req, res));
    }
  }
}

/** One connection per case, made once: every round reuses it, as a keep-alive client does. */
function httpCases(ids: readonly HttpCaseId[]): AsyncCase[] {
  return ids.map((id) => {
    const conn = new MemoryConnection(listener(id), REQUEST);
    return { name: HTTP_CASE_NAMES[id], run: (n) => conn.run(n) };
  });
}

/** Every stage and provider call does about this much work of its own, on the CPU. */
const BODY_US = 50;

let sink = 0;

function spin(iterations: number): void {
  let x = sink | 1;
  for (let i = 0; i < iterations; i++) x = (x ^ (x << 13) ^ (x >>> 7)) | 0;
  sink = x;
}

/**
 * A fixed amount of work rather than a spin until `performance.now()` has moved on 50 µs: a
 * spin on the clock stretches to the end of any time slice the machine gives to another
 * process meanwhile, which on a busy shared machine drowns a 1 % difference. Calibrated on
 * the fastest of a few tries, i.e. when nothing else ran.
 */
function calibrate(): number {
  const probe = 200_000;
  let best = Infinity;
  for (let k = 0; k < 20; k++) {
    const t0 = performance.now();
    spin(probe);
    best = Math.min(best, performance.now() - t0);
  }
  return Math.round((probe * BODY_US) / (best * 1000));
}

const ITERATIONS = calibrate();

function work(): void {
  spin(ITERATIONS);
}

/** Provider clients and the stage class, made fresh so each variant has its own classes. */
function pipelineClasses() {
  class StorageClient {
    async get(id: number): Promise<number> {
      work();
      return id;
    }
    async put(id: number): Promise<number> {
      work();
      return id;
    }
  }
  class TranscriptionClient {
    async transcribe(id: number): Promise<number> {
      work();
      return id;
    }
  }
  class MediaStages {
    constructor(
      private readonly storage: StorageClient,
      private readonly asr: TranscriptionClient,
    ) {}
    async download(id: number): Promise<number> {
      work();
      return this.storage.get(id);
    }
    async probe(id: number): Promise<number> {
      work();
      return id;
    }
    async transcribe(id: number): Promise<number> {
      work();
      return this.asr.transcribe(id);
    }
    async upload(id: number): Promise<number> {
      work();
      return this.storage.put(id);
    }
  }
  return { StorageClient, TranscriptionClient, MediaStages };
}

type Stages = InstanceType<ReturnType<typeof pipelineClasses>['MediaStages']>;

/** Seven calls of ~50 µs per job: four stages, three of which call a provider. */
async function runJob(s: Stages, id: number): Promise<void> {
  await s.download(id);
  await s.probe(id);
  await s.transcribe(id);
  await s.upload(id);
}

const CALLS_PER_JOB = 7;
const PIPELINE_CASE_NAMES = {
  bare: 'bare pipeline',
  copy: 'bare pipeline, a second copy (A/A)',
  woven: '@Stage + @ExternalCall',
};

function pipeline(woven: boolean): Stages {
  const { StorageClient, TranscriptionClient, MediaStages } = pipelineClasses();
  if (woven) {
    // Class form: every method of each class, named after the method, as a service would write
    // `@Stage()` over the stage class and `@ExternalCall('storage')` over the client.
    const registry = new MetricsRegistry();
    Stage(undefined, { registry })(MediaStages);
    ExternalCall('storage', { registry })(StorageClient);
    ExternalCall('asr', { registry })(TranscriptionClient);
  }
  return new MediaStages(new StorageClient(), new TranscriptionClient());
}

function pipelineCases(): AsyncCase[] {
  const make = (name: string, s: Stages): AsyncCase => ({
    name,
    run: async (n) => {
      for (let i = 0; i < n; i++) await runJob(s, i);
    },
  });
  // The copy shows the noise floor: what two identical pipelines differ by in the same run.
  return [
    make(PIPELINE_CASE_NAMES.bare, pipeline(false)),
    make(PIPELINE_CASE_NAMES.copy, pipeline(false)),
    make(PIPELINE_CASE_NAMES.woven, pipeline(true)),
  ];
}

type Group = 'http' | 'http-no-als' | 'http-context' | 'pipeline';
const GROUPS: readonly Group[] = ['pipeline', 'http-no-als', 'http', 'http-context'];
/** `OVERHEAD_ROUNDS=5` checks that the bench runs; its figures want the default. */
const ROUNDS = Number(process.env.OVERHEAD_ROUNDS ?? 101);

async function runGroup(group: Group): Promise<CaseSamples[]> {
  if (group === 'pipeline') {
    return pairedRounds(pipelineCases(), { rounds: ROUNDS, warmupRounds: 5, ops: 100 });
  }
  const ids: HttpCaseId[] =
    group === 'http'
      ? ['a', 'b', 'c', 'd', 'e', 'g']
      : group === 'http-context'
        ? ['a', 'f', 'g']
        : ['a', 'c', 'd', 'e', 'g'];
  return pairedRounds(httpCases(ids), { rounds: ROUNDS, warmupRounds: 10, ops: 2500 });
}

function inChild(group: Group): Promise<CaseSamples[]> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, ['--group', group], { execArgv: process.execArgv });
    let out: CaseSamples[] | undefined;
    child.on('message', (m) => (out = m as CaseSamples[]));
    child.on('error', reject);
    child.on('exit', (code) =>
      out ? resolve(out) : reject(new Error(`group ${group} exited with ${code}`)),
    );
  });
}

interface Target {
  what: string;
  value: number;
  limit: string;
  ok: boolean;
}

function byName(results: readonly CaseSamples[], name: string): CaseSamples {
  const r = results.find((c) => c.name === name);
  if (r === undefined) throw new Error(`no case ${name}`);
  return r;
}

function printHttp(title: string, results: readonly CaseSamples[]): void {
  console.log(
    `\n${title}  CPU time per request, median of ${ROUNDS} interleaved rounds, Δ paired within rounds`,
  );
  const a = byName(results, HTTP_CASE_NAMES.a);
  for (const r of results) {
    const delta = r === a ? '' : `  Δ vs (a) ${fmtNs(pairedDelta(r, a)).padStart(10)}`;
    console.log(`  ${r.name.padEnd(42)} ${fmtNs(r.ns).padStart(10)}/req${delta}`);
  }
}

async function main(): Promise<void> {
  const m = machine();
  console.log(machineLine('overhead', m));
  const results = {} as Record<Group, CaseSamples[]>;
  for (const g of GROUPS) results[g] = await inChild(g);

  const all = results.http;
  const noAls = results['http-no-als'];
  const ctx = results['http-context'];
  printHttp('HTTP, all cases ((b) the defaults)', all);
  printHttp('HTTP, no AsyncLocalStorage in the process', noAls);
  printHttp("HTTP, 'context' beside 'request'", ctx);

  const [bare, copy, woven] = [
    PIPELINE_CASE_NAMES.bare,
    PIPELINE_CASE_NAMES.copy,
    PIPELINE_CASE_NAMES.woven,
  ].map((n) => byName(results.pipeline, n));
  const throughput = pairedThroughput(woven, bare);
  const floor = pairedThroughput(copy, bare);
  const perCall = pairedDelta(woven, bare) / CALLS_PER_JOB;
  console.log(`\nWorker pipeline, ${CALLS_PER_JOB} calls of ~50 µs per job, CPU time per job`);
  for (const r of [bare, copy, woven]) {
    console.log(`  ${r.name.padEnd(42)} ${fmtNs(r.ns).padStart(10)}/job`);
  }
  console.log(
    `  per decorated call ${fmtNs(perCall)}, throughput ${throughput.toFixed(4)}x bare ` +
      `(A/A: ${floor.toFixed(4)}x)`,
  );

  const d = (id: HttpCaseId, set = all) =>
    pairedDelta(byName(set, HTTP_CASE_NAMES[id]), byName(set, HTTP_CASE_NAMES.a));
  const ratioBD = d('b') / d('d');
  const targets: Target[] = [
    { what: '(b) − (a) over (d) − (a)', value: ratioBD, limit: '<= 0.5x', ok: ratioBD <= 0.5 },
    {
      what: '(c) − (a), no AsyncLocalStorage, ns',
      value: d('c', noAls),
      limit: '<= 1000 ns',
      ok: d('c', noAls) <= 1000,
    },
    { what: '(c) − (a), beside (b), ns', value: d('c'), limit: '<= 1000 ns', ok: d('c') <= 1000 },
    {
      what: "(f) − (g), 'context' over 'request', ns",
      value: d('f', ctx) - d('g', ctx),
      limit: '<= 1500 ns',
      ok: d('f', ctx) - d('g', ctx) <= 1500,
    },
    {
      what: 'decorated pipeline throughput / bare',
      value: throughput,
      limit: '>= 0.99x',
      ok: throughput >= 0.99,
    },
  ];
  console.log('\nTargets');
  for (const t of targets) {
    const v = t.limit.endsWith('ns') ? fmtNs(t.value) : `${t.value.toFixed(3)}x`;
    console.log(
      `  ${t.what.padEnd(44)} ${v.padStart(10)}  (target ${t.limit}) ${t.ok ? 'ok' : 'MISSED'}`,
    );
  }
  console.log(
    `  (e) @Route − (a): ${fmtNs(d('e'))} per request (no AsyncLocalStorage: ${fmtNs(d('e', noAls))})`,
  );

  const file = writeResults('overhead', m, { rounds: ROUNDS, results, targets });
  console.log(`\nwrote ${file}`);
}

const g = process.argv.indexOf('--group');
if (g > 0) {
  void runGroup(process.argv[g + 1] as Group).then((r) => {
    process.send?.(r);
    process.exit(0);
  });
} else {
  void main();
}
