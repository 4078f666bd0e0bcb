/**
 * The least a request recorder can cost, a step at a time, for `instructions.ts --floor`:
 * `floor.js <step>` serves the handler of the two-process A/B (a fixed JSON body) on 127.0.0.1,
 * through the step's middleware. Each step does what the one before it does, and a little more:
 *
 * - `bare`: no middleware, and the package never loaded.
 * - `next`: the handler called through a middleware's `next`, as every instrumented copy calls it.
 * - `subscriber`: a `diagnostics_channel` subscriber on each response's finish, and a
 *   `performance.now()` at each end.
 * - `least`: what the defaults promise, in the fewest steps that keep it: a state on the request,
 *   abort detection per connection, the route matched against one template, a counter and a
 *   histogram recorded through bound children of the package's registry.
 * - `least + context`: the same, run in the request's async context (`enterWith`), as `'auto'`
 *   does on Node 24 and 26.
 * - `correlation: false`, `defaults`: `httpMetrics()` itself.
 *
 * Prints `{"port":…}` once listening and exits on an `exit` message, as `service.ts` does.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type * as Obsweave from 'obsweave';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const step = process.argv[2];
const ROUTE = '/api/jobs/:id';
const body = JSON.stringify({ id: 42, status: 'running', stage: 'transcribe' });

function handle(_req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('content-type', 'application/json');
  res.end(body);
}

// Loaded only by the steps that use it: `bare` and `next` never load the package.
let loaded: { ow: typeof Obsweave; registry: Obsweave.MetricsRegistry } | undefined;
function pkg(): { ow: typeof Obsweave; registry: Obsweave.MetricsRegistry } {
  if (loaded === undefined) {
    const ow = require(process.env.OBSWEAVE_LOAD_PACKAGE ?? 'obsweave') as typeof Obsweave;
    loaded = { ow, registry: new ow.MetricsRegistry() };
  }
  return loaded;
}

/** What the steps without the package add up, answered on `/metrics` so that none of it is dead code. */
let sum = 0;

function subscriber(): Middleware {
  const at = Symbol('start');
  type Timed = IncomingMessage & { [at]?: number };
  subscribe('http.server.response.finish', (m) => {
    const start = (m as { request: Timed }).request[at];
    if (start !== undefined) sum += performance.now() - start;
  });
  return (req, _res, next) => {
    (req as Timed)[at] = performance.now();
    next();
  };
}

/** `/api/jobs/<id>`, with or without a query, against the one template. */
function matches(url: string): boolean {
  const prefix = '/api/jobs/';
  if (!url.startsWith(prefix)) return false;
  let i = prefix.length;
  while (i < url.length && url.charCodeAt(i) !== 47 && url.charCodeAt(i) !== 63) i++;
  return i > prefix.length && (i === url.length || url.charCodeAt(i) === 63);
}

function least(context: boolean): Middleware {
  const { registry } = pkg();
  const requests = registry
    .counter('http.requests_total', {
      help: 'Requests.',
      labelNames: ['method', 'route', 'code_class'],
    })
    .bind({ method: 'GET', route: ROUTE, code_class: '2xx' });
  const latency = registry
    .histogram('http.request_latency_ms', { help: 'Latency.', labelNames: ['route'] })
    .bind({ route: ROUTE });
  const storage = new AsyncLocalStorage<State>();
  class State {
    done = false;
    constructor(
      readonly start: number,
      readonly url: string,
    ) {}
  }
  const STATE = Symbol('state');
  const INFLIGHT = Symbol('inflight');
  type Tracked = IncomingMessage & { [STATE]?: State };
  type Watched = Socket & { [INFLIGHT]?: Tracked | null };
  const onClose = function (this: Watched): void {
    const r = this[INFLIGHT];
    if (r != null && r[STATE] !== undefined) r[STATE].done = true; // an abort: not recorded here
  };
  subscribe('http.server.response.finish', (m) => {
    const { request, response } = m as { request: Tracked; response: ServerResponse };
    const state = request[STATE];
    if (state === undefined || state.done) return;
    state.done = true;
    const socket = request.socket as Watched;
    if (socket[INFLIGHT] === request) socket[INFLIGHT] = null;
    if (matches(state.url) && response.statusCode === 200) {
      requests.inc();
      latency.observe(performance.now() - state.start);
    }
  });
  return (req, _res, next) => {
    const state = new State(performance.now(), req.url ?? '/');
    (req as Tracked)[STATE] = state;
    const socket = req.socket as Watched;
    if (socket[INFLIGHT] === undefined) socket.once('close', onClose);
    socket[INFLIGHT] = req;
    if (context) storage.enterWith(state);
    next();
  };
}

const STEPS: Record<string, () => Middleware | undefined> = {
  bare: () => undefined,
  next: () => (_req, _res, next) => next(),
  subscriber,
  least: () => least(false),
  'least + context': () => least(true),
  'correlation: false': () => {
    const { ow, registry } = pkg();
    return ow.httpMetrics({ registry, routes: [ROUTE], correlation: false });
  },
  defaults: () => {
    const { ow, registry } = pkg();
    return ow.httpMetrics({ registry, routes: [ROUTE] });
  },
};

if (!(step in STEPS)) throw new Error(`floor.ts: no step ${JSON.stringify(step)}`);
const mw = STEPS[step]();
const scrape =
  loaded === undefined ? undefined : loaded.ow.createMetricsHandler({ registry: loaded.registry });

const server = createServer(
  mw === undefined
    ? handle
    : (req, res) => {
        if (req.url === '/metrics') {
          if (scrape !== undefined) return scrape(req, res);
          return res.end(String(sum));
        }
        mw(req, res, () => handle(req, res));
      },
);
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('message', (m) => {
  if (m === 'exit') server.close(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));
