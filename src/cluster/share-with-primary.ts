import cluster from 'node:cluster';
import { isMainThread, parentPort } from 'node:worker_threads';
import { metrics, MetricsRegistry } from '../core/metrics-registry';
import { isPortLike, type PortLike } from './port';
import { encode, kindOf, type Answer, type WireFamily } from './wire';
import { describeError } from '../core/describe';

export interface ShareOptions {
  /**
   * Where the primary's requests come from. Default: the IPC channel in a `node:cluster`
   * worker, `parentPort` in a `worker_threads` worker.
   */
  port?: PortLike;
}

interface Channel {
  send(msg: unknown): void;
  listen(fn: (msg: unknown) => void): () => void;
}

/**
 * Answers the primary's `ClusterRegistry` with this registry's series (default: the
 * process-wide `metrics`). Call it once in every worker, at start. Returns a function that
 * stops sharing. NOTE: listening keeps the channel referenced, so the worker does not exit by
 * itself while it shares; call the returned function to let it.
 */
export function shareWithPrimary(
  registry: MetricsRegistry = metrics,
  { port }: ShareOptions = {},
): () => void {
  if (!(registry instanceof MetricsRegistry)) {
    throw new TypeError('obsweave: shareWithPrimary takes a MetricsRegistry');
  }
  const channel = channelFor(port);
  const stop = channel.listen((msg) => {
    const kind = kindOf(msg);
    if (kind === 'hello') channel.send({ obsweave: 'ready' });
    else if (kind === 'collect') answer(registry, (msg as { id: unknown }).id, channel);
  });
  channel.send({ obsweave: 'ready' });
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    stop();
    channel.send({ obsweave: 'bye' });
  };
}

function answer(registry: MetricsRegistry, id: unknown, channel: Channel): void {
  if (typeof id !== 'number') return;
  const failed = (e: unknown) =>
    channel.send({ obsweave: 'metrics', id, error: describeError(e) } satisfies Answer);
  try {
    if (Object.keys(registry.defaultLabels).length > 0) {
      registry.warnOnce(
        'cluster.defaultLabels',
        "a worker's defaultLabels are not sent to the primary: the primary's own apply to the merged output",
      );
    }
    const f = registry.exportWith('cluster', encode);
    if (Array.isArray(f)) channel.send({ obsweave: 'metrics', id, f } satisfies Answer);
    else
      (f as Promise<WireFamily[]>).then(
        (fams) => channel.send({ obsweave: 'metrics', id, f: fams } satisfies Answer),
        failed,
      );
  } catch (e) {
    failed(e);
  }
}

function channelFor(port: PortLike | undefined): Channel {
  if (port !== undefined) {
    if (!isPortLike(port)) {
      throw new TypeError('obsweave: shareWithPrimary port must be a MessagePort or a Worker');
    }
    return portChannel(port);
  }
  if (cluster.isWorker) {
    return {
      send(msg) {
        // The callback takes a failed send (the primary is gone) instead of an 'error' event.
        if (process.connected) process.send!(msg, undefined, undefined, () => {});
      },
      listen(fn) {
        process.on('message', fn);
        return () => process.off('message', fn);
      },
    };
  }
  if (!isMainThread && parentPort !== null) return portChannel(parentPort);
  throw new TypeError(
    'obsweave: shareWithPrimary runs in a node:cluster worker or a worker_threads worker (or give it a port)',
  );
}

function portChannel(port: PortLike): Channel {
  return {
    send(msg) {
      try {
        port.postMessage(msg);
      } catch {
        // a closed port: the primary has gone, nobody to tell
      }
    },
    listen(fn) {
      port.on('message', fn);
      return () => port.off('message', fn);
    },
  };
}
