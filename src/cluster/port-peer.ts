import type { Peer, PeerEvents } from './peer';
import type { PortLike } from './port';

/**
 * A `worker_threads` `Worker` or a `MessagePort` as a peer, listened to until it exits, its
 * port closes, or the returned function is called (each of which reports it gone).
 */
export function listenToPort(
  port: PortLike,
  key: string,
  worker: string,
  events: PeerEvents,
): () => void {
  const peer: Peer = {
    key,
    worker,
    send(msg, failed) {
      try {
        port.postMessage(msg);
      } catch {
        failed();
      }
    },
  };
  const onMessage = (msg: unknown) => events.message(peer, msg);
  // A `Worker` says `exit`, a `MessagePort` says `close`; a bare PortLike may say neither.
  const lifecycle = port as unknown as {
    on?(e: string, fn: () => void): unknown;
    off?(e: string, fn: () => void): unknown;
  };
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    port.off('message', onMessage);
    lifecycle.off?.('exit', remove);
    lifecycle.off?.('close', remove);
    events.gone(peer, 'exited');
  };
  port.on('message', onMessage);
  lifecycle.on?.('exit', remove);
  lifecycle.on?.('close', remove);
  peer.send({ obsweave: 'hello' }, () => {});
  return remove;
}
