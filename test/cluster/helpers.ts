import type { ExecutionContext } from 'ava';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { MetricsRegistry } from '../../src';
import { ClusterRegistry, shareWithPrimary, type ClusterRegistryOptions } from '../../src/cluster';

/** Polls until `check` holds. */
export async function eventually(check: () => boolean, what = 'condition', ms = 5000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface Primary {
  cluster: ClusterRegistry;
  /** The primary's own registry. */
  own: MetricsRegistry;
  logs: string[];
}

/** A `ClusterRegistry` over its own registry, closed in teardown. */
export function primary(t: ExecutionContext, opts: ClusterRegistryOptions = {}): Primary {
  const logs: string[] = [];
  const own = new MetricsRegistry({ logger: (m) => logs.push(m) });
  const cluster = new ClusterRegistry({ ...opts, registry: own });
  t.teardown(() => cluster.close());
  return { cluster, own, logs };
}

/** A worker in this process: its registry shares over a real `MessageChannel`. */
export async function worker(
  t: ExecutionContext,
  p: Primary,
  name: string,
  registry = new MetricsRegistry({ logger: () => {} }),
): Promise<MetricsRegistry> {
  const { port1, port2 } = new MessageChannel();
  const before = p.cluster.workers.length;
  shareWithPrimary(registry, { port: port2 });
  p.cluster.add(port1, { name });
  t.teardown(() => {
    port1.close();
    port2.close();
  });
  await eventually(() => p.cluster.workers.length > before, `worker ${name} to share`);
  return registry;
}

/**
 * A worker that speaks the protocol by hand: `onCollect` decides what (and whether) it answers.
 * Returns its end of the channel.
 */
export async function fakeWorker(
  t: ExecutionContext,
  p: Primary,
  name: string,
  onCollect: (id: number, port: MessagePort) => void,
): Promise<MessagePort> {
  const { port1, port2 } = new MessageChannel();
  const before = p.cluster.workers.length;
  port2.on('message', (m: { obsweave?: string; id?: number }) => {
    if (m?.obsweave === 'collect') onCollect(m.id!, port2);
  });
  p.cluster.add(port1, { name });
  port2.postMessage({ obsweave: 'ready' });
  t.teardown(() => {
    port1.close();
    port2.close();
  });
  await eventually(() => p.cluster.workers.length > before, `worker ${name} to share`);
  return port2;
}

export function dropped(snapshot: { counters: Record<string, number> }, reason: string): number {
  return snapshot.counters[`obsweave.dropped_total|reason=${reason}`] ?? 0;
}
