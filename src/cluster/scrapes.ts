import type { Source } from './merge';
import type { Peer } from './peer';
import { decode } from './decode';
import type { Answer } from './wire';

/** Why a worker was left out of a scrape: no answer in time, or none that could be used. */
export type LeftOut = 'worker_timeout' | 'worker_error';

interface Scrape {
  /** Asked and not answered yet. */
  readonly waiting: Map<string, Peer>;
  readonly answers: Map<string, Source>;
  finish(): void;
}

/**
 * The scrapes under way: each asks every peer at once and ends when all have answered, when
 * `timeoutMs` has passed, or when the last one still awaited is gone. Answers are matched to
 * their scrape by id, so a late answer to an earlier scrape is ignored. A peer left out is
 * reported through `leftOut`.
 */
export class Scrapes {
  private readonly open = new Map<number, Scrape>();
  private nextId = 1;

  constructor(
    private readonly timeoutMs: number,
    private readonly leftOut: (reason: LeftOut, peer: Peer, why: string) => void,
  ) {}

  /** Every peer's answer, in their order; resolves within `timeoutMs`, never rejects. */
  collect(peers: readonly Peer[]): Promise<Source[]> {
    if (peers.length === 0) return Promise.resolve([]);
    const id = this.nextId;
    this.nextId = id >= 0x7fffffff ? 1 : id + 1;
    return new Promise((resolve) => {
      const waiting = new Map(peers.map((p) => [p.key, p]));
      const answers = new Map<string, Source>();
      let done = false;
      const scrape: Scrape = {
        waiting,
        answers,
        finish: () => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          this.open.delete(id);
          resolve(peers.map((p) => answers.get(p.key)).filter((s): s is Source => !!s));
        },
      };
      const timer = setTimeout(() => {
        for (const p of waiting.values()) {
          this.leftOut('worker_timeout', p, `did not answer within ${this.timeoutMs} ms`);
        }
        scrape.finish();
      }, this.timeoutMs);
      timer.unref();
      this.open.set(id, scrape);
      for (const p of peers) {
        p.send({ obsweave: 'collect', id }, () => this.giveUp(id, p, 'could not be asked'));
      }
    });
  }

  /** A peer's answer: kept for its scrape, or left out when it is garbage. */
  answered(peer: Peer, msg: Answer): void {
    const scrape = this.open.get(msg.id);
    if (scrape === undefined || !scrape.waiting.has(peer.key)) return;
    scrape.waiting.delete(peer.key);
    let families: ReturnType<typeof decode>;
    try {
      families = decode(msg);
    } catch {
      families = 'answered garbage';
    }
    if (typeof families === 'string') this.leftOut('worker_error', peer, families);
    else scrape.answers.set(peer.key, { worker: peer.worker, families });
    if (scrape.waiting.size === 0) scrape.finish();
  }

  /** A peer that will not answer: left out of the scrapes waiting for it, at once. */
  gone(peer: Peer, why: string): void {
    for (const [id, s] of [...this.open]) {
      if (s.waiting.has(peer.key)) this.giveUp(id, peer, `${why} during a scrape`);
    }
  }

  /** Every scrape under way answers at once with what it has. */
  finishAll(): void {
    for (const s of [...this.open.values()]) s.finish();
  }

  private giveUp(id: number, p: Peer, why: string): void {
    const s = this.open.get(id);
    if (s === undefined || !s.waiting.delete(p.key)) return;
    this.leftOut('worker_error', p, why);
    if (s.waiting.size === 0) s.finish();
  }
}
