import test, { type ExecutionContext } from 'ava';
import { EventEmitter } from 'node:events';
import { MetricsRegistry } from '../../src';
import { instrumentJobEvents, type JobEventNames } from '../../src/jobs';

/** mulberry32: a seeded PRNG, so a failing run is reproduced by its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Config {
  seed: number;
  events: Required<JobEventNames>;
  active: string[];
  terminal: string[];
  /** The statuses a job passes through before its terminal one. */
  path: string[];
}

type Ev =
  | { kind: 'created'; payload: unknown }
  | { kind: 'status'; payload: unknown }
  | { kind: 'persistFailed'; payload: unknown }
  | { kind: 'recovered'; payload: unknown };

interface ModelJob {
  status: string | undefined;
  createdAt: number | undefined;
  createdCounted: boolean;
  finished: boolean;
}

/**
 * The test's own count, written from the rules documented on JobTracker (not from its code):
 * one plain record per job, never forgotten (the run stays under maxTracked).
 */
class Model {
  created = 0;
  invalid = 0;
  persist = 0;
  latencyCount = 0;
  latencySum = 0;
  readonly transitions = new Map<string, number>();
  readonly recovered = new Map<string, number>();
  readonly jobs = new Map<string, ModelJob>();

  constructor(
    private readonly cfg: Config,
    private readonly now: () => number,
  ) {}

  apply(ev: Ev): void {
    const p = ev.payload;
    if (ev.kind === 'persistFailed') {
      this.persist++;
      return;
    }
    let fields: { id?: unknown; from?: unknown; to?: unknown; reason?: unknown } = {};
    if (p !== null && typeof p === 'object') {
      try {
        const o = p as Record<string, unknown>;
        fields = { id: o.id, from: o.from, to: o.to, reason: o.reason };
      } catch {
        this.invalid++;
        return;
      }
    }
    if (ev.kind === 'recovered') {
      const reason =
        typeof fields.reason === 'string' && fields.reason !== '' ? fields.reason : 'unknown';
      this.recovered.set(reason, (this.recovered.get(reason) ?? 0) + 1);
      return;
    }
    const key = idKey(fields.id);
    if (key === undefined) {
      this.invalid++;
      return;
    }
    if (ev.kind === 'created') this.onCreated(key);
    else this.onStatus(key, fields.from, fields.to);
  }

  private onCreated(key: string): void {
    const j = this.jobs.get(key);
    if (j === undefined) {
      this.jobs.set(key, {
        status: undefined,
        createdAt: this.now(),
        createdCounted: true,
        finished: false,
      });
      this.created++;
    } else if (!j.createdCounted) {
      j.createdCounted = true;
      this.created++;
      if (!j.finished) j.createdAt = this.now();
    }
  }

  private onStatus(key: string, from: unknown, to: unknown): void {
    const isStatus = (v: unknown) => typeof v === 'string' && v !== '';
    if (!isStatus(to) || !(from === undefined || from === null || isStatus(from))) {
      this.invalid++;
      return;
    }
    if (from === to) return;
    let j = this.jobs.get(key);
    if (j?.finished) return;
    if (j?.status === to) return;
    const label = `from=${typeof from === 'string' ? from : (j?.status ?? '')},to=${to as string}`;
    this.transitions.set(label, (this.transitions.get(label) ?? 0) + 1);
    if (j === undefined) {
      j = { status: undefined, createdAt: undefined, createdCounted: false, finished: false };
      this.jobs.set(key, j);
    }
    j.status = to as string;
    if (this.cfg.terminal.includes(to as string)) {
      j.finished = true;
      if (j.createdAt !== undefined) {
        this.latencyCount++;
        this.latencySum += this.now() - j.createdAt;
      }
    }
  }

  inflight(): number {
    let n = 0;
    for (const j of this.jobs.values()) {
      if (!j.finished && j.status !== undefined && this.cfg.active.includes(j.status)) n++;
    }
    return n;
  }
}

