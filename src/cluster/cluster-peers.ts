import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import type { Peer, PeerEvents } from './peer';

/**
 * The `node:cluster` workers of this primary as peers, found by themselves: their messages and
 * exits are reported to `events` until the returned function is called. Workers that started
 * sharing before this was called are asked again who shares.
 */
export function listenToClusterWorkers(events: PeerEvents): () => void {
  const peers = new Map<number, Peer>();
  const peerOf = (w: ClusterWorker): Peer => {
    let p = peers.get(w.id);
    if (p === undefined) peers.set(w.id, (p = clusterPeer(w)));
    return p;
  };
  const unwatch = watchCluster({
    message: (w, msg) => events.message(peerOf(w), msg),
    exit: (w) => {
      const p = peers.get(w.id);
      peers.delete(w.id);
      events.gone(p ?? clusterPeer(w), 'exited');
    },
  });
  for (const w of Object.values(cluster.workers ?? {})) {
    if (w !== undefined) peerOf(w).send({ obsweave: 'hello' }, () => {});
  }
  return unwatch;
}

function clusterPeer(w: ClusterWorker): Peer {
  return {
    key: `cluster:${w.id}`,
    worker: String(w.id),
    send(msg, failed) {
      try {
        if (!w.isConnected()) return failed();
        w.send(msg as object, (err: Error | null) => {
          if (err) failed();
        });
      } catch {
        failed();
      }
    },
  };
}

interface ClusterWatcher {
  message(w: ClusterWorker, msg: unknown): void;
  exit(w: ClusterWorker): void;
}

/** One set of listeners on `cluster` for every ClusterRegistry, however many there are. */
const watchers = new Set<ClusterWatcher>();
const onMessage = (w: ClusterWorker, msg: unknown) => {
  for (const x of watchers) x.message(w, msg);
};
const onExit = (w: ClusterWorker) => {
  for (const x of watchers) x.exit(w);
};

function watchCluster(watcher: ClusterWatcher): () => void {
  if (watchers.size === 0) {
    cluster.on('message', onMessage);
    cluster.on('exit', onExit);
    cluster.on('disconnect', onExit);
  }
  watchers.add(watcher);
  return () => {
    if (!watchers.delete(watcher) || watchers.size > 0) return;
    cluster.off('message', onMessage);
    cluster.off('exit', onExit);
    cluster.off('disconnect', onExit);
  };
}
