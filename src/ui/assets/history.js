/**
 * What the page remembers between refreshes: recent snapshots, so that a window's start can
 * be found, and recent values of each headline figure for its sparkline. Kept small: every
 * snapshot of the last minute, then one per 10 s up to five minutes.
 */

const RECENT_MS = 65_000;
const COARSE_EVERY_MS = 10_000;
const COARSE_MS = 310_000;

/** @typedef {import('./model.js').Snapshot} Snapshot */

export class SnapshotHistory {
  constructor() {
    /** @type {{ t: number, snap: Snapshot }[]} */
    this.recent = [];
    /** @type {{ t: number, snap: Snapshot }[]} */
    this.coarse = [];
  }

  /**
   * Adds a snapshot; false when it is not newer than the last one (nothing new to show).
   * @param {Snapshot} snap
   */
  add(snap) {
    const t = Date.parse(snap.timestamp);
    const last = this.recent[this.recent.length - 1];
    if (!Number.isFinite(t) || (last !== undefined && t <= last.t)) return false;
    this.recent.push({ t, snap });
    while (this.recent.length > 2 && this.recent[0].t < t - RECENT_MS) this.recent.shift();
    const lastCoarse = this.coarse[this.coarse.length - 1];
    if (lastCoarse === undefined || t - lastCoarse.t >= COARSE_EVERY_MS)
      this.coarse.push({ t, snap });
    while (this.coarse.length > 2 && this.coarse[0].t < t - COARSE_MS) this.coarse.shift();
    return true;
  }

  /** @returns {Snapshot | undefined} */
  latest() {
    return this.recent[this.recent.length - 1]?.snap;
  }

  /**
   * The snapshot a window of `seconds` starts at: the newest one at least that old, else the
   * oldest kept (the window is then as long as the page has been open).
   * @param {number} seconds
   * @returns {Snapshot | undefined}
   */
  base(seconds) {
    const now = this.recent[this.recent.length - 1];
    if (now === undefined) return undefined;
    const limit = now.t - seconds * 1000;
    let best;
    let oldest = now;
    for (const e of [...this.coarse, ...this.recent]) {
      if (e.t < oldest.t) oldest = e;
      if (e.t <= limit && (best === undefined || e.t > best.t)) best = e;
    }
    return (best ?? oldest).snap;
  }
}

/** Recent values of named figures, for sparklines; `null` marks a refresh without a value. */
export class FigureHistory {
  /** @param {number} capacity values kept per figure */
  constructor(capacity) {
    this.capacity = capacity;
    /** @type {Map<string, (number | null)[]>} */
    this.series = new Map();
  }

  /**
   * @param {string} id
   * @param {number | null | undefined} value
   */
  push(id, value) {
    let s = this.series.get(id);
    if (s === undefined) this.series.set(id, (s = []));
    s.push(typeof value === 'number' && Number.isFinite(value) ? value : null);
    if (s.length > this.capacity) s.shift();
    return s;
  }
}
