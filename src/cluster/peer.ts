/** A worker the primary can ask for its series: a `node:cluster` worker or a port. */
export interface Peer {
  /** Unique among the peers of one primary: `cluster:<id>` or `port:<n>`. */
  readonly key: string;
  /** Its `worker` label value. */
  readonly worker: string;
  /** Sends `msg`; `failed` is called when it cannot be sent. */
  send(msg: unknown, failed: () => void): void;
}

/** What a transport tells the primary about its peers. */
export interface PeerEvents {
  message(peer: Peer, msg: unknown): void;
  /** The peer will not answer again (it exited, or its port closed). */
  gone(peer: Peer, why: string): void;
}