function idKey(id: unknown): string | undefined {
  if (typeof id === 'string') return id === '' ? undefined : id;
  if (typeof id === 'number') return Number.isFinite(id) ? String(id) : undefined;
  return undefined;
}

/** Payloads a listener must survive; each is one invalid call. */
function garbage(rnd: () => number): Ev {
  const hostile = {
    get id(): unknown {
      throw new Error('getter throws');
    },
  };
  const proxy = new Proxy(
    {},
    {
      get() {
        throw new Error('proxy throws');
      },
    },
  );
  const kinds: Ev[] = [
    { kind: 'created', payload: null },
    { kind: 'created', payload: undefined },
    { kind: 'created', payload: 'job-1' },
    { kind: 'created', payload: { id: {} } },
    { kind: 'created', payload: hostile },
    { kind: 'status', payload: proxy },
    { kind: 'status', payload: 42 },
    { kind: 'status', payload: { id: '', to: 'running' } },
    { kind: 'status', payload: { id: NaN, to: 'running' } },
    { kind: 'status', payload: { id: 'job-g', from: 'queued' } },
    { kind: 'status', payload: { id: 'job-g', from: 5, to: 'running' } },
    { kind: 'status', payload: { id: 'job-g', to: '' } },
  ];
  return kinds[Math.floor(rnd() * kinds.length)];
}

/** One job's events: a valid lifecycle, then random damage (repeats, swaps, losses, lies). */
function jobEvents(i: number, cfg: Config, rnd: () => number): Ev[] {
  const id: string | number = rnd() < 0.2 ? 1_000_000 + i : `job-${i}`;
  const statuses = ['queued', ...cfg.path];
  const finishes = rnd() < 0.85;
  if (finishes) statuses.push(cfg.terminal[Math.floor(rnd() * cfg.terminal.length)]);
  else statuses.length = 1 + Math.floor(rnd() * (statuses.length - 1));
  const evs: Ev[] = [];
  if (rnd() > 0.05) evs.push({ kind: 'created', payload: { id } });
  for (let s = 1; s < statuses.length; s++) {
    const from = rnd() < 0.1 ? undefined : statuses[s - 1];
    evs.push({ kind: 'status', payload: { id, from, to: statuses[s] } });
  }
  const pick = () => Math.floor(rnd() * evs.length);
  if (evs.length > 0 && rnd() < 0.1) evs.splice(pick(), 0, evs[pick()]); // redelivery
  if (evs.length > 1 && rnd() < 0.1) {
    const k = Math.floor(rnd() * (evs.length - 1)); // out of order
    [evs[k], evs[k + 1]] = [evs[k + 1], evs[k]];
  }
  if (finishes && rnd() < 0.05) {
    const to = cfg.terminal[Math.floor(rnd() * cfg.terminal.length)];
    evs.push({ kind: 'status', payload: { id, from: 'running', to } }); // a second terminal status
  }
  if (rnd() < 0.05) {
    const all = [...statuses, ...cfg.terminal];
    const from = all[Math.floor(rnd() * all.length)];
    const to = all[Math.floor(rnd() * all.length)];
    evs.splice(pick(), 0, { kind: 'status', payload: { id, from, to } }); // a stale or wrong event
  }
  if (rnd() < 0.03) {
    const reasons = ['lease_expired', 'worker_lost', undefined, 7];
    evs.push({
      kind: 'recovered',
      payload: { id, reason: reasons[Math.floor(rnd() * reasons.length)] },
    });
  }
  if (rnd() < 0.02) evs.push({ kind: 'persistFailed', payload: rnd() < 0.5 ? { id } : null });
  return evs;
}

