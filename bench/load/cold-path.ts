/**
 * What the middleware's per-request path costs when the caches are cold, as they are in a real
 * service between two requests: `node -r ts-node/register/transpile-only bench/load/cold-path.ts`.
 * Each part runs on Node's own request and response objects, with the finish published as Node
 * publishes it; every request is timed alone, warm (requests back to back) and cold (8 MiB
 * written between two requests, which leaves none of the path in any cache). Prints the median
 * of 21 rounds per part, in ns per request; each part includes the ones above it.
 */
import { execFileSync } from 'node:child_process';
import { channel, subscribe } from 'node:diagnostics_channel';
import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { httpMetrics, MetricsRegistry } from '../../src';
import { httpRecorder } from '../../src/core/http-recorder';
import { RequestState, trackRequest, type RequestSink } from '../../src/http/request-lifecycle';
import { RouteResolver } from '../../src/http/route-resolution';
import { median } from '../harness';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const ROUTES = ['/api/jobs/:id'];
let sink = 0;

/** The parts, each a middleware in a fresh registry; `undefined` for no middleware at all. */
const PARTS: Record<string, () => Middleware> = {
  'nothing (the bare request)': () => (_req, _res, next) => next(),
  'a finish subscriber and two clock reads': () => {
    const at = Symbol('start');
    type Timed = IncomingMessage & { [at]?: number };
    subscribe('http.server.response.finish', (m) => {
      sink += performance.now() - ((m as { request: Timed }).request[at] ?? 0);
    });
    return (req, _res, next) => {
      (req as Timed)[at] = performance.now();
      next();
    };
  },
  'request tracking (state, abort detection)': () => tracked('track'),
  '+ the route found': () => tracked('route'),
  '+ the request recorded': () => tracked('record'),
  'httpMetrics(), correlation: false': () =>
    httpMetrics({ registry: new MetricsRegistry(), routes: ROUTES, correlation: false }),
  'httpMetrics() defaults': () => httpMetrics({ registry: new MetricsRegistry(), routes: ROUTES }),
};

/** The middleware's own steps, one more each time, over the package's request tracking. */
function tracked(upTo: 'track' | 'route' | 'record'): Middleware {
  const routes = new RouteResolver({ routes: ROUTES });
  const recorder = httpRecorder(new MetricsRegistry());
  const meter: RequestSink = {
    complete(req, state, outcome) {
      const ms = performance.now() - state.start;
      if (upTo === 'track') return void (sink += ms);
      const route = routes.resolve(req, state.url);
      if (upTo === 'route') return void (sink += route.length);
      recorder.record(req.method ?? 'GET', route, outcome, ms);
    },
  };
  return (req, _res, next) => {
    trackRequest(req, new RequestState(meter, performance.now(), req.url ?? '/'));
    next();
  };
}

const finish = channel('http.server.response.finish');
const server = new Server();
const sockets = Array.from({ length: 32 }, () => new Socket());
const junk = new Uint8Array(8 << 20);
const next = (): void => void sink++;

function requests(n: number): [IncomingMessage, ServerResponse, Socket][] {
  return Array.from({ length: n }, (_, i) => {
    const socket = sockets[i & 31];
    const req = new IncomingMessage(socket);
    req.url = `/api/jobs/${i % 10}`;
    req.method = 'GET';
    req.rawHeaders = ['Host', '127.0.0.1'];
    const res = new ServerResponse(req);
    res.statusCode = 200;
    return [req, res, socket];
  });
}

/** Mean ns per request over one round of `n` requests, each timed alone. */
function round(mw: Middleware, n: number, cold: boolean): number {
  const batch = requests(n);
  let total = 0n;
  for (let i = 0; i < n; i++) {
    if (cold) for (let j = (i * 7) & 63; j < junk.length; j += 64) junk[j]++;
    const [req, res, socket] = batch[i];
    const t = process.hrtime.bigint();
    mw(req, res, next);
    if (finish.hasSubscribers) finish.publish({ request: req, response: res, socket, server });
    total += process.hrtime.bigint() - t;
  }
  return Number(total) / n;
}

function measure(mw: Middleware, cold: boolean): number {
  const n = cold ? 64 : 2048;
  for (let k = 0; k < 20; k++) round(mw, n, cold);
  return median(Array.from({ length: 21 }, () => round(mw, n, cold)));
}

// One part per process: a subscriber, once made, stays for the process' life.
const part = process.argv[2];
if (part !== undefined) {
  const mw = PARTS[part]();
  console.log(JSON.stringify([measure(mw, false), measure(mw, true)]));
} else {
  console.log(`per request, ns (medians of 21 rounds), Node ${process.version}`);
  console.log(`${'part'.padEnd(44)} ${'warm'.padStart(6)} ${'cold'.padStart(6)}`);
  for (const name of Object.keys(PARTS)) {
    const out = execFileSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', __filename, name],
      { encoding: 'utf8', cwd: `${__dirname}/../..` },
    );
    const [warm, cold] = JSON.parse(out) as [number, number];
    console.log(`${name.padEnd(44)} ${warm.toFixed(0).padStart(6)} ${cold.toFixed(0).padStart(6)}`);
  }
}
