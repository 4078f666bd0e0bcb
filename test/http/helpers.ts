import type { ExecutionContext } from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** Polls until `check` holds: the server records on its own schedule after the client is done. */
export async function eventually(
  check: () => boolean,
  what = 'condition',
  ms = 5000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function counter(registry: MetricsRegistry, key: string): number {
  return registry.snapshot().counters[key] ?? 0;
}

/** The sum of every series of a counter whose key starts with `prefix`. */
export function total(registry: MetricsRegistry, prefix: string): number {
  let n = 0;
  for (const [k, v] of Object.entries(registry.snapshot().counters))
    if (k.startsWith(prefix)) n += v;
  return n;
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
