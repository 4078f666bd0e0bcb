import type { ExecutionContext } from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import type { MetricsRegistry } from '../../src';

/** Listens on 127.0.0.1 port 0, closes in teardown, resolves to the base URL. */
export async function listen(t: ExecutionContext, server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * The events that carry a request's record: a response's `close` comes after its `finish`
 * (where a finished request is recorded) or after its socket closed (where an aborted one is),
 * and a socket's `close` is where requests still in flight on it are recorded. Once those
 * events have fired, nothing more can be recorded for what came before: a test waits for them
 * instead of sleeping to show that nothing more happens. Watch before the first request.
 */
export function watchServer(server: http.Server): {
  /** Every response made so far has closed. */
  responsesClosed(): Promise<void>;
  /** Every connection accepted so far has closed. */
  socketsClosed(): Promise<void>;
} {
  const responses: Promise<void>[] = [];
  const sockets: Promise<void>[] = [];
  const closed = (e: http.ServerResponse | Socket) =>
    new Promise<void>((resolve) => e.once('close', () => resolve()));
  server.on('request', (_req, res: http.ServerResponse) => responses.push(closed(res)));
  server.on('connection', (s: Socket) => sockets.push(closed(s)));
  return {
    responsesClosed: async () => void (await Promise.all(responses)),
    socketsClosed: async () => void (await Promise.all(sockets)),
  };
}

export function latencyCount(registry: MetricsRegistry, route: string): number {
  return registry.snapshot().histograms[`http.request_latency_ms|route=${route}`]?.count ?? 0;
}

/**
 * Sends a request and destroys it once the server has started handling it (`started` resolves),
 * then resolves when the client side saw the socket close.
 */
export function abortedRequest(base: string, path: string, started: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get(`${base}${path}`);
    req.on('error', () => {});
    req.on('close', () => resolve());
    void started.then(() => req.destroy());
  });
}

/** A gate a handler waits on, and a signal that it is waiting. */
export function gate(): {
  entered: Promise<void>;
  enter: () => void;
  release: () => void;
  released: Promise<void>;
} {
  let enter!: () => void;
  let release!: () => void;
  const entered = new Promise<void>((r) => (enter = r));
  const released = new Promise<void>((r) => (release = r));
  return { entered, enter, release, released };
}