function simulate(t: ExecutionContext, cfg: Config): void {
  t.log(`seed ${cfg.seed}`);
  const rnd = prng(cfg.seed);
  const registry = new MetricsRegistry({ logger: () => {} });
  const emitter = new EventEmitter();
  let tick = 0;
  const now = () => tick;
  const detach = instrumentJobEvents(emitter, {
    registry,
    events: cfg.events,
    activeStatuses: cfg.active,
    terminalStatuses: cfg.terminal,
    clock: now,
  });
  const model = new Model(cfg, now);
  const emit = (ev: Ev) => {
    tick += 1 + Math.floor(rnd() * 5);
    emitter.emit(cfg.events[ev.kind], ev.payload);
    model.apply(ev);
  };
  const inflightGauge = () => registry.snapshot().gauges['worker.inflight_jobs'] ?? 0;

  // A worker with up to 64 jobs under way at once, their events interleaved.
  const JOBS = 10_000;
  let next = 0;
  const open: Ev[][] = [];
  let step = 0;
  while (next < JOBS || open.length > 0) {
    while (open.length < 64 && next < JOBS) open.push(jobEvents(next++, cfg, rnd));
    const k = Math.floor(rnd() * open.length);
    const ev = open[k].shift();
    if (open[k].length === 0) open.splice(k, 1);
    if (ev !== undefined) emit(ev);
    if (rnd() < 0.02) emit(garbage(rnd));
    if (++step % 997 === 0) {
      const g = inflightGauge();
      t.true(g >= 0);
      t.is(g, model.inflight(), `in-flight gauge at step ${step}`);
    }
  }

  const snap = registry.snapshot();
  t.is(snap.counters['jobs.created_total'], model.created);
  const transitions: Record<string, number> = {};
  for (const [k, v] of Object.entries(snap.counters)) {
    if (k.startsWith('jobs.status_transition_total|')) transitions[k.slice(k.indexOf('|') + 1)] = v;
  }
  t.deepEqual(transitions, Object.fromEntries(model.transitions));
  const latency = snap.histograms['jobs.total_latency_ms'];
  t.is(latency.count, model.latencyCount);
  t.is(latency.sum, model.latencySum);
  t.is(snap.gauges['worker.inflight_jobs'], model.inflight());
  t.is(snap.counters['events.persist_failures_total'], model.persist);
  for (const [reason, n] of model.recovered) {
    t.is(snap.counters[`worker.recovered_jobs_total|reason=${reason}`], n, reason);
  }
  t.is(snap.counters['obsweave.dropped_total|reason=invalid_value'], model.invalid);
  t.is(snap.counters['obsweave.dropped_total|reason=evicted'], 0);
  t.true(model.created > 9000 && model.latencyCount > 7000, 'the run exercised the happy path');

  // Detached: listeners gone, and this integration's in-flight jobs withdrawn.
  detach();
  detach();
  emitter.emit(cfg.events.created, { id: 'after-detach' });
  const after = registry.snapshot();
  t.is(after.counters['jobs.created_total'], model.created);
  t.is(after.gauges['worker.inflight_jobs'], 0);
  t.is(emitter.listenerCount(cfg.events.status), 0);
}

const DEFAULT_EVENTS = {
  created: 'job.created',
  status: 'job.status',
  persistFailed: 'job.persist_failed',
  recovered: 'job.recovered',
};

const SEEDS = process.env.OBSWEAVE_SEED ? [Number(process.env.OBSWEAVE_SEED)] : [1, 20240611];

for (const seed of SEEDS) {
  test(`10,000 jobs, default names and statuses (seed ${seed})`, simulate, {
    seed,
    events: DEFAULT_EVENTS,
    active: ['running'],
    terminal: ['completed', 'failed', 'cancelled'],
    path: ['running', 'uploading'],
  });

  test(`10,000 jobs, custom names, two active statuses (seed ${seed})`, simulate, {
    seed: seed + 1,
    events: {
      created: 'created',
      status: 'moved',
      persistFailed: 'write-failed',
      recovered: 'lease-recovered',
    },
    active: ['downloading', 'transcribing'],
    terminal: ['done', 'failed'],
    path: ['downloading', 'probing', 'transcribing'],
  });
}
